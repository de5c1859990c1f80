import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ulid } from 'ulid';
import type { FleetSnapshot, FleetStation, PublishedMachineState } from '../../src/core/fleet/fleet-snapshot';
import { remoteOutcome } from '../../src/core/fleet/remote-request';
import { LeaseHolder } from '../../src/core/lease-holder/lease-holder';
import { readComponentsState } from '../../src/core/overview/components-state';
import { machineStateJson } from '../../src/core/overview/state-json';
import { MAX_ENTRIES, MAX_HUBS, stateFromJson, UNPUBLISHED_TIME } from '../../src/core/overview/state-from-json';
import { ComponentRegistry } from '../../src/core/registry/component-registry';
import { componentContext, ITEM_MENUS, offers, stationContext, staleLockContext } from '../../src/extension/views/context-values';
import {
  conflictModels,
  fleetBadge,
  fleetMessage,
  labEntries,
  labLockText,
  stationDescription,
  stationModels,
} from '../../src/extension/views/fleet-tree';
import { mdText } from '../../src/extension/views/markdown-text';
import { tempDir } from '../support/helpers';
import { MADSCI_EXAMPLE } from '../support/samples';

/**
 * What the Fleet view shows (src/extension/views/fleet-tree.ts, core/overview/state-from-json.ts),
 * computed without an editor: stations with their health and this machine's marked, a station's
 * published state turned back into the local views' shapes, conflicts and where "Adopt the Lab's
 * ID" is offered, the message and the badge, and what a hostile station's state comes out as.
 */

const NOW_MS = Date.parse('2026-12-01T12:00:00Z');

function summary(station: string, health: string, o: Partial<FleetStation['summary']> = {}): FleetStation['summary'] {
  return {
    station,
    health: health as FleetStation['summary']['health'],
    incarnation: ulid(),
    epoch: 1,
    last_heartbeat: '2026-12-01T11:59:59Z',
    heartbeat_age_ms: 1000,
    heartbeat_interval_ms: 2000,
    started_at: '2026-12-01T11:00:00Z',
    updated_at: '2026-12-01T11:59:59Z',
    agent_pid: 4242,
    allow_remote: ['reap'],
    state_hash: 'h',
    counts: { entries: 0, held: 0, stale_locks: 0, hubs: 0, orphans: 0, stale_hub_locks: 0, conflicts: 0 },
    ...o,
  };
}

function snapshot(stations: FleetStation[], extra: Partial<FleetSnapshot> = {}): FleetSnapshot {
  return { receivedAtMs: NOW_MS, serverTimeUs: NOW_MS * 1000, stations, labEntries: [], conflicts: [], ...extra };
}

const station = (s: FleetStation['summary'], state: unknown = null, isThisStation = false): FleetStation => ({
  summary: s,
  state: state as PublishedMachineState | null,
  isThisStation,
});

/** A real published state: the formats.md example registry with one lease held by a live holder, as `status --json` has it. */
async function publishedState(t: { after(fn: () => unknown): void }): Promise<PublishedMachineState> {
  const file = path.join(tempDir(), 'registry.json');
  fs.writeFileSync(file, MADSCI_EXAMPLE);
  const holder = new LeaseHolder({ heartbeatMs: 3_600_000 });
  t.after(() => holder.releaseAll());
  await new ComponentRegistry(file, { holder }).resolve('robot_arm', 'node');
  const components = await readComponentsState(new ComponentRegistry(file));
  const state = { components, hubs: { hubs: [], staleHubLocks: [], unreadable: [] } };
  // Over the wire: JSON text, as the agent publishes it.
  return JSON.parse(JSON.stringify(machineStateJson(state, { path: file, reason: 'test' })));
}

