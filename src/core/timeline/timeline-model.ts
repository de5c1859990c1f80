import type { LeaseEvent, LeaseHolderRef } from '../journal/lease-event';
import { checkedEvent } from './event-shape';
import { HolderColours, holderKey, holderLabel } from './holder-colours';
import type { MarkerKind, TimelineBar, TimelineHolder, TimelineModel, TimelineRow, TimelineSubjectFilter } from './timeline-types';

/**
 * Lease events + a range -> the timeline: rows sorted (components, then hubs, by name), each
 * holder's bars and the events' markers. Pure and bounded: one sort of the events (they may come
 * out of order, from two sources) and one pass over them, O(n log n) for n events.
 *
 * A bar opens at an acquisition (or a takeover, or a hub start) and closes at the next event that
 * ends it; when its expiresAtMs passes first, it ends there (nobody renewed it); a bar still open
 * at the end ends at its expiry or "now". An end seen without its start (released, lost, taken
 * over from someone) means the lease was held before the range: that bar starts at the range.
 */

export interface TimelineRange {
  sinceMs: number;
  untilMs: number;
  /** The extension's clock: where an ongoing lease ends. */
  nowMs: number;
}

interface OpenLease {
  holder: string;
  startMs: number;
  startsBefore: boolean;
  expiresAtMs: number | null;
}

interface RowState {
  row: TimelineRow;
  open: OpenLease | null;
  /** Whether anything ended or started a bar yet: only then can an end imply an earlier start. */
  seenLease: boolean;
}

export function buildTimeline(
  events: readonly unknown[],
  range: TimelineRange,
  filter: TimelineSubjectFilter | null = null,
): TimelineModel {
  const { sinceMs, untilMs } = range;
  const nowMs = Math.min(range.nowMs, untilMs);
  const checked: LeaseEvent[] = [];
  let ignoredCount = 0;
  for (const raw of events) {
    const e = checkedEvent(raw);
    if (e === null) ignoredCount++;
    else if (!filter || matches(e, filter)) checked.push(e);
  }
  // Array.prototype.sort is stable: events of the same millisecond keep the order they came in.
  checked.sort((a, b) => a.atMs - b.atMs);

  const colours = new HolderColours();
  const holders: Record<string, TimelineHolder> = {};
  const states = new Map<string, RowState>();
  const holderOf = (ref: LeaseHolderRef | null | undefined): string | null => {
    if (!ref) return null;
    const key = holderKey(ref);
    holders[key] ??= { key, label: holderLabel(ref), colour: colours.colour(key) };
    return key;
  };

  const close = (st: RowState, atMs: number, endedBy: TimelineBar['endedBy']) => {
    const open = st.open;
    if (!open) return;
    st.open = null;
    const expired = open.expiresAtMs !== null && open.expiresAtMs < atMs;
    const endMs = expired ? (open.expiresAtMs as number) : atMs;
    pushBar(st.row, open, endMs, expired ? 'expiry' : endedBy, false, sinceMs, untilMs);
  };
  const start = (st: RowState, holder: string, atMs: number, expiresAtMs: number | null) => {
    st.open = { holder, startMs: atMs, startsBefore: false, expiresAtMs };
    st.seenLease = true;
  };
  /** An end without a start: the holder had it since before the range. */
  const heldBefore = (st: RowState, holder: string | null) => {
    if (st.open || st.seenLease || holder === null) return;
    st.open = { holder, startMs: sinceMs, startsBefore: true, expiresAtMs: null };
  };

  for (const e of checked) {
    const st = rowState(states, e);
    const holder = holderOf(e.holder);
    const expiresAtMs = e.expiresAtMs ?? null;
    switch (e.kind) {
      case 'acquired':
      case 'hub-started':
        if (holder === null) break;
        if (st.open?.holder === holder && (st.open.expiresAtMs === null || st.open.expiresAtMs >= e.atMs)) {
          st.open.expiresAtMs = expiresAtMs ?? st.open.expiresAtMs; // a renewal: the same bar goes on
        } else {
          close(st, e.atMs, e.kind);
          start(st, holder, e.atMs, expiresAtMs);
        }
        if (e.kind === 'hub-started') mark(st.row, e, holder, null, false);
        break;
      case 'taken-over': {
        const previous = holderOf(e.previous) ?? st.open?.holder ?? null;
        heldBefore(st, previous);
        // Forced: the lease it took was still live. Unknown (so not said) for one held since before the range.
        const open = st.open;
        const forced = open !== null && !open.startsBefore && (open.expiresAtMs === null || open.expiresAtMs > e.atMs);
        close(st, e.atMs, e.kind);
        if (holder !== null) start(st, holder, e.atMs, expiresAtMs);
        mark(st.row, e, holder, previous, forced);
        break;
      }
      case 'released':
      case 'expired':
      case 'abandoned':
      case 'lost':
      case 'hub-stopped':
      case 'hub-reaped':
        heldBefore(st, holder);
        // Another holder's loss or release does not end the lease the row shows now.
        if (holder === null || st.open?.holder === holder) close(st, e.atMs, e.kind);
        st.seenLease = true;
        mark(st.row, e, holder, null, false);
        break;
      case 'renamed':
        st.row.name = e.subject.name;
        mark(st.row, e, holder, null, false);
        break;
      case 'conflict':
      case 'hub-orphaned':
        mark(st.row, e, holder, null, false);
        break;
    }
  }

  for (const st of states.values()) {
    const open = st.open;
    if (!open) continue;
    const runsOut = open.expiresAtMs !== null && open.expiresAtMs < nowMs;
    const endMs = runsOut ? (open.expiresAtMs as number) : nowMs;
    pushBar(st.row, open, endMs, runsOut ? 'expiry' : 'now', !runsOut, sinceMs, untilMs);
  }

  const rows: TimelineRow[] = [];
  for (const { row } of states.values()) {
    row.markers = row.markers.filter((m) => m.atMs >= sinceMs && m.atMs <= untilMs);
    if (row.bars.length > 0 || row.markers.length > 0) rows.push(row);
  }
  rows.sort(compareRows);
  return { sinceMs, untilMs, nowMs, rows, holders, eventCount: events.length, ignoredCount, filter };
}

