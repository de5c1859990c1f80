import type { LeaseEvent, LeaseEventSource, LeaseHolderRef } from '../../src/core/journal/lease-event';

/** Lease events for the timeline's tests and bench, and an in-memory LeaseEventSource (until the journal exists). */

export const HOUR = 3_600_000;
export const MINUTE = 60_000;
export const ALICE: LeaseHolderRef = { host: 'lab-pc-01', pid: 4242, instance: '01JNQA3F5XG8E2D7W9R1C4HB6S' };
export const BOB: LeaseHolderRef = { host: 'lab-pc-02', pid: 777, instance: '01JNQA3F5XG8E2D7W9R1C4HB7T' };

export function leaseEvent(atMs: number, kind: LeaseEvent['kind'], fields: Partial<LeaseEvent> = {}): LeaseEvent {
  return {
    atMs,
    kind,
    subject: { kind: 'component', name: 'camera_1', id: '01JNQ8Z6T9K3M2V7X4C5B8CAM1', station: null },
    holder: ALICE,
    source: 'local',
    ...fields,
  };
}

/**
 * A lease that changes hands every minute for an hour, from `t0`: alice acquires it, then bob and
 * alice take it over from each other, each lease live (90 s) when taken: 60 bars, 59 forced takeovers.
 */
export function handsEveryMinute(t0: number, subject = leaseEvent(0, 'acquired').subject): LeaseEvent[] {
  const events: LeaseEvent[] = [];
  for (let i = 0; i < 60; i++) {
    const atMs = t0 + i * MINUTE;
    const holder = i % 2 === 0 ? ALICE : BOB;
    const previous = i % 2 === 0 ? BOB : ALICE;
    events.push(
      i === 0
        ? leaseEvent(atMs, 'acquired', { subject, holder, expiresAtMs: atMs + 90_000 })
        : leaseEvent(atMs, 'taken-over', { subject, holder, previous, expiresAtMs: atMs + 90_000, detail: 'forced' }),
    );
  }
  return events;
}

/** `n` events over `subjects` components within the hour before `t0 + HOUR`: acquisitions, takeovers and releases. */
export function manyEvents(n: number, subjects: number, t0: number): LeaseEvent[] {
  const kinds: LeaseEvent['kind'][] = ['acquired', 'taken-over', 'released', 'acquired', 'expired', 'renamed'];
  const events: LeaseEvent[] = [];
  for (let i = 0; i < n; i++) {
    const s = i % subjects;
    const atMs = t0 + Math.floor((i / n) * HOUR);
    const subject = { kind: 'component' as const, name: `node_${s}`, id: `01JNQ8Z6T9K3M2V7X4${String(s).padStart(8, '0')}`, station: null };
    const kind = kinds[Math.floor(i / subjects) % kinds.length];
    const holder = { host: `pc-${i % 7}`, pid: 1000 + (i % 13), instance: null };
    events.push(leaseEvent(atMs, kind, { subject, holder, previous: kind === 'taken-over' ? ALICE : null, expiresAtMs: atMs + 30_000 }));
  }
  return events;
}

export class MemoryLeaseEventSource implements LeaseEventSource {
  constructor(
    public list: LeaseEvent[],
    readonly label = 'in-memory events (test)',
  ) {}

  async events(range: { sinceMs: number; untilMs: number }): Promise<LeaseEvent[]> {
    return this.list.filter((e) => e.atMs >= range.sinceMs && e.atMs <= range.untilMs).sort((a, b) => a.atMs - b.atMs);
  }
}
