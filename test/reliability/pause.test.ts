import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HubLock, readHubLockHolder } from '../../src/core/hubs/hub-lock';
import { FIXTURES, spawnNode, tempDir, waitForLine } from '../support/helpers';
import { figure } from './profile';

/**
 * A hub lock holder paused (SIGSTOP, as a laptop lid or a debugger does) past the lock's stale
 * time while another process takes over, then resumed: it must report the lock lost and leave
 * the new holder's lock and files alone. (The same for component leases: test/unit/leases.test.ts.)
 */

test('a hub lock holder paused past the stale time reports the lock lost on SIGCONT and touches nothing of the new holder', async () => {
  const stateDir = path.join(tempDir(), '.hubkeeper');
  const child = spawnNode(path.join(FIXTURES, 'hub-lock-holder.js'), [stateDir]);
  await waitForLine(child, /^held /);
  child.kill('SIGSTOP');
  try {
    const t0 = Date.now();
    const taker = await HubLock.acquire(stateDir, { staleMs: 2000, waitMs: 20_000 });
    const takeoverMs = Date.now() - t0;
    const files = () => ['hub.lock.json', 'hub.lock.pid'].map((f) => fs.readFileSync(path.join(stateDir, f), 'utf8')).join('|');
    const mine = files();
    const lost = waitForLine(child, /^lost /, 20_000);
    child.kill('SIGCONT');
    const line = await lost;
    await new Promise((r) => setTimeout(r, 2500)); // time in which a confused old holder could write
    const intact = files() === mine && (await readHubLockHolder(stateDir))?.holderId === taker.holder.holderId && taker.isHeld;
    figure('pause-hub-lock', { stale_ms: 2000, takeover_ms: takeoverMs, old_holder_reported_lost: 1, new_holder_intact: intact ? 1 : 0 });
    assert.match(line, /^lost lost the workspace hub lock/);
    assert.ok(intact, 'the new holder keeps its lock and files');
    await taker.release();
  } finally {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  }
});
