import { parseRfc3339 } from '../hubs/hub-entry';
import { HubInfo, HubState } from '../hubs/hub-status';
import { ComponentsState, ComponentState } from '../overview/components-state';
import { HubsState } from '../overview/hubs-state';
import { MachineState } from '../overview/machine-state';
import { RegistryLock } from '../registry/types';
import { LeaseEvent, LeaseEventKind, LeaseHolderRef } from './lease-event';
import { clipDetail } from './lease-event-json';

/**
 * The transitions between two successive snapshots of this machine, as lease events: what the
 * lease timeline draws. Pure: the same two snapshots always give the same events, and two equal
 * snapshots give none. A part seen for the first time (no `before`) gives only its current
 * holders, so a bar starts at first sight, dated by the file when it says when (acquired_at, a
 * hub's started_at). Times the files give are used over the observation time, so that several
 * windows observing one transition write the same event (the journal de-duplicates on it).
 */

export interface TransitionContext {
  /** When `after` was read (wall clock, ms). */
  nowMs: number;
  /** This machine's name: a hub's holder host. */
  hostname: string;
  /** The station the snapshots are of (lab data), or null for the local journal. */
  station: string | null;
}

export function machineTransitions(before: MachineState | undefined, after: MachineState, ctx: TransitionContext): LeaseEvent[] {
  return [...componentTransitions(before?.components, after.components, ctx), ...hubTransitions(before?.hubs, after.hubs, ctx)];
}

/** Whether a components snapshot says anything about the leases (an unreadable file does not). */
export function isReadable(state: ComponentsState): boolean {
  return state.error === undefined;
}

export function componentTransitions(before: ComponentsState | undefined, after: ComponentsState, ctx: TransitionContext): LeaseEvent[] {
  // A file that cannot be read says nothing: its leases did not all end (the caller keeps `before`).
  if (!isReadable(after)) return [];
  const first = !before || !isReadable(before) || before.path !== after.path;
  const previous = new Map(first ? [] : before.entries.map((c) => [c.entry.id, c]));
  const out: LeaseEvent[] = [];
  const event = (kind: LeaseEventKind, c: ComponentState, lock: RegistryLock, atMs: number, extra: Partial<LeaseEvent> = {}) =>
    out.push({
      atMs,
      kind,
      subject: { kind: 'component', name: c.entry.name, id: c.entry.id, station: ctx.station },
      holder: holderOf(lock),
      source: 'local',
      ...extra,
      detail: clipDetail(extra.detail),
    });
  const acquired = (c: ComponentState, lock: RegistryLock, detail: string | null = null) =>
    event('acquired', c, lock, Math.min(lock.acquiredAt.millis, ctx.nowMs), { expiresAtMs: lock.expiresAt.millis, detail });

  for (const c of after.entries) {
    const lock = c.entry.lock;
    const was = previous.get(c.entry.id);
    previous.delete(c.entry.id);
    if (!was) {
      if (lock && c.status.state === 'held') acquired(c, lock, first ? 'already held when first seen' : null);
      continue;
    }
    if (was.entry.name !== c.entry.name)
      out.push({
        atMs: ctx.nowMs,
        kind: 'renamed',
        subject: subjectOf(c, ctx),
        holder: lock ? holderOf(lock) : null,
        detail: `renamed from ${was.entry.name}`,
        source: 'local',
      });
    const old = was.entry.lock;
    if (!old || !lock) {
      if (old && was.status.state === 'held') event('released', was, old, ctx.nowMs, { subject: subjectOf(c, ctx) });
      else if (old)
        event('released', was, old, ctx.nowMs, { subject: subjectOf(c, ctx), detail: `its ${was.status.state} lease was cleared` });
      else if (lock) {
        acquired(c, lock);
        stale(c, lock);
      }
      continue;
    }
    if (!sameHolder(old, lock)) {
      // Forced when the new lease began while the old one still had time and a live holder.
      const forced = lock.acquiredAt.micros < old.expiresAt.micros && was.status.state === 'held';
      const why = forced ? 'forced: the previous lease was still live' : `the previous lease was ${was.status.state}`;
      event('taken-over', c, lock, Math.min(lock.acquiredAt.millis, ctx.nowMs), {
        previous: holderOf(old),
        expiresAtMs: lock.expiresAt.millis,
        detail: why,
      });
      stale(c, lock);
      continue;
    }
    if (old.acquiredAt.micros !== lock.acquiredAt.micros && c.status.state === 'held') {
      acquired(c, lock, 'acquired again by the same holder');
      continue;
    }
    const from = was.status.state;
    const to = c.status.state;
    if (from === to) continue;
    if (to === 'held') acquired(c, lock, `renewed after it was ${from}`);
    else if (from === 'held') stale(c, lock);
  }
  // Entries gone from the file: a live lease on them ended with them.
  for (const was of previous.values()) {
    if (was.entry.lock && was.status.state === 'held')
      event('released', was, was.entry.lock, ctx.nowMs, { detail: 'its entry was deleted' });
  }
  return out;

  function stale(c: ComponentState, lock: RegistryLock): void {
    if (c.status.state === 'expired') event('expired', c, lock, Math.min(lock.expiresAt.millis, ctx.nowMs), { detail: c.status.reason });
    else if (c.status.state === 'abandoned') event('abandoned', c, lock, ctx.nowMs, { detail: c.status.reason });
  }
}

