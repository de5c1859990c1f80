import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { goTime } from '../../src/core/hubs/hub-entry';
import { defaultHubRoots } from '../../src/core/hubs/hub-paths';
import { listHubs } from '../../src/core/hubs/hub-status';
import { reapHub } from '../../src/core/hubs/reap';
import { orphansToReap, planReap } from '../../src/core/hubs/reap-plan';
import { readStopRequestFor, stopRequestFile } from '../../src/core/hubs/stop-request';
import { isPidRunning, recordSelf } from '../../src/core/processes/process-identity';
import { getProcess, listProcesses } from '../../src/core/processes/process-table';
import { sleep, tempDir, track, waitFor } from '../support/helpers';
import { figure } from './profile';

/**
 * Crafted hub entries (issue 10): files that try to aim a reap at a process that is not a hub —
 * the victim's own command line recorded, a start in the future, a forged start, pid 1, this
 * process, another user's process — and entry or stop-request files another user could have
 * written. For each: what the listing calls it, what `--orphans` plans, and what a reap does. The
 * figure counts the signals that reached a victim: it must be 0.
 */

const tally = { cases: 0, signals_to_victims: 0, victims_killed: 0, refused_or_not_hub: 0 };
after(() => figure('hostile-hub-entries', tally));

const ID = 'fedcba9876543210';
const ROOT_UID = process.getuid?.() === 0;

function victim(asUser?: number): ChildProcess {
  const args =
    asUser === undefined
      ? ['sleep', ['10000']]
      : ['setpriv', [`--reuid=${asUser}`, `--regid=${asUser}`, '--clear-groups', 'sleep', '10000']];
  return track(spawn(args[0] as string, args[1] as string[], { stdio: 'ignore' }));
}

interface Case {
  name: string;
  /** The entry's fields, given the victim's pid and its recorded identity. */
  entry: (pid: number, self: ReturnType<typeof recordSelf>) => Record<string, unknown>;
  /** Which pid the entry names: the victim (default), pid 1, or this process. */
  target?: 'victim' | 'init' | 'self';
  asUser?: number;
  /** Plant files after writing the entry (modes, owners). */
  plant?: (file: string, dir: string) => void;
  skip?: string | false;
}

const base = (pid: number) => ({
  cwd: '/nonexistent/crafted',
  name: 'crafted',
  hub_url: '',
  nats_url: '',
  hub_pid: pid,
  started_at: goTime(Date.now()),
});
const CMD = ['sleep', '10000'];

const cases: Case[] = [
  {
    name: "the victim's command line and a start in 2099",
    entry: (pid) => ({ ...base(pid), started_at: '2099-01-01T00:00:00Z', hubkeeper_cmdline: CMD }),
  },
  { name: "the victim's command line and a plausible wall-clock start", entry: (pid) => ({ ...base(pid), hubkeeper_cmdline: CMD }) },
  {
    name: "the victim's command line and its exact start time in ms",
    entry: (pid, self) => ({ ...base(pid), hubkeeper_process_start: self.startMs, hubkeeper_cmdline: CMD }),
  },
  {
    name: "the victim's command line and its ticks with another boot id",
    entry: (pid, self) => ({
      ...base(pid),
      hubkeeper_process_ticks: self.startTicks,
      hubkeeper_boot_id: '00000000-0000-0000-0000-000000000000',
      hubkeeper_cmdline: CMD,
    }),
  },
  {
    name: "the victim's command line and ticks one off",
    entry: (pid, self) => ({
      ...base(pid),
      hubkeeper_process_ticks: (self.startTicks ?? 0) + 1,
      hubkeeper_boot_id: self.bootId,
      hubkeeper_cmdline: CMD,
    }),
  },
  {
    name: "the victim's command line with its exact start forged from /proc (asked, never signalled)",
    entry: (pid, self) => ({
      ...base(pid),
      hubkeeper_process_ticks: self.startTicks,
      hubkeeper_boot_id: self.bootId,
      hubkeeper_cmdline: CMD,
    }),
  },
  { name: 'no command line at all (a plain process is no hub)', entry: (pid) => base(pid) },
  {
    name: 'pid 1 with its own command line and start',
    target: 'init',
    entry: (pid, self) => ({
      ...base(pid),
      hubkeeper_process_ticks: self.startTicks,
      hubkeeper_boot_id: self.bootId,
      hubkeeper_cmdline: getProcess(1)?.argv ?? [],
    }),
  },
  {
    name: 'this very process, exactly',
    target: 'self',
    entry: (pid, self) => ({
      ...base(pid),
      hubkeeper_process_ticks: self.startTicks,
      hubkeeper_boot_id: self.bootId,
      hubkeeper_cmdline: getProcess(pid)?.argv ?? [],
    }),
  },
  {
    name: "another user's process, exactly",
    asUser: 65534,
    skip: !ROOT_UID && 'needs root to run a process as another user',
    entry: (pid, self) => ({
      ...base(pid),
      hubkeeper_process_ticks: self.startTicks,
      hubkeeper_boot_id: self.bootId,
      hubkeeper_cmdline: CMD,
    }),
  },
  {
    name: 'an exact entry in a file owned by another user',
    skip: !ROOT_UID && 'needs root to chown',
    plant: (file) => fs.chownSync(file, 65534, 65534),
    entry: (pid, self) => ({
      ...base(pid),
      hubkeeper_process_ticks: self.startTicks,
      hubkeeper_boot_id: self.bootId,
      hubkeeper_cmdline: CMD,
    }),
  },
  {
    name: 'an exact entry in a group-writable file',
    plant: (file) => fs.chmodSync(file, 0o620),
    entry: (pid, self) => ({
      ...base(pid),
      hubkeeper_process_ticks: self.startTicks,
      hubkeeper_boot_id: self.bootId,
      hubkeeper_cmdline: CMD,
    }),
  },
  {
    name: 'an exact entry in a world-writable directory',
    plant: (_f, dir) => fs.chmodSync(dir, 0o777),
    entry: (pid, self) => ({
      ...base(pid),
      hubkeeper_process_ticks: self.startTicks,
      hubkeeper_boot_id: self.bootId,
      hubkeeper_cmdline: CMD,
    }),
  },
  {
    name: 'an exact entry in a directory owned by another user',
    skip: !ROOT_UID && 'needs root to chown',
    plant: (_f, dir) => fs.chownSync(dir, 65534, 65534),
    entry: (pid, self) => ({
      ...base(pid),
      hubkeeper_process_ticks: self.startTicks,
      hubkeeper_boot_id: self.bootId,
      hubkeeper_cmdline: CMD,
    }),
  },
];

