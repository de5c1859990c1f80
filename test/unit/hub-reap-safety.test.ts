import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { goTime } from '../../src/core/hubs/hub-entry';
import { defaultHubRoots } from '../../src/core/hubs/hub-paths';
import { listHubs } from '../../src/core/hubs/hub-status';
import { reapHub } from '../../src/core/hubs/reap';
import { confirmationLines, orphansToReap } from '../../src/core/hubs/reap-plan';
import { workspaceId } from '../../src/core/hubs/workspace-id';
import { isPidRunning, recordSelf } from '../../src/core/processes/process-identity';
import { getProcess, listProcesses } from '../../src/core/processes/process-table';
import { exited, FIXTURES, ROOT, runCli, sleep, spawnNode, tempDir, track, waitFor, waitForLine, homeEnv } from '../support/helpers';

/**
 * Reaping can never be aimed at a process by a crafted entry, never signals a hub that runs inside
 * an editor, and leaves alone what it cannot be sure of. Real processes, real files, the real CLI.
 */

const FAKE_HUB = path.join(ROOT, 'scripts', 'fake-hub.mjs');
const CRAFTED_ID = '0123456789abcdef';

function lab() {
  const home = tempDir();
  const env = homeEnv(home);
  const hubEnv = { env: {}, home };
  const roots = defaultHubRoots(hubEnv);
  const entriesDir = (kind: 0 | 1) => {
    const dir = path.join(roots[kind].dir, 'workspaces');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  };
  const writeEntry = (kind: 0 | 1, id: string, fields: Record<string, unknown>) => {
    const file = path.join(entriesDir(kind), `${id}.json`);
    fs.rmSync(file, { force: true }); // a new file each time: owner and mode as created here
    fs.writeFileSync(file, JSON.stringify(fields, null, 2), { mode: 0o600 });
    return file;
  };
  const cli = (...args: string[]) => runCli(args, { cwd: home, env });
  // The process scan is machine-wide: look only at this file's own children.
  const list = async () => (await listHubs({ roots, env: hubEnv, processes: listProcesses().filter((p) => p.ppid === process.pid) })).hubs;
  return { home, env, hubEnv, roots, entriesDir, writeEntry, cli, list };
}

function sleeper() {
  return track(spawn('sleep', ['10000'], { stdio: 'ignore' }));
}

async function fakeHub(args: string[]) {
  const child = spawnNode(FAKE_HUB, args);
  const [, port, pid] = (await waitForLine(child, /^ready /)).split(' ');
  return { child, pid: Number(pid), url: `http://127.0.0.1:${port}` };
}

test('the reported exploit: an entry naming a `sleep` with its command line and a start in 2099 never gets it killed', async () => {
  const { writeEntry, cli } = lab();
  const victim = sleeper();
  const entry = {
    cwd: '/nonexistent/x',
    name: 'x',
    hub_url: '',
    nats_url: '',
    hub_pid: victim.pid,
    started_at: '2099-01-01T00:00:00Z',
    hubkeeper_cmdline: ['sleep', '10000'],
  };
  writeEntry(0, CRAFTED_ID, entry);
  const listed = JSON.parse((await cli('hubs', 'list', '--all', '--json')).stdout).hubs.find((h: { id: string }) => h.id === CRAFTED_ID);
  assert.equal(listed.state, 'stopped', 'not a hub: a recorded command line with a wall-clock time proves nothing');
  assert.match(listed.reason, /in the future/);
  const reap = await cli('hubs', 'reap', CRAFTED_ID, '--yes');
  assert.match(reap.stdout, /pruned/, 'only the dead entry is removed');
  await sleep(300);
  assert.ok(isPidRunning(victim.pid as number), 'the sleep is alive');
  // --orphans is planned with --dry-run only: with --yes it would reap other suites' orphans (the scan is machine-wide).
  writeEntry(0, CRAFTED_ID, { ...entry, started_at: goTime(Date.now()) });
  const plan = await cli('hubs', 'reap', '--orphans', '--dry-run');
  assert.doesNotMatch(plan.stdout, new RegExp(`pid ${victim.pid}\\b`), '--orphans does not plan to touch it');
  assert.ok(isPidRunning(victim.pid as number), 'the sleep is alive');
  victim.kill('SIGKILL');
});

