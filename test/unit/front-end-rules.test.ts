import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HubInfo } from '../../src/core/hubs/hub-status';
import { LeaseHolder } from '../../src/core/lease-holder/lease-holder';
import { readComponentsState } from '../../src/core/overview/components-state';
import { groupHubs, HUB_GROUPS } from '../../src/core/overview/hubs-state';
import { ComponentRegistry } from '../../src/core/registry/component-registry';
import { RegistryError, RegistryLockError } from '../../src/core/registry/errors';
import { readImportFile } from '../../src/core/registry/import-file';
import { runCli, tempDir } from '../support/helpers';
import { MADSCI_EXAMPLE } from '../support/samples';

/**
 * Rules the CLI and the editor used to write each on their own, now one core function each:
 * "held by another holder", reading an import file, and the hub groups.
 */

test("heldByAnother names exactly the leases release refuses without force: another holder's live one, not ours, not stale, not free", async (t) => {
  const file = path.join(tempDir(), 'registry.json');
  fs.writeFileSync(file, MADSCI_EXAMPLE); // liquidhandler_1: expired; 7: free
  const other = new LeaseHolder({ heartbeatMs: 3_600_000 });
  const mine = new LeaseHolder({ heartbeatMs: 3_600_000 });
  t.after(() => Promise.all([other.releaseAll(), mine.releaseAll()]));
  await new ComponentRegistry(file, { holder: other }).resolve('robot_arm', 'node');
  const registry = new ComponentRegistry(file, { holder: mine });
  await registry.resolve('my_arm', 'node');
  const state = await readComponentsState(registry);
  const held = state.entries.filter((c) => registry.heldByAnother(c.entry, c.status)).map((c) => c.entry.name);
  assert.deepEqual(held, ['robot_arm']);
  for (const c of state.entries) {
    const refused = await registry.release(c.entry.name).then(
      () => false,
      (err) => (assert.ok(err instanceof RegistryLockError, String(err)), true),
    );
    assert.equal(refused, held.includes(c.entry.name), c.entry.name);
  }
});

test('readImportFile: the JSON, or one line naming the file (cannot read, not valid JSON), for the CLI and the editor alike', async () => {
  const dir = tempDir();
  const good = path.join(dir, 'export.json');
  fs.writeFileSync(good, MADSCI_EXAMPLE);
  const { data, source } = readImportFile(good);
  assert.equal(source, good);
  assert.ok(data && typeof data === 'object');
  const missing = path.join(dir, 'absent.json');
  assert.throws(
    () => readImportFile(missing),
    (e: unknown) =>
      e instanceof RegistryError && e.kind === 'io' && e.message.startsWith(`${missing}: cannot read: `) && !e.message.includes('\n'),
  );
  const bad = path.join(dir, 'bad.json');
  fs.writeFileSync(bad, '{"entries": ');
  assert.throws(
    () => readImportFile(bad),
    (e: unknown) => e instanceof RegistryError && e.code === 'invalid-argument' && e.message.startsWith(`${bad}: not valid JSON: line 1`),
  );
  // The CLI says the same line, with its exit status for a refusal.
  const r = await runCli(['components', 'import', bad, '--registry', path.join(dir, 'registry.json')]);
  assert.equal(r.stderr.trim(), `hubkeeper: ${bad}: not valid JSON: line 1, column 13: unexpected end of file (the file is truncated)`);
  assert.equal(r.code, 1);
});

test('groupHubs: every group in HUB_GROUPS order, each hub in the one group of its state', () => {
  const hubs = (['stopped', 'running', 'orphan', 'idle', 'unreachable'] as const).map((state, i) => ({ state, name: `h${i}` }) as HubInfo);
  const groups = groupHubs(hubs);
  assert.deepEqual(
    groups.map((g) => g.title),
    HUB_GROUPS.map((g) => g.title),
  );
  assert.deepEqual(
    groups.map((g) => g.hubs.map((h) => h.state)),
    [['running', 'unreachable'], ['orphan'], ['idle'], ['stopped']],
  );
});