for (const c of cases) {
  test(`crafted hub entry: ${c.name}`, { skip: c.skip }, async () => {
    tally.cases++;
    const home = tempDir();
    const hubEnv = { env: {}, home };
    const roots = defaultHubRoots(hubEnv);
    const dir = path.join(roots[0].dir, 'workspaces');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const child = c.target === undefined || c.target === 'victim' ? victim(c.asUser) : undefined;
    const pid = c.target === 'init' ? 1 : c.target === 'self' ? process.pid : (child?.pid as number);
    if (child) await waitFor(() => getProcess(pid)?.argv[0] === 'sleep', 'the victim to exec');
    const file = path.join(dir, `${ID}.json`);
    fs.writeFileSync(file, JSON.stringify(c.entry(pid, recordSelf(pid)), null, 2), { mode: 0o600 });
    c.plant?.(file, dir);

    const processes = listProcesses().filter((p) => p.pid === pid);
    const hub = (await listHubs({ roots, env: hubEnv, processes })).hubs.find((h) => h.id === ID);
    assert.ok(hub, 'the entry is listed');
    const signals: string[] = [];
    const result = await reapHub(hub, {
      env: hubEnv,
      graceMs: 100,
      askTimeoutMs: 300,
      kill: (p, s) => (p === pid ? signals.push(s) : undefined),
    });
    if (result.outcome === 'refused' || result.outcome === 'pruned') tally.refused_or_not_hub++;
    assert.notEqual(result.outcome, 'reaped', `${result.outcome}: ${result.detail}`);
    assert.notEqual(planReap(hub).kind, 'signal', 'no plan ever signals it');
    assert.ok(
      orphansToReap([hub]).reap.every((h) => planReap(h).kind !== 'signal'),
      '--orphans never plans a signal for it',
    );
    tally.signals_to_victims += signals.length;
    assert.deepEqual(signals, [], 'no signal was sent');
    await sleep(50);
    if (!isPidRunning(pid)) tally.victims_killed++;
    assert.ok(isPidRunning(pid), 'the victim lives');
    child?.kill('SIGKILL');
  });
}

test('stop requests: a FIFO does not block the session; one another user wrote, or one naming another process, is ignored', async () => {
  tally.cases++;
  const home = tempDir();
  const roots = defaultHubRoots({ env: {}, home });
  const dir = path.join(roots[0].dir, 'workspaces');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const self = recordSelf();
  const file = stopRequestFile(roots[0], ID);
  const lines: string[] = [];
  execFileSync('mkfifo', [file]);
  const fifo = await Promise.race([readStopRequestFor(roots[0], ID, self, (l) => lines.push(l)), sleep(5000).then(() => 'hung' as const)]);
  assert.equal(fifo, undefined, 'a FIFO is not a request (and did not block)');
  assert.match(lines.join('\n'), /is not a regular file/);
  fs.rmSync(file);
  const request = {
    pid: self.pid,
    start_ticks: self.startTicks,
    boot_id: self.bootId,
    requested_by: 'x',
    requested_at: new Date().toISOString(),
  };
  fs.writeFileSync(file, JSON.stringify({ ...request, start_ticks: (self.startTicks ?? 0) + 1 }), { mode: 0o600 });
  assert.equal(await readStopRequestFor(roots[0], ID, self), undefined, 'a request for an earlier hub of the workspace is not for us');
  fs.writeFileSync(file, JSON.stringify(request), { mode: 0o600 });
  assert.equal((await readStopRequestFor(roots[0], ID, self))?.requestedBy, 'x', 'the real request is read');
  fs.chmodSync(file, 0o666);
  assert.equal(await readStopRequestFor(roots[0], ID, self, (l) => lines.push(l)), undefined, 'a request anyone could write is ignored');
  assert.match(lines.join('\n'), /writable by every user/);
});
