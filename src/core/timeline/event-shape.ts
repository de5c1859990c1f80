import type { LeaseEvent, LeaseEventKind, LeaseHolderRef } from '../journal/lease-event';

/**
 * An event as the timeline trusts it: a journal line or a station's audit record is whatever the
 * file or the network said, so each field is checked and every string is cut to a length a page
 * can show. Anything else (an unknown kind from a newer writer, a malformed record) is null and
 * counted as ignored, never drawn.
 */

const KINDS: ReadonlySet<string> = new Set<LeaseEventKind>([
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
]);

const MAX_TEXT = 200;

export function checkedEvent(raw: unknown): LeaseEvent | null {
  if (!isObject(raw) || !isTime(raw.atMs) || typeof raw.kind !== 'string' || !KINDS.has(raw.kind)) return null;
  const s = raw.subject;
  if (!isObject(s) || (s.kind !== 'component' && s.kind !== 'hub') || typeof s.name !== 'string') return null;
  const holder = checkedHolder(raw.holder);
  const previous = checkedHolder(raw.previous);
  if (holder === undefined || previous === undefined) return null;
  return {
    atMs: raw.atMs,
    kind: raw.kind as LeaseEventKind,
    subject: { kind: s.kind, name: text(s.name), id: optionalText(s.id), station: optionalText(s.station) },
    holder,
    previous,
    expiresAtMs: isTime(raw.expiresAtMs) ? raw.expiresAtMs : null,
    detail: optionalText(raw.detail),
    source: raw.source === 'lab' ? 'lab' : 'local',
  };
}

/** null: none; undefined: malformed. */
function checkedHolder(raw: unknown): LeaseHolderRef | null | undefined {
  if (raw === null || raw === undefined) return null;
  if (!isObject(raw) || typeof raw.host !== 'string') return undefined;
  const pid = Number.isSafeInteger(raw.pid) ? (raw.pid as number) : null;
  return { host: text(raw.host), pid, instance: optionalText(raw.instance) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isTime(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

function text(v: string): string {
  return v.length > MAX_TEXT ? `${v.slice(0, MAX_TEXT)}…` : v;
}

function optionalText(v: unknown): string | null {
  return typeof v === 'string' ? text(v) : null;
}
