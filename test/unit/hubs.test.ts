import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { listHubs, HubInfo } from '../../src/core/hubs/hub-status';
import { reapHub } from '../../src/core/hubs/reap';
import { defaultHubRoots } from '../../src/core/hubs/hub-paths';
import { writeHubEntry } from '../../src/core/hubs/hub-registry';
import { goTime, serializeHubEntry } from '../../src/core/hubs/hub-entry';
import { workspaceId } from '../../src/core/hubs/workspace-id';
import { probeHubUrl, probeWithRetries, ReachabilityTracker, isLoopbackUrl } from '../../src/core/hubs/liveness';
import { isPidRunning } from '../../src/core/processes/process-identity';
import { listProcesses } from '../../src/core/processes/process-table';
import { exited, ROOT, spawnNode, tempDir, track, waitForLine } from '../support/helpers';

/** Hub listing, liveness and reaping against real processes, real HTTP and real files. */

const FAKE_HUB = path.join(ROOT, 'scripts', 'fake-hub.mjs');

function lab() {
  const home = tempDir();
  const env = { env: {}, home };
  const roots = defaultHubRoots(env);
  const workspace = (name: string, marker = true) => {
    const dir = path.join(home, 'src', name);
    fs.mkdirSync(path.join(dir, '.bones'), { recursive: true });
    if (marker) fs.writeFileSync(path.join(dir, '.bones', 'agent.id'), `agent-${name}\n`);
    return dir;
  };
  /** Writes a bones entry exactly as bones would. */
  const bonesEntry = (cwd: string, pid: number, url: string, startedMs = Date.now()) => {
    const dir = path.join(roots[1].dir, 'workspaces');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, `${workspaceId(cwd)}.json`),
      serializeHubEntry({ cwd, name: path.basename(cwd), hubUrl: url, natsUrl: '', hubPid: pid, startedAt: goTime(startedMs) }),
      { mode: 0o600 },
    );
  };
  // The process scan is machine-wide by design; look only at this test file's own children so
  // hub processes of other tests never show up here.
  const processes = () => listProcesses().filter((p) => p.ppid === process.pid);
  const list = async () => (await listHubs({ roots, env, processes: processes() })).hubs;
  const byCwd = async (cwd: string): Promise<HubInfo> => {
    const hub = (await list()).find((h) => h.cwd === cwd);
    assert.ok(hub, `a hub for ${cwd}`);
    return hub;
  };
  return { home, env, roots, workspace, bonesEntry, list, byCwd };
}

async function fakeHub(args: string[]) {
  const child = spawnNode(FAKE_HUB, args);
  const [, port, pid] = (await waitForLine(child, /^ready /)).split(' ');
  return { child, port: Number(port), pid: Number(pid), url: `http://127.0.0.1:${port}` };
}

test('a bones-written entry of a live, answering hub is listed as running with the bones id', async () => {
  const { workspace, bonesEntry, byCwd } = lab();
  const ws = workspace('robot-cell');
  const hub = await fakeHub(['--title', 'bones hub start', '--cwd', ws, '--serve']);
  bonesEntry(ws, hub.pid, hub.url);
  const info = await byCwd(ws);
  assert.equal(info.state, 'running');
  assert.equal(info.id, workspaceId(ws));
  assert.equal(info.source, 'bones');
  hub.child.kill('SIGKILL');
});

test('a live hub process that serves nothing on its port is unreachable, not running', async () => {
  const { workspace, bonesEntry, byCwd } = lab();
  const ws = workspace('silent');
  const hub = await fakeHub(['--title', 'bones hub start', '--cwd', ws]);
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  const port = (closed.address() as { port: number }).port;
  await new Promise((r) => closed.close(r));
  bonesEntry(ws, hub.pid, `http://127.0.0.1:${port}`);
  const info = await byCwd(ws);
  assert.equal(info.state, 'unreachable');
  assert.match(info.reason ?? '', /no answer from/);
  hub.child.kill('SIGKILL');
});