test('stations: health in words (stale since …, gone), last heartbeat and agent age; this machine marked and first', () => {
  const snap = snapshot([
    station(summary('zeta', 'healthy')),
    station(summary('beta', 'stale', { heartbeat_age_ms: 10 * 60_000, heartbeat_interval_ms: 60_000 })),
    station(summary('alpha', 'gone', { heartbeat_age_ms: 3 * 3600_000 })),
    station(summary('mine', 'healthy', { started_at: '2026-12-01T09:00:00Z' }), null, true),
    station(summary('old', 'stopped')),
  ]);
  const models = stationModels(snap, undefined, NOW_MS);
  assert.deepEqual(
    models.map((m) => [m.name, m.isThis, m.healthText]),
    [
      ['mine', true, 'healthy'],
      ['alpha', false, 'gone (last heartbeat 3 hours ago)'],
      // Stale from the 3rd missed heartbeat on: 10 min since the last one, 7 min stale.
      ['beta', false, 'stale since 7 minutes ago'],
      ['old', false, 'stopped'],
      ['zeta', false, 'healthy'],
    ],
  );
  assert.equal(stationDescription(models[0]), 'this machine · healthy · heartbeat 1 second ago · agent up 3 h');
  assert.equal(models[0].state, undefined, 'nothing published yet');
  // A snapshot that does not mark this station: the window's station name does.
  const unmarked = snapshot([station(summary('zeta', 'healthy')), station(summary('mine', 'healthy'))]);
  assert.deepEqual(
    stationModels(unmarked, undefined, NOW_MS, 'mine').map((m) => [m.name, m.isThis]),
    [
      ['mine', true],
      ['zeta', false],
    ],
  );
  assert.deepEqual(fleetBadge(models, []), { value: 1, tooltip: '1 stale station(s), 0 conflict(s)' });
  assert.equal(fleetBadge(models.slice(0, 1), []), undefined);
});

test("a station's published state comes back as the local views' shapes: every entry with its lease state, the holder, the registry", async (t) => {
  const published = await publishedState(t);
  const st = stateFromJson(published);
  assert.deepEqual(st.dropped, []);
  assert.equal(st.registryPath, published.registry.path);
  assert.deepEqual(
    st.components.map((c) => [c.entry.name, c.entry.id, c.entry.componentType, c.status.state]),
    published.entries.map((e) => [e.name, e.id, e.component_type, e.lock_state]),
  );
  const arm = st.components.find((c) => c.entry.name === 'robot_arm');
  assert.equal(arm?.status.state, 'held');
  assert.equal(arm?.entry.lock?.holderPid, process.pid);
  assert.equal(arm?.entry.lock?.holderInstance, published.held[0].lock?.holder_instance);
  assert.equal(arm?.entry.lock?.acquiredAt.text, published.held[0].lock?.acquired_at, 'what a remote release names');
  assert.equal(arm?.entry.lastSeen.text, published.held[0].last_seen);
  // A free entry is only in `entries` (name, id, type, lock state): its times are unknown, not invented.
  const free = st.components.find((c) => c.status.state === 'free');
  assert.ok(free);
  assert.equal(free.entry.createdAt, UNPUBLISHED_TIME);
  assert.equal(free.entry.lastSeen, UNPUBLISHED_TIME);
  assert.deepEqual(
    st.staleLeases.map((c) => c.entry.name),
    published.stale_locks.map((e) => e.name),
  );
});

test('conflicts: both ids and where each lives; adopt offered only where the id differs and the entry is locked nowhere', async () => {
  const [labId, other, third] = [ulid(), ulid(), ulid()];
  const entry = (name: string, id: string, lock_state: string) => ({ name, id, component_type: 'node', lock_state });
  const lock = {
    holder_pid: 7,
    holder_host: 'b',
    holder_instance: ulid(),
    acquired_at: '2026-12-01T11:00:00Z',
    heartbeat_at: '2026-12-01T11:59:00Z',
    expires_at: '2026-12-01T12:01:00Z',
  };
  const held = { ...entry('arm', third, 'held'), lock, lock_reason: 'heartbeat', lock_ms_left: 60_000 };
  const snap = snapshot(
    [
      station(summary('a', 'healthy'), { entries: [entry('arm', labId, 'free'), entry('sealer', labId, 'free')] }, true),
      station(summary('b', 'healthy'), { entries: [entry('arm', other, 'free'), entry('sealer', other, 'free')] }),
      station(summary('c', 'healthy'), { entries: [held], held: [held] }),
    ],
    {
      labEntries: [
        { name: 'arm', id: labId, lock: null },
        { name: 'sealer', id: labId, lock: { holder_host: 'a', holder_pid: 9, fencing_token: 12 } },
      ],
      conflicts: [
        {
          name: 'arm',
          lab_id: labId,
          ids: [
            { station: 'a', id: labId },
            { station: 'b', id: other },
            { station: 'c', id: third },
          ],
        },
        {
          name: 'sealer',
          lab_id: labId,
          ids: [
            { station: 'a', id: labId },
            { station: 'b', id: other },
          ],
        },
        {
          name: 'nolab',
          lab_id: null,
          ids: [
            { station: 'a', id: other },
            { station: 'b', id: third },
          ],
        },
      ],
    },
  );
  const stations = stationModels(snap, undefined, NOW_MS);
  const conflicts = conflictModels(snap, stations);
  const offered = (name: string) => conflicts.find((c) => c.name === name)?.ids.map((i) => [i.station, i.stationId, i.offered, i.why]);
  assert.deepEqual(offered('arm'), [
    ['a', labId, false, "already the lab's id"],
    ['b', other, true, undefined],
    ['c', third, false, 'held on c: adopt once it is free'],
  ]);
  assert.deepEqual(offered('sealer'), [
    ['a', labId, false, "already the lab's id"],
    ['b', other, false, 'locked in the lab: adopt once it is free'],
  ]);
  assert.ok(
    offered('nolab')?.every(([, , on]) => on === false),
    'no lab id: nothing to adopt',
  );
  assert.deepEqual(fleetBadge(stations, conflicts)?.value, 3);
  assert.equal(labLockText(labEntries(snap)[1]), 'locked by a · pid 9 · fencing token 12');
  assert.equal(labLockText(labEntries(snap)[0]), 'free');
});

