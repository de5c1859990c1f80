import { JsonObject, toPlain } from '../json/json-value';
import { LeaseEvent, LeaseHolderRef } from '../journal/lease-event';
import { checkLeaseEvent, LeaseEventProblem } from '../journal/lease-event-json';
import { BadRequest } from './lab-request';
import type { LabRedis } from './redis-connection';

/**
 * The lease events of the lab's audit stream: what a station's agent sends with its heartbeat
 * (`lease_events`, checked here field by field: a bad one is a 400 naming the field), how one is
 * kept in the stream (flat fields next to `event: lease` and the station the token names), and
 * how GET /fleet/audit reads them back.
 */

/** Events one heartbeat may carry; more wait for the next one. */
export const MAX_EVENTS_PER_PUBLISH = 100;
/** Events one GET /fleet/audit returns at most (the newest of the range). */
export const MAX_AUDIT_READ = 1000;
/** Stream entries one GET /fleet/audit reads at most: a narrow filter over a full stream is `truncated`, not a scan of all of it. */
export const MAX_AUDIT_SCAN = 5000;
const SCAN_PAGE = 1000;
/** The lease stream's cap (XADD MAXLEN ~): its own, apart from the remote-action audit's. */
export const LEASE_AUDIT_MAXLEN = 20_000;
/**
 * Lease events one station may store per minute; a heartbeat that would pass it is refused (429)
 * and its agent waits. 6 full heartbeats: far above what a real station's leases make, and a
 * station alone needs over half an hour to turn the whole lease stream over.
 */
export const MAX_LEASE_EVENTS_PER_MINUTE = 600;
/** Station clocks may be behind the lab's: the stream is read from this much before since_ms. */
const CLOCK_SLACK_MS = 10 * 60_000;

export function leaseEventsField(body: JsonObject): LeaseEvent[] {
  const v = body.get('lease_events');
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new BadRequest('lease_events: expected an array');
  if (v.length > MAX_EVENTS_PER_PUBLISH)
    throw new BadRequest(`lease_events: at most ${MAX_EVENTS_PER_PUBLISH} events per heartbeat, got ${v.length}`);
  return v.map((e, i) => {
    try {
      return checkLeaseEvent(toPlain(e), 'lab', `lease_events[${i}].`);
    } catch (err) {
      if (err instanceof LeaseEventProblem) throw new BadRequest(err.message);
      throw err;
    }
  });
}

/** The stream fields of one event (after `event`, `station`, `at_us`): a null is left out. */
export function streamFields(e: LeaseEvent): string[] {
  const out: string[] = [];
  const put = (k: string, v: string | number | null | undefined) => v !== null && v !== undefined && out.push(k, String(v));
  put('kind', e.kind);
  put('at_ms', e.atMs);
  put('subject_kind', e.subject.kind);
  put('name', e.subject.name);
  put('id', e.subject.id);
  const holder = (prefix: string, h: LeaseHolderRef | null | undefined) => {
    if (!h) return;
    put(`${prefix}_host`, h.host);
    put(`${prefix}_pid`, h.pid);
    put(`${prefix}_instance`, h.instance);
  };
  holder('holder', e.holder);
  holder('previous', e.previous);
  put('expires_at_ms', e.expiresAtMs);
  put('detail', e.detail);
  return out;
}

/** A stream record back as an event (the JSON GET /fleet/audit returns), or undefined if it is not one. */
export function eventFromStream(id: string, f: Record<string, string>): (LeaseEvent & { id: string }) | undefined {
  if (f.event !== 'lease') return undefined;
  const num = (v: string | undefined) => (v === undefined || v === '' ? null : Number(v));
  const holder = (prefix: string) =>
    f[`${prefix}_host`] === undefined
      ? null
      : { host: f[`${prefix}_host`], pid: num(f[`${prefix}_pid`]), instance: f[`${prefix}_instance`] ?? null };
  try {
    const event = checkLeaseEvent(
      {
        atMs: num(f.at_ms),
        kind: f.kind,
        subject: { kind: f.subject_kind, name: f.name, id: f.id ?? null, station: f.station ?? null },
        holder: holder('holder'),
        previous: holder('previous'),
        expiresAtMs: num(f.expires_at_ms),
        detail: f.detail ?? null,
      },
      'lab',
    );
    return { id, ...event };
  } catch {
    return undefined; // written by another version, or by hand: not drawn
  }
}

export interface AuditQuery {
  sinceMs: number;
  untilMs: number;
  station?: string;
}

/** `?since_ms=&until_ms=&station=`: since defaults to a day ago, until to now. */
export function auditQuery(query: URLSearchParams, nowMs: number, stationProblem: (s: string) => string | undefined): AuditQuery {
  const ms = (key: string, fallback: number) => {
    const v = query.get(key);
    if (v === null || v === '') return fallback;
    if (!/^\d{1,16}$/.test(v)) throw new BadRequest(`${key}: expected milliseconds since 1970 (an integer ≥ 0)`);
    return Number(v);
  };
  const sinceMs = ms('since_ms', nowMs - 86_400_000);
  const untilMs = ms('until_ms', Number.MAX_SAFE_INTEGER);
  if (untilMs < sinceMs) throw new BadRequest('until_ms: must not be before since_ms');
  const station = query.get('station') ?? undefined;
  if (station !== undefined && stationProblem(station)) throw new BadRequest(`station: ${stationProblem(station)}`);
  return { sinceMs, untilMs, station };
}

/** The stream's lower bound for a query: events are stored after they happen, give or take clock skew. */
export function streamStart(q: AuditQuery): string {
  return `${Math.max(0, q.sinceMs - CLOCK_SLACK_MS)}-0`;
}

/** The stream's upper bound: an event is stored soon after it happened, by a clock maybe ahead. */
function streamEnd(q: AuditQuery): string {
  return q.untilMs >= Number.MAX_SAFE_INTEGER - CLOCK_SLACK_MS ? '+' : `${q.untilMs + CLOCK_SLACK_MS}-18446744073709551615`;
}

/**
 * The lease events of a range from the lease stream, newest first in pages, reading at most
 * MAX_AUDIT_SCAN entries (then `truncated`), returned oldest first.
 */
export async function readLeaseEvents(
  redis: LabRedis,
  key: string,
  q: AuditQuery,
): Promise<{ events: (LeaseEvent & { id: string })[]; truncated: boolean }> {
  const out: (LeaseEvent & { id: string })[] = [];
  const start = streamStart(q);
  let end = streamEnd(q);
  for (let scanned = 0; ;) {
    const page = (await redis.xRevRange(key, end, start, { COUNT: SCAN_PAGE })) ?? [];
    for (const m of page) {
      scanned++;
      const e = eventFromStream(m.id, m.message as Record<string, string>);
      if (!e || (q.station && e.subject.station !== q.station) || e.atMs < q.sinceMs || e.atMs > q.untilMs) continue;
      if (out.length === MAX_AUDIT_READ) return { events: sorted(out), truncated: true };
      out.push(e);
    }
    if (page.length < SCAN_PAGE) return { events: sorted(out), truncated: false };
    if (scanned >= MAX_AUDIT_SCAN) return { events: sorted(out), truncated: true };
    end = `(${page[page.length - 1].id}`;
  }
}

const sorted = (events: (LeaseEvent & { id: string })[]) => events.reverse().sort((a, b) => a.atMs - b.atMs);
