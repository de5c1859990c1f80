import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HubInfo } from '../../src/core/hubs/hub-status';
import { LeaseHolder } from '../../src/core/lease-holder/lease-holder';
import { ComponentsState, readComponentsState } from '../../src/core/overview/components-state';
import { HubsState } from '../../src/core/overview/hubs-state';
import { ComponentRegistry } from '../../src/core/registry/component-registry';
import { hubsBadge, staleLocksBadge } from '../../src/extension/views/badge';
import {
  componentsByType,
  componentsMessage,
  filterDescription,
  isFiltering,
  parseFilter,
  registryState,
} from '../../src/extension/views/components-tree';
import { english } from '../../src/extension/translate';
import { tempDir } from '../support/helpers';
import { MADSCI_EXAMPLE } from '../support/samples';

/**
 * What the Components view, the Stale Locks count and the badge show, from the machine state of
 * core/overview, computed without an editor (the view classes only turn it into TreeItems).
 */

/** The formats.md example (an expired lease, a free workcell), an unreadable entry, and a lease another holder holds. */
async function labState(t: { after(fn: () => unknown): void }): Promise<ComponentsState> {
  const file = path.join(tempDir(), 'registry.json');
  const doc = JSON.parse(MADSCI_EXAMPLE);
  doc.entries.broken_arm = { id: 'not-a-ulid', component_type: 'node' };
  fs.writeFileSync(file, JSON.stringify(doc, null, 2));
  const other = new LeaseHolder({ heartbeatMs: 3_600_000 });
  t.after(() => other.releaseAll());
  await new ComponentRegistry(file, { holder: other }).resolve('robot_arm', 'node');
  await new ComponentRegistry(file, { holder: other }).resolve('plate_sealer', 'module', { acquireLock: false });
  return readComponentsState(new ComponentRegistry(file));
}

test('registry state: missing, empty, ok, and corrupt with the reason', async () => {
  const dir = tempDir();
  const read = (name: string, text?: string) => {
    if (text !== undefined) fs.writeFileSync(path.join(dir, name), text);
    return readComponentsState(new ComponentRegistry(path.join(dir, name)));
  };
  assert.equal(registryState(await read('absent.json')), 'missing');
  assert.equal(
    registryState(
      await read('empty.json', '{"version": 1, "created_at": "2026-03-05T14:00:00Z", "updated_at": "2026-03-05T14:00:00Z", "entries": {}}'),
    ),
    'empty',
  );
  assert.equal(registryState(await read('ok.json', MADSCI_EXAMPLE)), 'ok');
  const corrupt = await read('corrupt.json', '{"version": 1, "entries": [');
  assert.equal(registryState(corrupt), 'corrupt');
  assert.match(corrupt.error ?? '', /corrupt\.json/);
});

test('the Components view: entries by type in the core order, each with its lock status, unreadable ones kept apart', async (t) => {
  const state = await labState(t);
  const { groups, invalid } = componentsByType(state, {});
  assert.deepEqual(
    groups.map((g) => [g.type, g.components.map((c) => `${c.entry.name}: ${c.status.state}`)]),
    [
      ['node', ['liquidhandler_1: expired', 'robot_arm: held']],
      ['module', ['plate_sealer: free']],
      ['workcell', ['7: free']],
    ],
  );
  assert.deepEqual(
    invalid.map((r) => r.name),
    ['broken_arm'],
  );
});

test('Filter Components…: text matches names in any case, "type:" narrows to one type, the description says so', async (t) => {
  const state = await labState(t);
  const names = (input: string) => {
    const { groups, invalid } = componentsByType(state, parseFilter(input));
    return [...groups.flatMap((g) => g.components.map((c) => c.entry.name)), ...invalid.map((r) => r.name)];
  };
  assert.deepEqual(names('ARM'), ['robot_arm', 'broken_arm']);
  assert.deepEqual(names('node:arm'), ['robot_arm', 'broken_arm']);
  // An unreadable entry has no type to filter by: only its name counts.
  assert.deepEqual(names('module:'), ['plate_sealer', 'broken_arm']);
  assert.deepEqual(names('module:sealer'), ['plate_sealer']);
  assert.deepEqual(names('  '), ['liquidhandler_1', 'robot_arm', 'plate_sealer', '7', 'broken_arm']);
  assert.deepEqual(parseFilter(' node:robot '), { types: ['node'], text: 'robot' });
  assert.equal(filterDescription(parseFilter('node:robot'), english), 'filter: node "robot"');
  assert.equal(filterDescription(parseFilter('robot'), english), 'filter:  "robot"');
  assert.equal(filterDescription({}, english), undefined);
  assert.equal(isFiltering(parseFilter('')), false);
});

test('the badges: the Hubs view counts orphan hubs, the Stale Locks view stale leases and stale hub locks; with none there is no badge', async (t) => {
  const components = await labState(t);
  const hub = (state: HubInfo['state']) => ({ state }) as HubInfo;
  const hubs: HubsState = {
    hubs: [hub('orphan'), hub('running'), hub('orphan'), hub('stopped')],
    staleHubLocks: [{ workspace: '/w', state: { kind: 'bones', path: '/w/.bones/hub.lock', state: 'stale', evidence: 'pid 9 is gone' } }],
    unreadable: [],
  };
  assert.deepEqual(hubsBadge({ components, hubs }, english), { value: 2, tooltip: '2 orphan hubs' });
  assert.deepEqual(staleLocksBadge({ components, hubs }, english), { value: 2, tooltip: '2 stale locks' });
  const calm: HubsState = { hubs: [hub('running')], staleHubLocks: [], unreadable: [] };
  const free = { ...components, entries: components.entries.filter((c) => c.status.state !== 'expired') };
  assert.equal(hubsBadge({ components: free, hubs: calm }, english), undefined);
  assert.equal(staleLocksBadge({ components: free, hubs: calm }, english), undefined);
  // A stale lease alone badges Stale Locks, not Hubs (the Hubs badge used to count it).
  assert.equal(hubsBadge({ components, hubs: calm }, english), undefined);
  assert.deepEqual(staleLocksBadge({ components, hubs: calm }, english), { value: 1, tooltip: '1 stale lock' });
  assert.deepEqual(hubsBadge({ components: free, hubs: { ...calm, hubs: [hub('orphan')] } }, english), {
    value: 1,
    tooltip: '1 orphan hub',
  });
});

test("a corrupt registry is the Components view's message (file, line, what to do), and no item fills the tree", async () => {
  const file = path.join(tempDir(), 'registry.json');
  fs.writeFileSync(file, '{"version": 1,\n  "entries": {\n    "arm": {"id": ');
  const state = await readComponentsState(new ComponentRegistry(file));
  assert.equal(registryState(state), 'corrupt');
  const message = componentsMessage(state, {}, english) ?? '';
  assert.ok(message.startsWith(`${file}: not valid JSON: line 3,`), message);
  assert.match(
    message,
    /Open it \("Hubkeeper: Open Registry File", .*\) and fix it, or restore a copy; Hubkeeper writes nothing to it until it can be read\.$/,
  );
  assert.deepEqual(componentsByType(state, {}), { groups: [], invalid: [] });
  // With the other notes: untrusted first, an ignored registryPath last; none: no message.
  assert.equal(
    componentsMessage(state, { untrusted: 'Read-only.', registryPathProblem: 'ignored.' }, english),
    `Read-only. ${message} ignored.`,
  );
  assert.equal(
    componentsMessage(await readComponentsState(new ComponentRegistry(path.join(tempDir(), 'registry.json'))), {}, english),
    undefined,
  );
});
