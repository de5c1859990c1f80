import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startHubServer } from '../../src/core/hub-server/hub-server';
import { goTime, serializeHubEntry } from '../../src/core/hubs/hub-entry';
import { HubLock, hubLockPaths, removeDeadHubLock } from '../../src/core/hubs/hub-lock';
import { readHubLockStates } from '../../src/core/hubs/hub-lock-state';
import { defaultHubRoots } from '../../src/core/hubs/hub-paths';
import { listHubs } from '../../src/core/hubs/hub-status';
import { reapHub } from '../../src/core/hubs/reap';
import { workspaceId } from '../../src/core/hubs/workspace-id';
import { listProcesses } from '../../src/core/processes/process-table';
import { exited, runCli, sleep, tempDir, track, homeEnv } from '../support/helpers';

/** The smaller holes around hub files: lock directories, FIFOs, prune races, the state folder, connection caps. */

async function deadPid(): Promise<number> {
  const child = spawn('true');
  await exited(child);
  return child.pid as number;
}

function writeDeadHolder(stateDir: string, pid: number): void {
  fs.mkdirSync(stateDir, { recursive: true });
  fs.writeFileSync(
    path.join(stateDir, 'hub.lock.json'),
    JSON.stringify({ pid, host: os.hostname(), holderId: 'x', acquiredAt: new Date().toISOString() }),
  );
}

test('removing a dead hub lock never deletes more than the empty lock directory', async () => {
  const dir = tempDir();
  const stateDir = path.join(dir, 'ws', '.hubkeeper');
  const { lock } = hubLockPaths(stateDir);
  // A lock directory with something in it (or something swapped in mid-delete): nothing inside goes.
  writeDeadHolder(stateDir, await deadPid());
  fs.mkdirSync(path.join(lock, 'inner'), { recursive: true });
  fs.writeFileSync(path.join(lock, 'inner', 'precious'), 'keep me');
  await assert.rejects(removeDeadHubLock(stateDir), /hub\.lock: is not empty; not removed/);
  assert.equal(fs.readFileSync(path.join(lock, 'inner', 'precious'), 'utf8'), 'keep me');
  // A lock directory swapped for a symlink to another directory: that directory is untouched.
  fs.rmSync(lock, { recursive: true });
  const elsewhere = path.join(dir, 'elsewhere');
  fs.mkdirSync(elsewhere);
  fs.writeFileSync(path.join(elsewhere, 'precious'), 'keep me');
  fs.symlinkSync(elsewhere, lock);
  writeDeadHolder(stateDir, await deadPid());
  await assert.rejects(removeDeadHubLock(stateDir), /is not a directory \(a symlink\?\); not removed/);
  assert.equal(fs.readFileSync(path.join(elsewhere, 'precious'), 'utf8'), 'keep me');
  // The normal case still works.
  fs.unlinkSync(lock);
  fs.mkdirSync(lock);
  writeDeadHolder(stateDir, await deadPid());
  assert.equal(await removeDeadHubLock(stateDir), true);
  assert.equal(fs.existsSync(lock), false);
});

