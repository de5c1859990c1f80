import { LeaseEvent, LeaseEventKind, LeaseHolderRef } from './lease-event';

/**
 * Checking a lease event that came from outside: a journal line (any process of this user, or a
 * damaged disk, may have written it) or a station's heartbeat (the network). Field by field, with
 * lengths capped, so one bad event is refused with the field it broke and never stored or drawn.
 */

export const LEASE_EVENT_KINDS: readonly LeaseEventKind[] = [
  'acquired',
  'released',
  'expired',
  'abandoned',
  'taken-over',
  'lost',
  'renamed',
  'conflict',
  'hub-started',
  'hub-stopped',
  'hub-orphaned',
  'hub-reaped',
];

export const MAX_EVENT_NAME = 256;
export const MAX_EVENT_LABEL = 253;
export const MAX_EVENT_DETAIL = 500;

export class LeaseEventProblem extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

type Plain = Record<string, unknown>;
const isObject = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

function text(o: Plain, key: string, where: string, max: number, nullable: boolean): string | null {
  const v = o[key];
  if ((v === undefined || v === null) && nullable) return null;
  if (typeof v !== 'string') throw new LeaseEventProblem(`${where}${key}`, nullable ? 'expected a string or null' : 'expected a string');
  // eslint-disable-next-line no-control-regex
  if (v.length > max || /[\u0000-\u001f\u007f]/.test(v))
    throw new LeaseEventProblem(`${where}${key}`, `expected at most ${max} characters, no control characters`);
  return v;
}

function time(o: Plain, key: string, where: string, nullable: boolean): number | null {
  const v = o[key];
  if ((v === undefined || v === null) && nullable) return null;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw new LeaseEventProblem(`${where}${key}`, 'expected milliseconds since 1970 (an integer ≥ 0)');
  return v;
}

function holder(o: Plain, key: string, where: string): LeaseHolderRef | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  const at = `${where}${key}.`;
  if (!isObject(v)) throw new LeaseEventProblem(`${where}${key}`, 'expected {host, pid, instance} or null');
  const pid = v.pid;
  if (pid !== null && pid !== undefined && (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid < 0))
    throw new LeaseEventProblem(`${at}pid`, 'expected a process id (an integer ≥ 0) or null');
  return {
    host: text(v, 'host', at, MAX_EVENT_LABEL, false) as string,
    pid: (pid as number | undefined) ?? null,
    instance: text(v, 'instance', at, MAX_EVENT_LABEL, true),
  };
}

/** The event `value` describes, or a LeaseEventProblem naming the field (prefixed with `where`). */
export function checkLeaseEvent(value: unknown, source: LeaseEvent['source'], where = ''): LeaseEvent {
  if (!isObject(value)) throw new LeaseEventProblem(where.replace(/\.$/, '') || 'event', 'expected an object');
  const kind = value.kind;
  if (typeof kind !== 'string' || !(LEASE_EVENT_KINDS as readonly string[]).includes(kind))
    throw new LeaseEventProblem(`${where}kind`, `expected one of ${LEASE_EVENT_KINDS.join(', ')}`);
  const s = value.subject;
  if (!isObject(s)) throw new LeaseEventProblem(`${where}subject`, 'expected {kind, name, id}');
  if (s.kind !== 'component' && s.kind !== 'hub') throw new LeaseEventProblem(`${where}subject.kind`, 'expected component or hub');
  const event: LeaseEvent = {
    atMs: time(value, 'atMs', where, false) as number,
    kind: kind as LeaseEventKind,
    subject: {
      kind: s.kind,
      name: text(s, 'name', `${where}subject.`, MAX_EVENT_NAME, false) as string,
      id: text(s, 'id', `${where}subject.`, MAX_EVENT_NAME, true),
      station: text(s, 'station', `${where}subject.`, MAX_EVENT_LABEL, true),
    },
    holder: holder(value, 'holder', where),
    source,
  };
  const previous = holder(value, 'previous', where);
  if (previous) event.previous = previous;
  const expires = time(value, 'expiresAtMs', where, true);
  if (expires !== null) event.expiresAtMs = expires;
  const detail = text(value, 'detail', where, MAX_EVENT_DETAIL, true);
  if (detail !== null) event.detail = detail;
  return event;
}

/** The same transition seen by several windows: kind, subject, holder, and the second it happened. */
export function dedupKey(e: LeaseEvent): string {
  const h = e.holder;
  return [
    e.kind,
    e.subject.kind,
    e.subject.station ?? '',
    e.subject.id ?? e.subject.name,
    h?.instance ?? '',
    h?.pid ?? '',
    Math.floor(e.atMs / 1000),
  ].join('\u0000');
}

/** Oldest first (stable), each transition once. */
export function dedupSorted(events: readonly LeaseEvent[]): LeaseEvent[] {
  const seen = new Set<string>();
  const out: LeaseEvent[] = [];
  for (const e of events) {
    const key = dedupKey(e);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out.sort((a, b) => a.atMs - b.atMs);
}

/** A detail cut to what an event may carry (a lock reason can be long). */
export function clipDetail(detail: string | null | undefined): string | null {
  if (detail === undefined || detail === null) return null;
  // eslint-disable-next-line no-control-regex
  const clean = detail.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return clean.length > MAX_EVENT_DETAIL ? `${clean.slice(0, MAX_EVENT_DETAIL - 1)}…` : clean;
}
