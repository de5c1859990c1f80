import type { RemoteKind } from '../lab/fleet-store';
import { executeRemote } from './remote-actions';
import type { StationAgentOptions } from './station-agent';

/**
 * One remote request at the station agent: claimed (at most once, before its deadline, by this
 * incarnation), run by the local code if this station allows that kind (remote-actions.ts checks
 * the target again here), and its result reported — retried while the lab is away, since it was
 * run and stays this agent's to report.
 */

const MAX_BACKOFF_MS = 10_000;

/** The agent's wait before its n-th retry (from 0): 250 ms doubling, at most 10 s. */
export function retryMs(n: number): number {
  return Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(n, 6));
}

export async function handleRequest(
  o: StationAgentOptions,
  id: string,
  incarnation: string,
  route: (tail: string) => string,
  running: () => boolean,
): Promise<void> {
  const claim = await o.lab.call('POST', route(`requests/${id}/claim`), { incarnation });
  if (claim.status !== 200) return o.log?.(`agent: request ${id} not taken: ${claim.body?.error ?? `HTTP ${claim.status}`}`);
  const { kind, target, requested_by: by } = claim.body as { kind: RemoteKind; target: Record<string, unknown>; requested_by: string };
  const result = o.allow.includes(kind)
    ? await executeRemote(kind, target, {
        station: o.station,
        registry: o.registry,
        roots: o.hubs.roots,
        env: o.hubs.env,
        lab: o.lab,
        requestedBy: `remote request ${id} (${by}) via the agent of ${o.station}`,
      })
    : {
        outcome: 'refused' as const,
        detail: `refused: this station's agent does not allow remote ${kind} (it was started with --allow-remote ${o.allow.join(',') || '(none)'})`,
      };
  o.log?.(`agent: remote ${kind} ${id} from ${by}: ${result.outcome}: ${result.detail}`);
  // The result must be stored: it was run. Retried while the lab is away (it stays ours to report).
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await o.lab.call('POST', route(`requests/${id}/result`), { incarnation, ...result });
      if (res.status !== 200) o.log?.(`agent: the result of ${id} was not stored: ${res.body?.error ?? `HTTP ${res.status}`}`);
      return;
    } catch (err) {
      if (!running() || attempt > 30)
        return o.log?.(`agent: the result of ${id} could not be reported (${(err as Error).message}); the lab will show it as unknown`);
      await new Promise((r) => setTimeout(r, retryMs(attempt)));
    }
  }
}
