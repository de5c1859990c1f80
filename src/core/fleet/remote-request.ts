import { HubkeeperError } from '../errors/hubkeeper-error';
import type { LabClient } from '../agent/lab-client';

/**
 * A remote action as a requester sees it: file a request for one station, then wait for its
 * agent's result. Only that station's agent executes it, after checking the target there
 * (core/agent/remote-actions.ts). The CLI (`fleet release|reap`, `lab adopt --station`) and the
 * editor's Fleet view both use this, so "when do we stop waiting, and what does an answer mean"
 * is one rule in one place.
 */

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

export type RemoteKind = 'release' | 'reap' | 'adopt';

/** One authenticated call to the lab: the body of a 2xx answer; anything else throws one line. */
export type LabCaller = (method: string, route: string, body?: unknown) => Promise<Json>;

/** The request as the lab shows it (fleet-json.ts requestJson), plus `unknown` when we gave up. */
export interface RemoteRequestRecord {
  id: string;
  station: string;
  kind: string;
  state: string;
  detail: string | null;
  deadline_at?: string;
  [field: string]: unknown;
}

export interface RemoteRequestOptions {
  /** How long the station has to claim it (the lab refuses it after). Default 30 s. */
  deadlineMs?: number;
  /** false: return as soon as it is filed (`--no-wait`). */
  wait?: boolean;
  /** Waiting past deadline + grace: how long a claimed request may run before we call it unknown. */
  slackMs?: number;
  /** The first wait between polls (100 ms); each next one is 1.5 times longer, up to maxPollMs (1 s). */
  pollMs?: number;
  maxPollMs?: number;
  /** Test hook: how a wait between polls is slept. */
  sleep?: (ms: number) => Promise<void>;
  /** Each state the request is seen in, once (pending, running, done…), for progress. */
  onState?(r: RemoteRequestRecord): void;
}

export const DEFAULT_DEADLINE_MS = 30_000;
const DEFAULT_SLACK_MS = 15_000;
const DEFAULT_GRACE_MS = 2000;
const FIRST_POLL_MS = 100;
const MAX_POLL_MS = 1000;

/** Files a request for `station` and (unless `wait: false`) waits for its agent's result. */
export async function fileRemoteRequest(
  call: LabCaller,
  station: string,
  kind: RemoteKind,
  target: Record<string, unknown>,
  o: RemoteRequestOptions = {},
): Promise<RemoteRequestRecord> {
  const deadlineMs = o.deadlineMs ?? DEFAULT_DEADLINE_MS;
  if (!(deadlineMs >= 1)) throw new HubkeeperError('a remote request needs a deadline of more than 0 seconds', 'usage');
  let r: RemoteRequestRecord = await call('POST', `/fleet/stations/${encodeURIComponent(station)}/requests`, {
    kind,
    target,
    deadline_ms: deadlineMs,
  });
  if (o.wait === false) return (o.onState?.(r), r);
  const grace = typeof target.grace_ms === 'number' ? target.grace_ms : DEFAULT_GRACE_MS;
  const giveUp = Date.now() + deadlineMs + grace + (o.slackMs ?? DEFAULT_SLACK_MS);
  let shown = '';
  // Quick answers come quickly; a request that takes its time costs ~50 GETs a minute, not 600.
  const maxPollMs = Math.max(o.pollMs ?? 0, o.maxPollMs ?? MAX_POLL_MS);
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((res) => setTimeout(res, ms)));
  let pollMs = o.pollMs ?? FIRST_POLL_MS;
  for (;;) {
    if (r.state !== shown) o.onState?.(r);
    shown = r.state;
    if (!isOpen(r.state)) return r;
    if (Date.now() > giveUp)
      return {
        ...r,
        state: 'unknown',
        detail: r.state === 'running' ? 'claimed by the station, but no result came; its outcome is unknown' : 'never picked up',
      };
    await sleep(pollMs);
    pollMs = Math.min(maxPollMs, Math.round(pollMs * 1.5));
    r = await call('GET', `/fleet/requests/${encodeURIComponent(r.id)}`);
  }
}

const isOpen = (state: string) => state === 'pending' || state === 'running';

/** What a finished request means for the person who asked, in one of five words. */
export type RemoteOutcomeKind = 'done' | 'refused' | 'not-allowed' | 'unknown' | 'pending';

export function remoteOutcome(r: Pick<RemoteRequestRecord, 'state' | 'detail'>): { kind: RemoteOutcomeKind; detail: string } {
  const detail = typeof r.detail === 'string' ? r.detail : '';
  if (r.state === 'done') return { kind: 'done', detail };
  if (isOpen(r.state)) return { kind: 'pending', detail };
  if (r.state === 'unknown') return { kind: 'unknown', detail };
  // The agent's own words when its allow_remote leaves this kind out (station-agent.ts handle()).
  if (/^refused: this station's agent does not allow remote /.test(detail)) return { kind: 'not-allowed', detail };
  return { kind: 'refused', detail: detail || r.state };
}

/** The LabClient as a LabCaller: a 2xx answer's body, else one line naming the lab and its reason. */
export function labCaller(lab: LabClient): LabCaller {
  return async (method, route, body) => {
    const res = await lab.call(method, route, body);
    if (res.status >= 200 && res.status < 300) return res.body;
    const why = typeof res.body?.error === 'string' ? res.body.error.slice(0, 300) : 'refused';
    throw new HubkeeperError(`${lab.url.origin}${route}: HTTP ${res.status}: ${why}`, res.status === 404 ? 'not-found' : 'refused');
  };
}