test('FIFOs planted at every hub lock file Hubkeeper reads neither hang the reader nor `locks list`', async () => {
  const home = tempDir();
  const ws = path.join(home, 'fifo-ws');
  const own = path.join(ws, '.hubkeeper');
  const bones = path.join(ws, '.bones');
  fs.mkdirSync(path.join(own, 'hub.lock'), { recursive: true });
  fs.mkdirSync(bones, { recursive: true });
  const fifos = [path.join(own, 'hub.lock.json'), path.join(own, 'hub.lock.pid'), path.join(bones, 'hub.lock.pid')];
  for (const f of fifos) execFileSync('mkfifo', [f]);
  const entries = path.join(home, '.bones', 'workspaces');
  fs.mkdirSync(entries, { recursive: true });
  fs.writeFileSync(
    path.join(entries, `${workspaceId(ws)}.json`),
    serializeHubEntry({ cwd: ws, name: 'fifo-ws', hubUrl: '', natsUrl: '', hubPid: 0, startedAt: goTime(Date.now()) }),
  );
  const unblock = () => {
    // Were a reader stuck in open(), a writer would release it; never needed once reads are non-blocking.
    for (const f of fifos) {
      try {
        fs.closeSync(fs.openSync(f, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
      } catch {
        /* no reader: nothing blocked */
      }
    }
  };
  try {
    const states = await Promise.race([readHubLockStates(ws, { env: {}, home }), sleep(5000).then(() => 'hung' as const)]);
    assert.notEqual(states, 'hung', 'readHubLockStates blocked on a FIFO');
    const cli = await Promise.race([
      runCli(['locks', 'list', '--json'], {
        cwd: home,
        env: homeEnv(home, path.join(home, 'r.json')),
      }),
      sleep(15_000).then(() => 'hung' as const),
    ]);
    assert.notEqual(cli, 'hung', '`hubkeeper locks list` blocked on a FIFO');
    if (cli !== 'hung') assert.equal(cli.code, 0, cli.stderr);
  } finally {
    unblock();
  }
});

test('prune re-reads an entry before deleting it: a hub that started meanwhile keeps its entry', async () => {
  const home = tempDir();
  const env = { env: {}, home };
  const roots = defaultHubRoots(env);
  const ws = path.join(home, 'restarted');
  fs.mkdirSync(path.join(ws, '.bones'), { recursive: true });
  fs.writeFileSync(path.join(ws, '.bones', 'agent.id'), 'a\n');
  const file = path.join(roots[1].dir, 'workspaces', `${workspaceId(ws)}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    serializeHubEntry({
      cwd: ws,
      name: 'restarted',
      hubUrl: '',
      natsUrl: '',
      hubPid: await deadPid(),
      startedAt: goTime(Date.now() - 60_000),
    }),
  );
  const listing = await listHubs({ roots, env, processes: listProcesses().filter((p) => p.ppid === process.pid) });
  const dead = listing.hubs.find((h) => h.cwd === ws);
  assert.equal(dead?.dead, true);
  // Meanwhile the workspace's hub starts again and writes its entry (atomically, as bones does).
  const live = track(spawn('sleep', ['300'], { stdio: 'ignore' }));
  const fresh = serializeHubEntry({
    cwd: ws,
    name: 'restarted',
    hubUrl: '',
    natsUrl: '',
    hubPid: live.pid as number,
    startedAt: goTime(Date.now()),
  });
  fs.writeFileSync(`${file}.tmp.x`, fresh);
  fs.renameSync(`${file}.tmp.x`, file);
  const result = await reapHub(dead!, { env });
  assert.equal(result.outcome, 'refused');
  assert.match(result.detail, /changed since it was listed \(a hub started meanwhile\?\); kept/);
  assert.equal(fs.readFileSync(file, 'utf8'), fresh, "the new hub's entry is intact");
  assert.deepEqual(fs.readdirSync(path.dirname(file)), [path.basename(file)], 'no temp file left');
  live.kill('SIGKILL');
});

test("a workspace's .hubkeeper/ is private (0700) and ignored by git, so its token is never committed", async () => {
  const ws = tempDir();
  const stateDir = path.join(ws, '.hubkeeper');
  const lock = await HubLock.acquire(stateDir);
  assert.equal(fs.statSync(stateDir).mode & 0o777, 0o700);
  assert.equal(
    fs
      .readFileSync(path.join(stateDir, '.gitignore'), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .join(),
    '*',
  );
  await lock.release();
  // An existing folder from an older version is narrowed; a .gitignore someone wrote is kept.
  const older = path.join(tempDir(), '.hubkeeper');
  fs.mkdirSync(older, { mode: 0o755 });
  fs.chmodSync(older, 0o755);
  fs.writeFileSync(path.join(older, '.gitignore'), 'hub.token\n');
  const again = await HubLock.acquire(older);
  assert.equal(fs.statSync(older).mode & 0o777, 0o700);
  assert.equal(fs.readFileSync(path.join(older, '.gitignore'), 'utf8'), 'hub.token\n');
  await again.release();
  // git agrees.
  try {
    execFileSync('git', ['init', '-q', ws]);
    const lock2 = await HubLock.acquire(stateDir);
    fs.writeFileSync(path.join(stateDir, 'hub.token'), randomBytes(8).toString('hex'));
    assert.equal(execFileSync('git', ['-C', ws, 'status', '--porcelain', '--untracked-files=all'], { encoding: 'utf8' }), '');
    await lock2.release();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // no git here: the file checks above stand
  }
});

test('the hub endpoint caps open connections: a flood is cut off, and it answers again once the flood ends', async () => {
  const server = await startHubServer({ token: randomBytes(32).toString('hex'), status: () => ({}), maxConnections: 10 });
  const sockets: net.Socket[] = [];
  let closedByServer = 0;
  try {
    await Promise.all(
      Array.from(
        { length: 30 },
        () =>
          new Promise<void>((resolve) => {
            const socket = net.connect(server.port, '127.0.0.1');
            sockets.push(socket);
            socket.on('error', () => undefined);
            socket.on('close', () => closedByServer++);
            socket.once('connect', () => socket.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n`, () => resolve()));
          }),
      ),
    );
    const deadline = Date.now() + 5000;
    while (closedByServer < 20 && Date.now() < deadline) await sleep(20);
    assert.ok(closedByServer >= 20, `only ${closedByServer} of 30 connections were refused with a cap of 10`);
    for (const s of sockets) s.destroy();
    await sleep(100);
    const res = await fetch(`${server.url}/health`);
    assert.equal(res.status, 200);
  } finally {
    for (const s of sockets) s.destroy();
    await server.close();
  }
});