function subjectOf(c: ComponentState, ctx: TransitionContext): LeaseEvent['subject'] {
  return { kind: 'component', name: c.entry.name, id: c.entry.id, station: ctx.station };
}

function holderOf(lock: RegistryLock): LeaseHolderRef {
  return { host: lock.holderHost, pid: lock.holderPid, instance: lock.holderInstance };
}

function sameHolder(a: RegistryLock, b: RegistryLock): boolean {
  return a.holderInstance === b.holderInstance && a.holderHost === b.holderHost && a.holderPid === b.holderPid;
}

/** A hub whose process runs: it holds its workspace. */
const LIVE: readonly HubState[] = ['running', 'unreachable', 'orphan'];

export function hubTransitions(before: HubsState | undefined, after: HubsState, ctx: TransitionContext): LeaseEvent[] {
  const previous = new Map((before?.hubs ?? []).map((h) => [h.key, h]));
  const out: LeaseEvent[] = [];
  const event = (kind: LeaseEventKind, h: HubInfo, atMs: number, detail: string | null = null) =>
    out.push({
      atMs,
      kind,
      subject: { kind: 'hub', name: h.name, id: h.id ?? h.key, station: ctx.station },
      holder: h.pid ? { host: ctx.hostname, pid: h.pid, instance: null } : null,
      source: 'local',
      detail: clipDetail(detail),
    });
  const started = (h: HubInfo) => {
    const at = h.startedAt ? parseRfc3339(h.startedAt) : h.uptimeMs !== undefined ? ctx.nowMs - h.uptimeMs : undefined;
    return Math.min(at ?? ctx.nowMs, ctx.nowMs);
  };

  for (const h of after.hubs) {
    const was = previous.get(h.key);
    previous.delete(h.key);
    const live = LIVE.includes(h.state);
    if (!before || !was) {
      if (!live) continue;
      const seen = before ? null : 'already running when first seen';
      event('hub-started', h, started(h), seen);
      if (h.state === 'orphan') event('hub-orphaned', h, ctx.nowMs, h.reason ?? null);
      continue;
    }
    const wasLive = LIVE.includes(was.state);
    if (wasLive && live && was.pid !== h.pid) {
      // Restarted between two reads: the old process stopped, a new one started.
      event('hub-stopped', was, ctx.nowMs, `pid ${was.pid} was replaced by pid ${h.pid}`);
      event('hub-started', h, started(h));
    }
    if (!wasLive && live) event('hub-started', h, started(h));
    if (h.state === 'orphan' && was.state !== 'orphan') event('hub-orphaned', h, ctx.nowMs, h.reason ?? null);
    if (wasLive && !live) event(was.state === 'orphan' ? 'hub-reaped' : 'hub-stopped', was, ctx.nowMs, h.reason ?? null);
  }
  // Hubs gone from the listing: an orphan that disappears was reaped; any other live one stopped.
  if (before)
    for (const was of previous.values()) {
      if (LIVE.includes(was.state)) event(was.state === 'orphan' ? 'hub-reaped' : 'hub-stopped', was, ctx.nowMs, 'no longer listed');
    }
  return out;
}
