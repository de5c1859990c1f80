import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { acquireFlock } from '../../src/core/mutex/flock';
import { listProcesses } from '../../src/core/processes/process-table';
import { tempDir, waitFor, which } from '../support/helpers';

/** The flock helper against util-linux flock(1) as the other party. */

const canTry = (file: string) => spawnSync('flock', ['--nonblock', '--exclusive', file, 'true']).status === 0;

test(
  'callers in one process take turns: the second waits until the first releases',
  { skip: !which('flock') && 'flock(1) is not installed' },
  async () => {
    const file = path.join(tempDir(), 'r.lock');
    const first = await acquireFlock(file, 1000);
    let secondHeld = false;
    const second = acquireFlock(file, 5000).then((h) => {
      secondHeld = true;
      return h;
    });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(secondHeld, false);
    assert.equal(canTry(file), false, 'another process cannot take it');
    await first.release();
    const h = await second;
    assert.ok(h.held);
    await h.release();
    assert.equal(canTry(file), true, 'free again');
  },
);

test(
  'if the helper dies while holding, the handle says so (the kernel released the lock)',
  { skip: !which('flock') && 'flock(1) is not installed' },
  async () => {
    const file = path.join(tempDir(), 'r.lock');
    const h = await acquireFlock(file, 1000);
    assert.ok(h.held);
    const helper = listProcesses().find((p) => p.ppid === process.pid && p.argv[0] === 'perl' && p.argv.includes(file));
    assert.ok(helper, 'the perl helper runs');
    process.kill(helper.pid, 'SIGKILL');
    await waitFor(() => !h.held, 'the handle to notice');
    assert.equal(canTry(file), true);
    await h.release();
    const again = await acquireFlock(file, 1000); // a new helper starts
    assert.ok(again.held);
    assert.equal(canTry(file), false);
    await again.release();
  },
);