test('one slow probe does not flip a hub to unreachable', async () => {
  const hub = await fakeHub(['--serve', '--slow-first', '900']);
  const tracker = new ReachabilityTracker(3);
  assert.equal(tracker.record('h', await probeHubUrl(hub.url)), true, 'one miss keeps it reachable');
  assert.equal(tracker.record('h', await probeHubUrl(hub.url)), true);
  assert.equal(tracker.missesOf('h'), 0, 'an answer resets the count');
  for (let i = 0; i < 2; i++) tracker.record('dead', 'no-answer');
  assert.equal(tracker.record('dead', 'no-answer'), false, 'three misses in a row: unreachable');
  const slowAgain = await fakeHub(['--serve', '--slow-first', '900']);
  assert.equal(await probeWithRetries(slowAgain.url), 'answered', 'a one-shot check retries before calling it unreachable');
  hub.child.kill('SIGKILL');
  slowAgain.child.kill('SIGKILL');
});

test('only loopback URLs are probed', async () => {
  assert.equal(await probeHubUrl('http://10.1.2.3:80'), 'not-probed');
  assert.equal(await probeHubUrl('http://example.com/'), 'not-probed');
  assert.equal(await probeHubUrl('file:///etc/passwd'), 'not-probed');
  assert.ok(isLoopbackUrl('http://127.0.0.1:1') && isLoopbackUrl('http://localhost:1') && isLoopbackUrl('http://[::1]:1'));
  assert.ok(!isLoopbackUrl('http://127.0.0.1.example.com:1'));
});

test('a hub whose folder was deleted is an orphan with the reason, and is reaped (process gone, entry removed)', async () => {
  const { workspace, bonesEntry, byCwd, env, list } = lab();
  const ws = workspace('deleted');
  const hub = await fakeHub(['--title', 'bones hub start', '--cwd', ws, '--serve']);
  bonesEntry(ws, hub.pid, hub.url);
  fs.rmSync(ws, { recursive: true });
  const info = await byCwd(ws);
  assert.equal(info.state, 'orphan');
  assert.equal(info.reason, 'cwd no longer exists');
  const result = await reapHub(info, { env });
  assert.equal(result.outcome, 'reaped');
  assert.equal(result.detail, 'SIGTERM');
  await exited(hub.child);
  assert.equal(isPidRunning(hub.pid), false);
  assert.equal((await list()).length, 0, 'the entry is removed');
});

test('orphan reasons: marker missing, and cwd in Trash', async () => {
  const { workspace, bonesEntry, byCwd, home } = lab();
  const noMarker = workspace('unmarked', false);
  const a = await fakeHub(['--title', 'bones hub start', '--cwd', noMarker, '--serve']);
  bonesEntry(noMarker, a.pid, a.url);
  assert.equal((await byCwd(noMarker)).reason, 'workspace marker missing (.bones/agent.id)');
  const trashed = path.join(home, '.local', 'share', 'Trash', 'files', 'old');
  fs.mkdirSync(path.join(trashed, '.bones'), { recursive: true });
  fs.writeFileSync(path.join(trashed, '.bones', 'agent.id'), 'x');
  const b = await fakeHub(['--title', 'bones hub start', '--cwd', trashed, '--serve']);
  bonesEntry(trashed, b.pid, b.url);
  assert.equal((await byCwd(trashed)).reason, 'cwd is in Trash');
  a.child.kill('SIGKILL');
  b.child.kill('SIGKILL');
});

test('a hub that ignores SIGTERM is SIGKILLed after the grace period', async () => {
  const { workspace, bonesEntry, byCwd, env } = lab();
  const ws = workspace('stubborn');
  const hub = await fakeHub(['--title', 'bones hub start', '--cwd', ws, '--serve', '--ignore-term']);
  bonesEntry(ws, hub.pid, hub.url);
  fs.rmSync(path.join(ws, '.bones', 'agent.id'));
  const info = await byCwd(ws);
  assert.equal(info.state, 'orphan');
  const result = await reapHub(info, { env, graceMs: 300 });
  assert.equal(result.outcome, 'reaped');
  assert.equal(result.detail, 'SIGKILL after 0.3 s');
  const { signal } = await exited(hub.child);
  assert.equal(signal, 'SIGKILL');
});

