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

test('waiting in an ancestor (often $HOME), unrelated writes there fire nothing; creating the path chain fires', async () => {
  const home = tempDir();
  const target = path.join(home, '.bones', 'workspaces');
  let calls = 0;
  const w = new PathWatcher([target], () => calls++, { debounceMs: 50 });
  // A second watcher on the ancestor itself: when it has reported the unrelated writes, their
  // events have been delivered to this process, so the first watcher has seen them too.
  let barrier = 0;
  const sameDir = new PathWatcher([home], () => barrier++, { debounceMs: 50 });
  try {
    for (let i = 0; i < 10; i++) {
      fs.appendFileSync(path.join(home, '.bash_history'), `ls ${i}\n`);
      fs.writeFileSync(path.join(home, '.viminfo'), `state ${i}`);
      fs.mkdirSync(path.join(home, `.cache-${i}`));
    }
    fs.writeFileSync(path.join(home, '.bonesish'), 'a name that only starts like the next component');
    await waitFor(() => barrier > 0, 'the ancestor watcher to report the writes');
    await new Promise((r) => setTimeout(r, 200)); // past the first watcher's debounce, had it fired
    assert.equal(calls, 0, 'writes to unrelated files in the ancestor must not trigger a refresh');
    fs.mkdirSync(path.join(home, '.bones'));
    await waitFor(() => calls > 0, 'the next path component to report');
    fs.mkdirSync(target);
    const afterTarget = await waitFor(() => (calls > 1 ? calls : 0), 'the target directory to appear');
    fs.writeFileSync(path.join(target, 'abc.json'), '{}');
    await waitFor(() => calls > afterTarget, 'a change inside the target');
  } finally {
    w.dispose();
    sameDir.dispose();
  }
});
