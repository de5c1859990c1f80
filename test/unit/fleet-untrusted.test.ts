import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { boundedJson, conflictsFrom, labEntriesFrom, publishedStateFrom } from '../../src/core/fleet/fleet-untrusted';
import { stateFromJson } from '../../src/core/overview/state-from-json';

/**
 * What one station (or whoever answers as the lab) sends, checked before a window keeps it: pure
 * functions, so plain unit tests. Duplicates matter because the Fleet view's item ids are made of
 * the keys: two items with one id and VS Code throws "Element with id … is already registered".
 */

test('a station publishing two hubs with one key, or two stale hub locks with one path, gives one item each', () => {
  const hub = (name: string) => ({ key: 'hubkeeper:ws1', name, state: 'running' });
  const lock = (workspace: string) => ({ workspace, path: '/w/.hubkeeper/hub.lock', kind: 'hubkeeper' });
  const st = stateFromJson({
    registry: { path: '/r' },
    hubs: [hub('first'), hub('second'), { key: 'hubkeeper:ws2', name: 'other', state: 'idle' }],
    stale_hub_locks: [lock('/w'), lock('/w2')],
  });
  assert.deepEqual(
    st.hubs.map((h) => [h.info.key, h.info.name]),
    [
      ['hubkeeper:ws1', 'first'],
      ['hubkeeper:ws2', 'other'],
    ],
  );
  assert.deepEqual(
    st.staleHubLocks.map((l) => [l.state.path, l.workspace]),
    [['/w/.hubkeeper/hub.lock', '/w']],
  );
});

test('lab entries and conflicts: one per name, and one id per station in a conflict (the first kept)', () => {
  const entry = (id: string) => ({ name: 'alpha', id });
  const entries = labEntriesFrom({ entries: [entry('01A'), entry('01B'), { name: 'beta', id: '01C' }] });
  assert.deepEqual(
    entries?.map((e) => [e.name, e.id]),
    [
      ['alpha', '01A'],
      ['beta', '01C'],
    ],
  );
  const conflicts = conflictsFrom({
    conflicts: [
      {
        name: 'alpha',
        ids: [
          { station: 'st-a', id: '01A' },
          { station: 'st-a', id: '01X' },
          { station: 'st-b', id: '01B' },
        ],
      },
      { name: 'alpha', ids: [{ station: 'st-c', id: '01C' }] },
    ],
  });
  assert.deepEqual(conflicts, [
    {
      name: 'alpha',
      lab_id: null,
      ids: [
        { station: 'st-a', id: '01A' },
        { station: 'st-b', id: '01B' },
      ],
    },
  ]);
});

test('a key that becomes __proto__ only once cleaned ("__pro\\u0000to__") sets no prototype: dropped, and results have none', () => {
  const hostile = JSON.parse('{"__pro\\u0000to__": {"polluted": true}, "kept": {"__proto__": {"polluted": true}, "x": 1}}');
  const out = boundedJson(hostile) as Record<string, unknown>;
  assert.equal(out.polluted, undefined);
  assert.equal(Object.getPrototypeOf(out), null);
  assert.deepEqual(Object.keys(out), ['kept']);
  const kept = out.kept as Record<string, unknown>;
  assert.equal(kept.polluted, undefined);
  assert.deepEqual(Object.keys(kept), ['x']);
  // The same through a station's published state: a hub item is bounded the same way.
  const state = publishedStateFrom({ hubs: [{ key: 'k', ...hostile }] });
  const hub = state?.hubs[0] as unknown as Record<string, unknown>;
  assert.equal(hub.polluted, undefined);
  assert.deepEqual(Object.keys(hub), ['key', 'kept']);
});
