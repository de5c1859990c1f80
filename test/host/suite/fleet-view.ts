import * as vscode from 'vscode';
import type { FleetFeed, FleetSnapshot } from '../../../src/core/fleet/fleet-snapshot';
import type { HubkeeperApi } from '../../../src/extension/extension';
import { assert, MiniRunner, waitFor } from './mini-runner';

/**
 * The Fleet view's items in the real editor: every node kind built as a TreeItem by the real
 * vscode API, from a fixed snapshot (a stand-in feed: the window's live feed and the lab
 * connection are tested on their own), with the message and the badge, and a remote action
 * refused in one line while no lab client is there. The remote actions against a real lab and
 * agents: test/lab/fleet-view-remote.test.ts.
 */

const ULID = (c: string) => `01ARZ3NDEKTSV4RRFFQ69G5F${c}`;
const lock = {
  holder_pid: 999999,
  holder_host: 'elsewhere',
  holder_instance: ULID('A1'),
  acquired_at: '2026-01-01T00:00:00Z',
  heartbeat_at: '2026-01-01T00:00:10Z',
  expires_at: '2026-01-01T00:00:40Z',
};
const stale = {
  name: 'old_arm',
  id: ULID('A2'),
  component_type: 'node',
  lock_state: 'expired',
  lock,
  lock_reason: 'expired',
  lock_ms_left: -1,
};
const summary = (station: string, health: string) => ({
  station,
  health,
  incarnation: ULID('B1'),
  epoch: 1,
  last_heartbeat: new Date(Date.now() - 60_000).toISOString(),
  heartbeat_age_ms: 60_000,
  heartbeat_interval_ms: 5000,
  started_at: new Date(Date.now() - 3_600_000).toISOString(),
  updated_at: null,
  agent_pid: 1,
  allow_remote: ['reap'],
  state_hash: 'h',
  counts: { entries: 2, held: 0, stale_locks: 1, hubs: 1, orphans: 1, stale_hub_locks: 1, conflicts: 1 },
});

function fixedFeed(): FleetFeed {
  const snapshot = {
    receivedAtMs: Date.now(),
    serverTimeUs: Date.now() * 1000,
    stations: [
      { summary: summary('host-test-mine', 'healthy'), state: null, isThisStation: true },
      {
        summary: summary('host-test-other', 'stale'),
        isThisStation: false,
        state: {
          registry: { path: '/far/.madsci/registry.json' },
          entries: [stale, { name: 'twin_<b>arm</b>', id: ULID('A3'), component_type: 'node', lock_state: 'free' }],
          stale_locks: [stale],
          hubs: [
            {
              key: 'bones:far',
              name: '![x](https://evil.invalid/p.png)',
              state: 'orphan',
              pid: 4242,
              process_start_ticks: 77,
              cwd: '/gone',
              reason: 'cwd no longer exists',
            },
          ],
          stale_hub_locks: [
            { workspace: '/far/ws', kind: 'hubkeeper', path: '/far/ws/.hubkeeper/hub.lock', state: 'stale', evidence: 'pid gone' },
          ],
        },
      },
    ],
    labEntries: [{ name: 'twin_<b>arm</b>', id: ULID('A4'), lock: null }],
    conflicts: [{ name: 'twin_<b>arm</b>', lab_id: ULID('A4'), ids: [{ station: 'host-test-other', id: ULID('A3') }] }],
  } as unknown as FleetSnapshot;
  return {
    snapshot,
    connection: { kind: 'connected', url: 'http://127.0.0.1:1', sinceMs: Date.now() },
    onChange: () => () => undefined,
    refresh: async () => undefined,
    dispose: () => undefined,
  };
}

export async function fleetViewTests(t: MiniRunner, api: HubkeeperApi): Promise<void> {
  await t.test('the Fleet view: every node kind renders as a TreeItem, with the connection as its message and a badge', async () => {
    const feed = fixedFeed();
    api.fleet.setSource({ feed, connection: feed.connection, client: () => undefined, station: 'host-test-mine' });
    try {
      const nodes = await waitFor('the fleet nodes', () => (api.fleet.nodes().length > 0 ? api.fleet.nodes() : undefined));
      const items = nodes.map((n) => api.fleet.getTreeItem(n));
      const ids = items.map((i) => String(i.id));
      assert(new Set(ids).size === ids.length, `ids are unique: ${ids.join(', ')}`);
      for (const id of [
        'fleet-station:host-test-mine',
        'fleet-station:host-test-other',
        'station:host-test-other:hub:bones:far',
        'station:host-test-other:stale-lease:/far/.madsci/registry.json:old_arm',
        'fleet-lab',
        'fleet-conflicts',
        'fleet-conflict-id:twin_<b>arm</b>:host-test-other',
      ])
        assert(ids.includes(id), `${id} in ${ids.join(', ')}`);
      const context = (id: string) => items.find((i) => i.id === id)?.contextValue;
      assert(context('station:host-test-other:hub:bones:far') === 'otherStation.hub.orphan', 'the orphan offers Reap on Station');
      assert(context('fleet-conflict-id:twin_<b>arm</b>:host-test-other') === 'labConflictId.adoptable', 'adopt is offered');
      const hubTip = items.find((i) => i.id === 'station:host-test-other:hub:bones:far')?.tooltip as vscode.MarkdownString;
      assert(!/(^|[^\\])!\[/.test(hubTip.value), `the hub's name is text in its tooltip: ${hubTip.value}`);
      assert(api.views.fleet.message === 'Connected to http://127.0.0.1:1.', `message: ${api.views.fleet.message}`);
      assert(api.views.fleet.badge?.value === 2, `badge: one stale station and one conflict, not ${api.views.fleet.badge?.value}`);
      // No lab client in this window: the remote action refuses in one line, nothing is sent.
      const orphan = nodes[ids.indexOf('station:host-test-other:hub:bones:far')];
      const result = await vscode.commands.executeCommand('hubkeeper.fleet.reapHub', orphan, undefined, { yes: true });
      assert(result === undefined, `no result without a lab: ${JSON.stringify(result)}`);
      return { nodes: ids.length };
    } finally {
      // Back to the window's own lab connection (the next suites use it).
      api.fleet.setSource(api.windowLab);
    }
  });
  await t.test('the Fleet view without a lab: empty, and its message says it is not configured', async () => {
    assert(api.fleet.nodes().length === 0, `${api.fleet.nodes().length} nodes`);
    assert(/^Not configured/.test(api.views.fleet.message ?? ''), `message without a lab: ${api.views.fleet.message}`);
  });
}
