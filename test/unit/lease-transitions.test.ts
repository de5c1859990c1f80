import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { HubInfo, HubState } from '../../src/core/hubs/hub-status';
import { LockState } from '../../src/core/leases/lease-rules';
import { ComponentsState, ComponentState } from '../../src/core/overview/components-state';
import { HubsState } from '../../src/core/overview/hubs-state';
import { componentTransitions, hubTransitions, machineTransitions } from '../../src/core/journal/lease-transitions';
import { RegistryLock } from '../../src/core/registry/types';
import { Timestamp } from '../../src/core/time/timestamp';

/**
 * The transitions between two snapshots, from constructed states (no files: the function is
 * pure), and the property that an unchanged snapshot never gives an event.
 */

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const ctx = { nowMs: NOW, hostname: 'pc-01', station: null };
const ID = '01JNQ8Z6T9K3M2V7X4C5B8D0EF';

function lock(instance: string, pid: number, acquiredMs: number, ttlMs = 30_000, host = 'pc-01'): RegistryLock {
  return {
    holderPid: pid,
    holderHost: host,
    holderInstance: instance,
    acquiredAt: Timestamp.fromMillis(acquiredMs),
    heartbeatAt: Timestamp.fromMillis(acquiredMs),
    expiresAt: Timestamp.fromMillis(acquiredMs + ttlMs),
    extra: new Map(),
  };
}

function component(name: string, l: RegistryLock | null, state: LockState = l ? 'held' : 'free', id = ID): ComponentState {
  return {
    entry: {
      kind: 'entry',
      name,
      id,
      componentType: 'node',
      createdAt: Timestamp.fromMillis(0),
      lastSeen: Timestamp.fromMillis(0),
      metadata: new Map(),
      lock: l,
      workcellId: null,
      extra: new Map(),
    },
    status: { state, reason: state === 'free' ? 'not locked' : `${state} (test)` },
  };
}

const comps = (...entries: ComponentState[]): ComponentsState => ({ path: '/r/registry.json', exists: true, entries, invalid: [] });
const hub = (key: string, state: HubState, pid?: number, extra: Partial<HubInfo> = {}): HubInfo => ({
  key,
  source: 'hubkeeper',
  id: key.split(':')[1],
  name: 'ws',
  pid,
  state,
  dead: false,
  ...extra,
});
const hubs = (...h: HubInfo[]): HubsState => ({ hubs: h, staleHubLocks: [], unreadable: [] });
const kinds = (events: { kind: string }[]) => events.map((e) => e.kind);