test('a recorded command line with the right wall-clock start is still not a hub; with a forged exact start it is only asked, never signalled', async () => {
  const { writeEntry, roots, list } = lab();
  const victim = sleeper();
  await waitFor(() => getProcess(victim.pid as number)?.argv[0] === 'sleep', 'sleep to exec');
  const self = recordSelf(victim.pid as number);
  const base = {
    cwd: '/nonexistent/y',
    name: 'y',
    hub_url: '',
    nats_url: '',
    hub_pid: victim.pid,
    started_at: goTime(Date.now()),
    hubkeeper_cmdline: ['sleep', '10000'],
  };
  writeEntry(0, CRAFTED_ID, { ...base, hubkeeper_process_start: self.startMs });
  let hub = (await list()).find((h) => h.id === CRAFTED_ID);
  assert.equal(hub?.state, 'stopped');
  // Exact start + boot id copied from /proc: recognised as a hub inside another program, which is asked.
  writeEntry(0, CRAFTED_ID, { ...base, hubkeeper_process_ticks: self.startTicks, hubkeeper_boot_id: self.bootId });
  hub = (await list()).find((h) => h.id === CRAFTED_ID);
  assert.equal(hub?.kind, 'embedded');
  const signals: string[] = [];
  const result = await reapHub(hub!, {
    env: { env: {}, home: path.dirname(roots[0].dir) },
    askTimeoutMs: 600,
    kill: (_p, s) => signals.push(s),
  });
  assert.equal(result.outcome, 'refused');
  assert.match(result.detail, /did not stop it within 0\.6 s of being asked; not signalled/);
  assert.deepEqual(signals, []);
  assert.ok(isPidRunning(victim.pid as number));
  assert.equal(
    fs.readdirSync(path.join(roots[0].dir, 'workspaces')).filter((n) => n.includes('stop-request')).length,
    0,
    'the request is taken back',
  );
  victim.kill('SIGKILL');
});

test('an entry file anyone else could have written is shown, flagged, and never gets its hub stopped', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to create files owned by another user');
  const { writeEntry, entriesDir, list, hubEnv, home } = lab();
  const ws = path.join(home, 'gone-marker');
  fs.mkdirSync(path.join(ws, '.bones'), { recursive: true }); // no agent.id: an orphan by bones' rule
  const hub = await fakeHub(['--title', 'bones hub start', '--cwd', ws, '--serve']);
  const entry = { cwd: ws, name: 'w', hub_url: hub.url, nats_url: '', hub_pid: hub.pid, started_at: goTime(Date.now()) };
  const cases: [string, () => void, RegExp][] = [
    ['owned by another user', () => fs.chownSync(writeEntry(1, workspaceId(ws), entry), 65534, 65534), /is owned by uid 65534, not by you/],
    ['writable by others', () => fs.chmodSync(writeEntry(1, workspaceId(ws), entry), 0o666), /is writable by every user \(mode 0666\)/],
    [
      'in a directory writable by others',
      () => (writeEntry(1, workspaceId(ws), entry), fs.chmodSync(entriesDir(1), 0o777)),
      /the directory .* is writable by every user/,
    ],
    [
      'in a directory owned by another user',
      () => (fs.chmodSync(entriesDir(1), 0o700), fs.chownSync(entriesDir(1), 65534, 65534)),
      /the directory .* is owned by uid 65534/,
    ],
  ];
  for (const [what, plant, why] of cases) {
    plant();
    const info = (await list()).find((h) => h.pid === hub.pid && h.source === 'bones');
    assert.equal(info?.state, 'orphan', what);
    assert.match(info?.untrusted ?? '', why, what);
    const { reap } = orphansToReap([info!]);
    const signals: string[] = [];
    const result = await reapHub(reap[0], { env: hubEnv, graceMs: 100, kill: (_p, s) => signals.push(s) });
    assert.equal(result.outcome, 'refused', what);
    assert.match(result.detail, /never gets a process stopped/, what);
    assert.deepEqual(signals, [], what);
  }
  assert.ok(isPidRunning(hub.pid));
  hub.child.kill('SIGKILL');
});

