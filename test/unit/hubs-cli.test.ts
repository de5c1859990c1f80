import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, exited, runCli, tempDir, track, waitFor, waitForLine, homeEnv } from '../support/helpers';
import { isPidRunning } from '../../src/core/processes/process-identity';

/** `hubkeeper hub start`, `hubs`, `locks`, `workspace id` through the real CLI, with HOME in a temp dir. */

function lab() {
  const home = tempDir();
  const env = homeEnv(home);
  const cli = (...args: string[]) => runCli(args, { cwd: home, env });
  const startHub = (workspace: string, ...extra: string[]) =>
    track(
      spawn(process.execPath, [CLI, 'hub', 'start', workspace, ...extra], {
        cwd: home,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
  const workspace = (name: string) => {
    const dir = path.join(home, name);
    fs.mkdirSync(dir);
    return dir;
  };
  // The process scan is machine-wide: another suite's or a demo's hubs may be running. Look only at
  // hubs in this test's own HOME (and never reap with --orphans --yes here: it would take theirs).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON
  const ours = (hubs: any[]): any[] => hubs.filter((h) => (h.cwd ?? '').startsWith(home + path.sep));
  return { home, cli, startHub, workspace, ours };
}

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

test('two hubs on one workspace: the second is refused, then takes over once the first is killed with -9', async () => {
  const { cli, startHub, workspace, ours } = lab();
  const ws = workspace('robot-cell');
  const first = startHub(ws);
  const url = (await waitForLine(first, /listening on/)).match(/http:\/\/127\.0\.0\.1:\d+/)?.[0] as string;
  assert.equal((await get(`${url}/health`)).status, 200);
  const token = fs.readFileSync(path.join(ws, '.hubkeeper', 'hub.token'), 'utf8').trim();
  const status = await get(`${url}/v1/status`, { authorization: `Bearer ${token}` });
  assert.equal(JSON.parse(status.body).workspace, ws);
  assert.equal((await get(`${url}/v1/status`)).status, 401);

  const second = await cli('hub', 'start', ws);
  assert.equal(second.code, 3);
  assert.match(
    second.stderr,
    new RegExp(`^hubkeeper: workspace hub lock ${ws}/\\.hubkeeper/hub\\.lock held by pid ${first.pid} since \\d{4}-`),
  );

  const waiting = startHub(ws, '--wait', '60');
  first.kill('SIGKILL');
  await exited(first);
  const takeover = await waitForLine(waiting, /listening on/);
  assert.match(takeover, new RegExp(`\\(pid ${waiting.pid}\\)`));
  const list = JSON.parse((await cli('hubs', 'list', '--json')).stdout);
  assert.deepEqual(
    ours(list.hubs).map((h: { pid: number; state: string }) => [h.pid, h.state]),
    [[waiting.pid, 'running']],
  );
  waiting.kill('SIGINT');
  assert.equal((await exited(waiting)).code, 0);
  assert.deepEqual(ours(JSON.parse((await cli('hubs', 'list', '--json')).stdout).hubs), [], 'Ctrl-C removes the entry');
  assert.ok(!fs.existsSync(path.join(ws, '.hubkeeper', 'hub.lock')), 'and frees the lock');
});

test('hubs reap --orphans: asks for --yes off a terminal, plans the orphan; reaping it leaves the live hub alone', async () => {
  const { cli, startHub, workspace, ours } = lab();
  const live = workspace('live');
  const doomed = workspace('doomed');
  const a = startHub(live);
  const b = startHub(doomed);
  await Promise.all([waitForLine(a, /listening on/), waitForLine(b, /listening on/)]);
  fs.rmSync(doomed, { recursive: true });
  const listed = JSON.parse((await cli('hubs', 'list', '--json')).stdout).hubs;
  assert.deepEqual(listed.find((h: { pid: number }) => h.pid === b.pid)?.reason, 'cwd no longer exists');
  const dry = await cli('hubs', 'reap', '--orphans', '--dry-run');
  assert.match(dry.stdout, /would-reap +doomed/);
  const unconfirmed = await cli('hubs', 'reap', '--orphans');
  assert.equal(unconfirmed.code, 2);
  assert.match(unconfirmed.stderr, /pass --yes/);
  assert.doesNotMatch(dry.stdout, /would-reap +live/);
  const reap = await cli('hubs', 'reap', String(b.pid), '--yes');
  assert.equal(reap.code, 0, reap.stderr);
  assert.match(reap.stdout, /^reaped +doomed \(pid \d+, .*doomed\): SIGTERM$/m);
  await exited(b);
  assert.equal(isPidRunning(b.pid as number), false);
  assert.ok(isPidRunning(a.pid as number), 'the live hub is untouched');
  const after = ours(JSON.parse((await cli('hubs', 'list', '--all', '--json')).stdout).hubs);
  assert.deepEqual(
    after.map((h: { name: string; state: string }) => [h.name, h.state]),
    [['live', 'running']],
  );
  a.kill('SIGINT');
  await exited(a);
});

test("locks list shows a crashed hub's lock as stale with evidence; locks release clears it; prune removes the dead entry", async () => {
  const { cli, startHub, workspace, ours } = lab();
  const ws = workspace('crashed');
  const hub = startHub(ws);
  await waitForLine(hub, /listening on/);
  const held = await cli('locks', 'release', ws);
  assert.equal(held.code, 3, 'a live hub lock is never pulled away');
  assert.match(held.stderr, /held by live pid \d+: stop that hub instead/);
  hub.kill('SIGKILL');
  await exited(hub);
  const locks = JSON.parse((await cli('locks', 'list', '--json')).stdout);
  assert.deepEqual(
    locks.hub_locks
      .filter((l: { workspace: string }) => l.workspace.startsWith(ws))
      .map((l: { workspace: string; state: string; evidence: string }) => [l.workspace, l.state, l.evidence]),
    [[ws, 'stale', `holder pid ${hub.pid} is not running`]],
  );
  const release = await cli('locks', 'release', ws);
  assert.equal(release.code, 0, release.stderr);
  assert.match(release.stdout, /Cleared the stale hubkeeper hub lock/);
  assert.deepEqual(
    JSON.parse((await cli('locks', 'list', '--json')).stdout).hub_locks.filter((l: { workspace: string }) => l.workspace.startsWith(ws)),
    [],
  );
  const pruned = await cli('hubs', 'prune');
  assert.match(pruned.stdout, /^pruned +crashed/m);
  assert.deepEqual(ours(JSON.parse((await cli('hubs', 'list', '--all', '--json')).stdout).hubs), []);
});

test("workspace id prints bones' id; status --json includes the hubs", async () => {
  const { cli, startHub, workspace, ours } = lab();
  assert.equal((await cli('workspace', 'id', '/Users/dan/projects/foo')).stdout, '726a213943fe1d41\n');
  assert.deepEqual(JSON.parse((await cli('workspace', 'id', '/Users/dan/projects/bar/', '--json')).stdout), {
    path: '/Users/dan/projects/bar',
    id: '45675b631d01125f',
  });
  const ws = workspace('ws');
  const hub = startHub(ws);
  await waitForLine(hub, /listening on/);
  const status = JSON.parse((await cli('status', '--json')).stdout);
  assert.deepEqual(
    ours(status.hubs).map((h: { cwd: string; lock: { state: string } }) => [h.cwd, h.lock.state]),
    [[ws, 'held']],
  );
  const human = await cli('status');
  assert.match(human.stdout, /^Hubs {2}\d+ running, \d+ orphans, \d+ idle, \d+ stopped$/m);
  assert.match(human.stdout, new RegExp(`^ +ws +${ws} +running`, 'm'));
  hub.kill('SIGTERM');
  assert.equal((await exited(hub)).code, 0);
  await waitFor(() => !fs.existsSync(path.join(ws, '.hubkeeper', 'hub.lock')), 'the lock to be freed on SIGTERM');
});