test('the connection is the view message: connected, reconnecting since …, not configured, refused with why', () => {
  const url = 'http://127.0.0.1:8750';
  assert.equal(fleetMessage({ kind: 'connected', url, sinceMs: NOW_MS }, undefined, NOW_MS), `Connected to ${url}.`);
  assert.equal(
    fleetMessage({ kind: 'reconnecting', url, sinceMs: NOW_MS - 120_000, reason: 'ECONNREFUSED' }, undefined, NOW_MS),
    `Reconnecting to ${url} since 2 minutes ago: ECONNREFUSED`,
  );
  assert.match(fleetMessage({ kind: 'not-configured' }) ?? '', /^Not configured: set hubkeeper\.lab\.url/);
  assert.match(fleetMessage(undefined) ?? '', /^Not configured/);
  assert.equal(fleetMessage({ kind: 'refused', url, reason: 'HTTP 401: bad token' }), `Refused by ${url}: HTTP 401: bad token`);
});

test("a hostile station's state comes out safe: markup stays text, oversize lists are capped, wrong types are left out and said", () => {
  const evil = '![x](https://evil.invalid/p.png)<img src=x onerror=alert(1)>[run](command:hubkeeper.hubs.reapOrphans)';
  const good = (i: number) => ({ name: `n${i}`, id: ulid(), component_type: 'node', lock_state: 'free' });
  const hostile = {
    registry: { path: 42 },
    entries: [
      { name: evil.slice(0, 190), id: ulid(), component_type: 'node', lock_state: 'free' },
      { name: 'no_lock', id: ulid(), component_type: 'node', lock_state: 'held' }, // held without a lock
      { name: 'bad_id', id: '<b>not a ulid</b>', component_type: 'node', lock_state: 'free' },
      { name: 'bad_type', id: ulid(), component_type: 'robot', lock_state: 'free' },
      { name: 'x'.repeat(5000), id: ulid(), component_type: 'node', lock_state: 'free' },
      'a string',
      null,
      ...Array.from({ length: MAX_ENTRIES + 100 }, (_, i) => good(i)),
    ],
    held: { not: 'a list' },
    hubs: [
      { key: 'k1', name: evil.slice(0, 190), state: 'orphan', pid: '12', process_start_ticks: -1, cwd: { x: 1 }, source: 'evil' },
      { key: 'k2', name: 'h', state: 'exploded' },
      ...Array.from({ length: MAX_HUBS + 5 }, (_, i) => ({ key: `s${i}`, name: 'h', state: 'idle' })),
    ],
    stale_hub_locks: [{ workspace: '/w', path: '/w/.hubkeeper/hub.lock', kind: 'other' }],
  };
  const st = stateFromJson(hostile);
  assert.equal(st.registryPath, '?');
  assert.equal(st.components.length, MAX_ENTRIES - 6, 'capped, and the bad ones left out');
  assert.equal(st.components[0].entry.name, evil.slice(0, 190), 'a name stays exactly as it was, as text');
  assert.equal(st.components[0].entry.metadata.size, 0);
  assert.equal(st.hubs.length, MAX_HUBS - 1);
  const h = st.hubs[0];
  assert.deepEqual(
    [h.info.pid, h.startTicks, h.info.cwd, h.info.source, h.info.hubUrl],
    [undefined, null, undefined, 'process-scan', undefined],
  );
  assert.deepEqual(st.staleHubLocks, []);
  assert.ok(st.dropped.length > 0 && st.dropped.length <= 20, 'said, in a bounded list');
  assert.ok(st.dropped.some((d) => /^entries: \d+ items, only the first 5000 shown$/.test(d)));
  assert.ok(st.dropped.includes('held: not a list'));
  // What a tooltip gets: no link, image or HTML survives mdText.
  const md = mdText(st.components[0].entry.name);
  assert.doesNotMatch(md, /(^|[^\\])[![<(]/);
  // Not an object at all, and a summary with wrong types: nothing thrown, nothing shown.
  assert.deepEqual(stateFromJson('nope').components, []);
  const weird = snapshot([
    station({ ...summary('ok', 'healthy'), heartbeat_age_ms: 'soon' as unknown as number, allow_remote: 'all' as unknown as [] }),
    station(summary('../etc', 'healthy')),
    station({ station: 7 } as unknown as FleetStation['summary']),
  ]);
  const models = stationModels(weird, undefined, NOW_MS);
  assert.deepEqual(
    models.map((m) => [m.name, m.heartbeatAgeMs, m.allowRemote]),
    [['ok', null, []]],
  );
  assert.deepEqual(conflictModels({ ...weird, conflicts: [{ name: 5, ids: 'x' }] as unknown as FleetSnapshot['conflicts'] }, models), []);
});

test('context values: a station item never matches a local command, and remote actions only match other stations', () => {
  const other = { name: 'b', isThis: false };
  const mine = { name: 'a', isThis: true };
  const local = Object.keys(ITEM_MENUS).filter((c) => !c.startsWith('hubkeeper.fleet.')) as (keyof typeof ITEM_MENUS)[];
  const published = [
    stationContext(other, componentContext('held')),
    stationContext(other, `hub.orphan`),
    stationContext(other, staleLockContext('lease')),
    // What a published hub's node writes (HubNode with a station): no .hasFolder/.hasUrl flags,
    // which the local menus match anywhere in the value.
    stationContext(mine, 'hub.orphan'),
  ];
  for (const cv of published) for (const c of local) assert.ok(!offers(c, cv), `${c} on ${cv}`);
  assert.ok(offers('hubkeeper.fleet.reapHub', stationContext(other, 'hub.orphan')));
  assert.ok(!offers('hubkeeper.fleet.reapHub', stationContext(other, 'hub.running')));
  assert.ok(!offers('hubkeeper.fleet.reapHub', stationContext(mine, 'hub.orphan')), 'this machine: the local Hubs view');
  assert.ok(offers('hubkeeper.fleet.releaseLock', stationContext(other, staleLockContext('lease'))));
  assert.ok(!offers('hubkeeper.fleet.releaseLock', stationContext(other, staleLockContext('hub'))), 'agents release leases only');
  assert.ok(offers('hubkeeper.fleet.adoptLabId', 'labConflictId.adoptable'));
  assert.ok(!offers('hubkeeper.fleet.adoptLabId', 'labConflictId.kept'));
});

test('a request outcome in one word: done, refused with why, not allowed on that station, unknown', () => {
  assert.equal(remoteOutcome({ state: 'done', detail: 'reaped: SIGTERM' }).kind, 'done');
  assert.equal(remoteOutcome({ state: 'refused', detail: 'pid 9 is not the process named' }).kind, 'refused');
  assert.equal(
    remoteOutcome({
      state: 'refused',
      detail: "refused: this station's agent does not allow remote reap (it was started with --allow-remote (none))",
    }).kind,
    'not-allowed',
  );
  assert.equal(remoteOutcome({ state: 'expired', detail: 'refused: its deadline passed' }).kind, 'refused');
  assert.equal(remoteOutcome({ state: 'unknown', detail: 'claimed, no result' }).kind, 'unknown');
});