describe('lease transitions', () => {
  test('first sight: only the current holders, dated by acquired_at and said so', () => {
    const a = lock('INST_A', 10, NOW - 60_000, 120_000);
    const events = componentTransitions(
      undefined,
      comps(component('arm', a), component('free_one', null, 'free', 'X'), component('old', lock('I', 3, 0), 'expired', 'Y')),
      ctx,
    );
    assert.equal(events.length, 1);
    assert.equal(events[0].kind, 'acquired');
    assert.equal(events[0].atMs, NOW - 60_000);
    assert.equal(events[0].detail, 'already held when first seen');
    assert.deepEqual(events[0].holder, { host: 'pc-01', pid: 10, instance: 'INST_A' });
    assert.equal(events[0].expiresAtMs, NOW + 60_000);
  });

  test('acquired, released, expired, abandoned, renewed', () => {
    const a = lock('INST_A', 10, NOW - 1000);
    assert.deepEqual(kinds(componentTransitions(comps(component('arm', null)), comps(component('arm', a)), ctx)), ['acquired']);
    const released = componentTransitions(comps(component('arm', a)), comps(component('arm', null)), ctx);
    assert.deepEqual(kinds(released), ['released']);
    assert.equal(released[0].holder?.instance, 'INST_A');
    assert.equal(released[0].atMs, NOW);
    const expired = componentTransitions(comps(component('arm', a)), comps(component('arm', a, 'expired')), ctx);
    assert.deepEqual(kinds(expired), ['expired']);
    assert.equal(expired[0].atMs, Math.min(a.expiresAt.millis, NOW), "dated by the file's expires_at");
    assert.deepEqual(kinds(componentTransitions(comps(component('arm', a)), comps(component('arm', a, 'abandoned')), ctx)), ['abandoned']);
    const renewed = componentTransitions(comps(component('arm', a, 'expired')), comps(component('arm', a)), ctx);
    assert.deepEqual(kinds(renewed), ['acquired']);
    assert.match(renewed[0].detail ?? '', /renewed after it was expired/);
    assert.deepEqual(kinds(componentTransitions(comps(component('arm', a, 'abandoned')), comps(component('arm', a, 'expired')), ctx)), []);
    // Released and taken again between two reads by the same holder: a new bar, not silence.
    const again = componentTransitions(comps(component('arm', a)), comps(component('arm', lock('INST_A', 10, NOW - 10))), ctx);
    assert.deepEqual(kinds(again), ['acquired']);
    assert.equal(again[0].atMs, NOW - 10);
    // Acquired and already expired by the next read: both.
    assert.deepEqual(kinds(componentTransitions(comps(component('arm', null)), comps(component('arm', a, 'expired')), ctx)), [
      'acquired',
      'expired',
    ]);
  });

  test('taken over: previous set; forced when the old lease was still live, else says how it ended', () => {
    const a = lock('INST_A', 10, NOW - 5000);
    const b = lock('INST_B', 20, NOW - 1000);
    const forced = componentTransitions(comps(component('arm', a)), comps(component('arm', b)), ctx);
    assert.deepEqual(kinds(forced), ['taken-over']);
    assert.deepEqual(forced[0].previous, { host: 'pc-01', pid: 10, instance: 'INST_A' });
    assert.deepEqual(forced[0].holder, { host: 'pc-01', pid: 20, instance: 'INST_B' });
    assert.match(forced[0].detail ?? '', /^forced/);
    const afterExpiry = componentTransitions(comps(component('arm', a, 'expired')), comps(component('arm', b)), ctx);
    assert.match(afterExpiry[0].detail ?? '', /was expired/);
    // Same instance, other pid (a fork, a restart that kept the id): still another holder.
    assert.deepEqual(kinds(componentTransitions(comps(component('arm', a)), comps(component('arm', lock('INST_A', 11, NOW))), ctx)), [
      'taken-over',
    ]);
  });

  test('renamed keeps the id; a deleted entry ends its live lease; an unreadable file says nothing', () => {
    const a = lock('INST_A', 10, NOW - 1000);
    const renamed = componentTransitions(comps(component('arm', a)), comps(component('arm_2', a)), ctx);
    assert.deepEqual(kinds(renamed), ['renamed']);
    assert.equal(renamed[0].detail, 'renamed from arm');
    assert.equal(renamed[0].subject.name, 'arm_2');
    const deleted = componentTransitions(comps(component('arm', a)), comps(), ctx);
    assert.deepEqual(kinds(deleted), ['released']);
    assert.equal(deleted[0].detail, 'its entry was deleted');
    const broken: ComponentsState = { path: '/r/registry.json', exists: false, error: 'corrupt', entries: [], invalid: [] };
    assert.deepEqual(componentTransitions(comps(component('arm', a)), broken, ctx), []);
    assert.equal(componentTransitions(broken, comps(component('arm', a)), ctx)[0].detail, 'already held when first seen');
  });

  test('hubs: started, orphaned, reaped, stopped, restarted', () => {
    const first = hubTransitions(
      undefined,
      hubs(hub('hubkeeper:w1', 'running', 100, { uptimeMs: 5000 }), hub('hubkeeper:w2', 'idle')),
      ctx,
    );
    assert.deepEqual(kinds(first), ['hub-started']);
    assert.equal(first[0].atMs, NOW - 5000);
    assert.equal(first[0].detail, 'already running when first seen');
    assert.deepEqual(first[0].holder, { host: 'pc-01', pid: 100, instance: null });
    const run = hubs(hub('hubkeeper:w1', 'running', 100));
    const orphan = hubs(hub('hubkeeper:w1', 'orphan', 100, { reason: 'cwd no longer exists' }));
    assert.deepEqual(kinds(hubTransitions(run, orphan, ctx)), ['hub-orphaned']);
    assert.deepEqual(kinds(hubTransitions(orphan, hubs(hub('hubkeeper:w1', 'stopped')), ctx)), ['hub-reaped']);
    assert.deepEqual(kinds(hubTransitions(orphan, hubs(), ctx)), ['hub-reaped']);
    assert.deepEqual(kinds(hubTransitions(run, hubs(hub('hubkeeper:w1', 'stopped')), ctx)), ['hub-stopped']);
    assert.deepEqual(kinds(hubTransitions(hubs(hub('hubkeeper:w1', 'idle')), run, ctx)), ['hub-started']);
    assert.deepEqual(kinds(hubTransitions(run, hubs(hub('hubkeeper:w1', 'running', 101)), ctx)), ['hub-stopped', 'hub-started']);
    assert.deepEqual(kinds(hubTransitions(run, hubs(hub('hubkeeper:w1', 'unreachable', 100)), ctx)), []);
  });

  test('property: an identical snapshot (or an equal copy) never gives an event', () => {
    const lockState = fc.constantFrom<LockState>('held', 'expired', 'abandoned');
    const comp = fc
      .record({
        name: fc.string({ minLength: 1, maxLength: 8 }),
        id: fc.string({ minLength: 1, maxLength: 4 }),
        locked: fc.option(
          fc.record({
            inst: fc.constantFrom('A', 'B', 'C'),
            pid: fc.nat(50),
            at: fc.integer({ min: NOW - 1e6, max: NOW + 1e6 }),
            state: lockState,
          }),
        ),
      })
      .map((c) =>
        c.locked
          ? component(c.name, lock(c.locked.inst, c.locked.pid, c.locked.at), c.locked.state, c.id)
          : component(c.name, null, 'free', c.id),
      );
    const hubArb = fc
      .record({
        k: fc.constantFrom('a', 'b', 'c', 'd'),
        state: fc.constantFrom<HubState>('running', 'unreachable', 'orphan', 'idle', 'stopped'),
        pid: fc.option(fc.nat(99)),
      })
      .map((h) => hub(`hubkeeper:${h.k}`, h.state, h.pid ?? undefined));
    const uniqueBy =
      <T>(key: (t: T) => string) =>
      (xs: T[]) =>
        xs.filter((x, i) => xs.findIndex((y) => key(y) === key(x)) === i);
    fc.assert(
      fc.property(
        fc.array(comp, { maxLength: 8 }).map(uniqueBy((c) => c.entry.id)),
        fc.array(hubArb, { maxLength: 4 }).map(uniqueBy((h) => h.key)),
        (entries, hubList) => {
          const state = { components: comps(...entries), hubs: hubs(...hubList) };
          const copy = structuredClone(state);
          assert.deepEqual(machineTransitions(state, state, ctx), []);
          assert.deepEqual(machineTransitions(state, copy, ctx), []);
        },
      ),
      { numRuns: 300 },
    );
  });
});
