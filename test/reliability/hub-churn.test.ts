import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, exited, tempDir, track } from '../support/helpers';
import { figure, scaled } from './profile';

/**
 * Eight hub processes (the real `hubkeeper hub start`) starting and stopping on four workspaces
 * in random order, stopped politely (SIGTERM) or killed (SIGKILL). A hub surely holds its
 * workspace from the moment it says so until the moment it is signalled: two such intervals of
 * one workspace must never overlap.
 */

test('8 hubs starting and stopping on 4 workspaces for 60 s: never two holders of one hub lock', { timeout: 300_000 }, async () => {
  const seconds = scaled(60, 10);
  const home = tempDir();
  const workspaces = Array.from({ length: 4 }, (_, i) => path.join(home, `ws${i}`));
  for (const w of workspaces) fs.mkdirSync(w);
  const env = { ...process.env, HOME: home, HUBKEEPER_HOME: '', HUBKEEPER_DIR: '', BONES_DIR: '' };
  const held: { workspace: string; from: number; to: number; pid: number }[] = [];
  let starts = 0;
  let refusals = 0;
  let takeovers = 0;
  const end = Date.now() + seconds * 1000;

  const slot = async () => {
    while (Date.now() < end) {
      const workspace = workspaces[Math.floor(Math.random() * workspaces.length)];
      const wait = Math.random() < 0.5 ? ['--wait', '2'] : [];
      const child = track(spawn(process.execPath, [CLI, 'hub', 'start', workspace, ...wait], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
      starts++;
      const holding = await new Promise<number | undefined>((resolve) => {
        child.stdout?.on('data', (d) => String(d).includes('listening on') && resolve(Date.now()));
        child.once('exit', () => resolve(undefined));
      });
      if (holding === undefined) {
        refusals++;
        continue;
      }
      if (wait.length) takeovers++;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 600));
      const signalledAt = Date.now();
      child.kill(Math.random() < 0.5 ? 'SIGTERM' : 'SIGKILL');
      held.push({ workspace, from: holding, to: signalledAt, pid: child.pid as number });
      await exited(child);
    }
  };
  await Promise.all(Array.from({ length: 8 }, slot));

  let overlaps = 0;
  for (const a of held) for (const b of held) if (a !== b && a.workspace === b.workspace && a.from < b.to && b.from < a.to) overlaps++;
  figure('hub-churn', {
    seconds,
    hubs: 8,
    workspaces: 4,
    starts,
    held: held.length,
    refused: refusals,
    with_wait: takeovers,
    two_holders: overlaps / 2,
  });
  assert.equal(overlaps, 0, 'two hubs held one workspace at once');
  assert.ok(held.length > 4, 'hubs did hold the workspaces');
});