test('the confirmation shows what the process table says now next to what the entry claims', async () => {
  const { writeEntry, list, home } = lab();
  const ws = path.join(home, 'deleted');
  const hub = await fakeHub(['--title', 'bones hub start', '--cwd', home]);
  writeEntry(1, workspaceId(ws), { cwd: ws, name: 'deleted', hub_url: '', nats_url: '', hub_pid: hub.pid, started_at: goTime(Date.now()) });
  const info = (await list()).find((h) => h.pid === hub.pid && h.source === 'bones');
  const lines = confirmationLines(info!, 2000).join('\n');
  assert.match(lines, new RegExp(`entry ${workspaceId(ws)}\\.json says: pid ${hub.pid}, started \\d{4}-`));
  assert.match(
    lines,
    new RegExp(
      `process table now: pid ${hub.pid}, user \\S+ \\(uid ${process.getuid?.()}\\), started \\d{4}-.*, command \`bones hub start\``,
    ),
  );
  assert.match(lines, /will: SIGTERM, then SIGKILL after 2 s/);
  hub.child.kill('SIGKILL');
  await exited(hub.child);
  assert.match(confirmationLines(info!, 2000).join('\n'), new RegExp(`process table now: no process ${hub.pid}`));
});

test('reaping a hub that runs inside an editor asks it to stop: the host lives on, its entry and lock are released', async () => {
  const { home, env, cli } = lab();
  const ws = path.join(home, 'editor-folder');
  fs.mkdirSync(ws);
  const host = track(
    spawn(process.execPath, [path.join(FIXTURES, 'embedded-hub.js'), ws], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  await waitForLine(host, /^ready /);
  const listed = JSON.parse((await cli('hubs', 'list', '--json')).stdout).hubs.find((h: { pid: number }) => h.pid === host.pid);
  assert.equal(listed.kind, 'embedded');
  const stopped = waitForLine(host, /^stopped /);
  const reap = await cli('hubs', 'reap', workspaceId(ws), '--yes');
  assert.equal(reap.code, 0, reap.stderr);
  assert.match(reap.stdout, /reaped .*asked pid \d+ to stop its hub; the window hosting it released it \(no signal sent\)/);
  assert.match(await stopped, /^stopped hubkeeper hubs reap \(pid \d+\)/);
  assert.ok(isPidRunning(host.pid as number), 'the editor stand-in was not signalled');
  assert.equal(fs.existsSync(path.join(home, '.hubkeeper', 'workspaces', `${workspaceId(ws)}.json`)), false, 'entry released');
  assert.equal(fs.existsSync(path.join(ws, '.hubkeeper', 'hub.lock')), false, 'lock released');
  host.kill('SIGKILL');
});

test('--orphans leaves scanned hubs whose folder still exists alone; naming one by pid reaps it', async () => {
  const { home, list, hubEnv } = lab();
  const elsewhere = path.join(home, 'other-home-project');
  const deleted = path.join(home, 'deleted-project');
  fs.mkdirSync(elsewhere);
  fs.mkdirSync(deleted);
  const kept = await fakeHub(['--title', 'hubkeeper hub start', '--cwd', elsewhere]);
  const doomed = await fakeHub(['--title', 'hubkeeper hub start', '--cwd', deleted]);
  fs.rmSync(deleted, { recursive: true });
  const hubs = await list();
  const { reap, leftAlone } = orphansToReap(hubs);
  assert.deepEqual(
    reap.map((h) => h.pid),
    [doomed.pid],
  );
  assert.deepEqual(
    leftAlone.map((h) => [h.pid, h.reason]),
    [[kept.pid, 'cwd missing from registry']],
  );
  assert.equal((await reapHub(reap[0], { env: hubEnv, graceMs: 500 })).outcome, 'reaped');
  assert.ok(isPidRunning(kept.pid));
  const named = hubs.find((h) => h.pid === kept.pid)!;
  assert.equal((await reapHub(named, { env: hubEnv, graceMs: 500 })).outcome, 'reaped', 'named explicitly, it is reaped');
  await waitFor(() => !isPidRunning(kept.pid), 'the named hub to exit');
});