function rowState(states: Map<string, RowState>, e: LeaseEvent): RowState {
  const s = e.subject;
  // Keyed by id, so a rename stays on its row; by name when the writer did not know the id.
  const key = `${s.kind}|${s.station ?? ''}|${s.id ?? `#${s.name}`}`;
  let st = states.get(key);
  if (!st) {
    st = { row: { key, kind: s.kind, name: s.name, id: s.id, station: s.station, bars: [], markers: [] }, open: null, seenLease: false };
    states.set(key, st);
  }
  return st;
}

function pushBar(
  row: TimelineRow,
  lease: OpenLease,
  endMs: number,
  endedBy: TimelineBar['endedBy'],
  ongoing: boolean,
  sinceMs: number,
  untilMs: number,
): void {
  // Outside the range, or ended the moment it starts (nothing of it is in the range).
  if (endMs < sinceMs || lease.startMs > untilMs || (endMs === sinceMs && lease.startMs < sinceMs)) return;
  const startsBefore = lease.startsBefore || lease.startMs < sinceMs;
  row.bars.push({
    key: `${row.key}|${lease.holder}|${lease.startsBefore ? 'before' : lease.startMs}`,
    holder: lease.holder,
    startMs: Math.max(lease.startMs, sinceMs),
    endMs: Math.min(endMs, untilMs),
    startsBefore,
    ongoing,
    endedBy,
  });
}

function mark(row: TimelineRow, e: LeaseEvent, holder: string | null, previous: string | null, forced: boolean) {
  const kind = e.kind as MarkerKind;
  // The source de-duplicates events, so kind, time and holder name a marker across refreshes.
  const key = `${row.key}|${kind}|${e.atMs}|${holder ?? ''}`;
  row.markers.push({ key, atMs: e.atMs, kind, forced, holder, previous, detail: e.detail ?? null });
}

function matches(e: LeaseEvent, f: TimelineSubjectFilter): boolean {
  if (e.subject.kind !== f.kind) return false;
  return e.subject.id !== null && f.id !== null ? e.subject.id === f.id : e.subject.name === f.name;
}

function compareRows(a: TimelineRow, b: TimelineRow): number {
  if (a.kind !== b.kind) return a.kind === 'component' ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
