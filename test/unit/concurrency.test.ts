import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ComponentRegistry } from '../../src/core/registry/component-registry';
import { LeaseHolder } from '../../src/core/lease-holder/lease-holder';
import { FIXTURES, ROOT, exited, spawnNode, tempDir, waitForLine, track } from '../support/helpers';
import { spawn } from 'node:child_process';

const WORKER = path.join(FIXTURES, 'registry-worker.js');

test('8 processes resolving concurrently: no lost entries, no duplicate ids', async () => {
  const dir = tempDir();
  const file = path.join(dir, '.madsci', 'registry.json');
  const perProcess = 15;
  const children = Array.from({ length: 8 }, (_, p) => spawnNode(WORKER, ['resolve-many', file, `p${p}`, String(perProcess)]));
  const outputs = await Promise.all(children.map((c) => waitForLine(c, /^\{/, 120_000)));
  await Promise.all(children.map(exited));
  const reported = Object.assign({}, ...outputs.map((o) => JSON.parse(o))) as Record<string, string>;
  const reg = new ComponentRegistry(file, { holder: new LeaseHolder() });
  const entries = await reg.list({ includeStale: true });
  assert.equal(entries.length, 8 * perProcess, 'every resolved name is in the file');
  assert.equal(new Set(entries.map((e) => e.id)).size, entries.length, 'ids are unique');
  for (const e of entries) assert.equal(reported[e.name], e.id, `${e.name} has the id its process was given`);
  assert.deepEqual(fs.readdirSync(path.dirname(file)).sort(), ['registry.json', 'registry.json.lock']);
});

function pythonFilelock(): string | undefined {
  const r = spawnSync('python3', ['-c', 'import filelock'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : 'python3 with the filelock package is not available (pip install filelock)';
}

test(
  'a real Python filelock writer (MADSci-style, writing in place) and Hubkeeper writers lose nothing',
  { skip: pythonFilelock() },
  async () => {
    const dir = tempDir();
    const file = path.join(dir, 'registry.json');
    const py = track(
      spawn('python3', [path.join(ROOT, 'test', 'fixtures', 'madsci_writer.py'), file, 'py', '40'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    );
    const node = [0, 1].map((p) => spawnNode(WORKER, ['resolve-many', file, `hk${p}`, '40']));
    await Promise.all([waitForLine(py, 'done', 120_000), ...node.map((c) => waitForLine(c, /^\{/, 120_000))]);
    await Promise.all([py, ...node].map(exited));
    const reg = new ComponentRegistry(file, { holder: new LeaseHolder() });
    const names = (await reg.list({ includeStale: true })).map((e) => e.name);
    assert.equal(names.length, 120, 'all 40 Python and 80 Hubkeeper entries are present');
    for (const prefix of ['py', 'hk0', 'hk1']) assert.equal(names.filter((n) => n.startsWith(`${prefix}-`)).length, 40, prefix);
  },
);