test('an entry whose pid now belongs to an unrelated process is shown stale and that process is never signalled', async () => {
  const { workspace, bonesEntry, byCwd, env, list } = lab();
  const ws = workspace('recycled');
  const sleeper = track(spawn('sleep', ['300'], { stdio: 'ignore' }));
  const signalled: number[] = [];
  bonesEntry(ws, sleeper.pid as number, 'http://127.0.0.1:1', Date.now() + 60_000);
  const info = await byCwd(ws);
  assert.equal(info.state, 'stopped');
  assert.equal(info.dead, true);
  // started_at lies in the future: the entry's claim proves nothing, so the process is not the hub.
  assert.match(info.reason ?? '', new RegExp(`pid ${sleeper.pid} is dated .*, in the future \\(\`sleep 300\`\\), not the hub`));
  assert.equal(info.process, undefined);
  const result = await reapHub(info, { env, kill: (pid) => signalled.push(pid) });
  assert.equal(result.outcome, 'pruned', 'only the dead entry is removed');
  assert.deepEqual(signalled, []);
  assert.ok(isPidRunning(sleeper.pid as number));
  assert.equal((await list()).length, 0);
  sleeper.kill('SIGKILL');
});

test('a pid recycled between listing and reaping is refused, not signalled', async () => {
  const { workspace, bonesEntry, byCwd, env } = lab();
  const ws = workspace('raced');
  const hub = await fakeHub(['--title', 'bones hub start', '--cwd', ws, '--serve']);
  bonesEntry(ws, hub.pid, hub.url);
  fs.rmSync(path.join(ws, '.bones', 'agent.id'));
  const info = await byCwd(ws);
  assert.ok(info.process);
  // Pretend the table said the process started an hour later than it really did.
  const stale: HubInfo = {
    ...info,
    process: { ...info.process, startTimeMs: info.process.startTimeMs + 3600_000, startTicks: (info.process.startTicks ?? 0) + 360_000 },
  };
  const signalled: number[] = [];
  const result = await reapHub(stale, { env, kill: (pid) => signalled.push(pid) });
  assert.equal(result.outcome, 'refused');
  assert.match(result.detail, /is now another process/);
  assert.equal(signalled.length, 0);
  const other: HubInfo = { ...info, process: { ...info.process, argv: ['vim'] } };
  assert.equal((await reapHub(other, { env, kill: (pid) => signalled.push(pid) })).outcome, 'refused');
  assert.equal(signalled.length, 0);
  hub.child.kill('SIGKILL');
});

test('live hub processes without an entry are found by the process scan', async () => {
  const { workspace, list } = lab();
  const ws = workspace('unregistered');
  const hub = await fakeHub(['--title', 'hubkeeper hub start', '--cwd', ws]);
  const found = (await list()).find((h) => h.pid === hub.pid);
  assert.ok(found);
  assert.equal(found.source, 'process-scan');
  assert.equal(found.state, 'orphan');
  assert.equal(found.reason, 'cwd missing from registry');
  fs.rmSync(ws, { recursive: true });
  assert.equal((await list()).find((h) => h.pid === hub.pid)?.reason, 'cwd no longer exists');
  hub.child.kill('SIGKILL');
});

test('idle workspaces and dead entries are listed, not deleted', async () => {
  const { workspace, roots, list } = lab();
  const ws = workspace('idle');
  await writeHubEntry(roots[0], { cwd: ws, name: 'idle', hubUrl: '', natsUrl: '', hubPid: 0, startedAt: goTime(Date.now()) });
  await writeHubEntry(roots[0], {
    cwd: '/nonexistent/ws',
    name: 'gone',
    hubUrl: '',
    natsUrl: '',
    hubPid: 2 ** 22 + 3,
    startedAt: goTime(Date.now()),
  });
  const hubs = await list();
  assert.deepEqual(hubs.map((h) => [h.name, h.state, h.dead]).sort(), [
    ['gone', 'stopped', true],
    ['idle', 'idle', false],
  ]);
  assert.equal(fs.readdirSync(path.join(roots[0].dir, 'workspaces')).length, 2);
});
