import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PathWatcher } from '../../src/core/fs/path-watcher';
import { tempDir, waitFor } from '../support/helpers';

test('changes in a watched directory are reported once per burst (debounced)', async () => {
  const dir = tempDir();
  let calls = 0;
  const w = new PathWatcher([dir], () => calls++, { debounceMs: 100 });
  try {
    for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(dir, `f${i}`), 'x');
    await waitFor(() => calls > 0, 'a change event');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(calls, 1);
  } finally {
    w.dispose();
  }
});

test('a directory that does not exist yet is picked up once it appears, then watched itself', async () => {
  const root = tempDir();
  const target = path.join(root, '.bones', 'workspaces');
  let calls = 0;
  const w = new PathWatcher([target], () => calls++, { debounceMs: 50 });
  try {
    fs.mkdirSync(path.join(root, '.bones'));
    await waitFor(() => calls > 0, 'the parent to report');
    fs.mkdirSync(target);
    const before = await waitFor(() => calls, 'the target to appear');
    await new Promise((r) => setTimeout(r, 200));
    fs.writeFileSync(path.join(target, 'abc.json'), '{}');
    await waitFor(() => calls > before, 'a change inside the new directory');
  } finally {
    w.dispose();
  }
});
