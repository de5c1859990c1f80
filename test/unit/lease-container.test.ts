import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { BOOT_ID_KEY, LeaseNow, lockStatus, MONO_HEARTBEAT_KEY, PID_NAMESPACE_KEY } from '../../src/core/leases/lease-rules';
import { HeartbeatWatch } from '../../src/core/leases/heartbeat-watch';
import { LeaseHolder } from '../../src/core/lease-holder/lease-holder';
import { pidNamespace } from '../../src/core/processes/pid-namespace';
import { JsonNumber, JsonValue } from '../../src/core/json/json-value';
import { ComponentRegistry } from '../../src/core/registry/component-registry';
import { RegistryLockError } from '../../src/core/registry/errors';
import { RegistryEntry, RegistryLock } from '../../src/core/registry/types';
import { Timestamp } from '../../src/core/time/timestamp';
import { exited, FIXTURES, runCli, spawnNode, tempDir, track, waitFor, waitForLine } from '../support/helpers';

/**
 * MADSci's example lab runs every manager and node in a container with `network_mode: host` and
 * one shared `.madsci/`: a lock's `holder_host` is this machine's name while its `holder_pid` is a
 * pid of the container's namespace. Such a lock is abandoned only when its heartbeat has stopped too.
 */

const HOLDER = path.join(FIXTURES, 'container-holder.js');
const ms = (iso: string) => Date.parse(iso);
const at = (millis: number) => Timestamp.fromMillis(millis);

/** A MADSci-written lock (its six fields only) on host `here`, taken at 12:00:00. */
function madsciLock(heartbeat: string, expires: string, pid = 56, host = 'here'): RegistryLock {
  return {
    holderPid: pid,
    holderHost: host,
    holderInstance: 'I',
    acquiredAt: at(ms('2026-11-23T12:00:00Z')),
    heartbeatAt: at(ms(heartbeat)),
    expiresAt: at(ms(expires)),
    extra: new Map(),
  };
}

const dead = () => false;
const alive = () => true;

test('a MADSci lock for this host whose pid is not running here, with a fresh heartbeat, is held (another pid namespace)', () => {
  const lock = madsciLock('2026-11-23T12:00:10Z', '2026-11-23T12:00:40Z');
  const status = lockStatus(lock, { now: at(ms('2026-11-23T12:00:12Z')), hostname: 'here', isHolderAlive: dead });
  assert.deepEqual(status, {
    state: 'held',
    msLeft: 28_000,
    holderAlive: false,
    reason: 'held by here (pid 56; not a process on this machine — another pid namespace? — but its heartbeat is 2 s old)',
  });
});

test('it is abandoned only once its heartbeat stopped for more than half its lease', () => {
  const lock = madsciLock('2026-11-23T12:00:10Z', '2026-11-23T12:00:40Z');
  const ctx = (now: string) => ({ now: at(ms(now)), hostname: 'here', isHolderAlive: dead });
  assert.equal(lockStatus(lock, ctx('2026-11-23T12:00:25Z')).state, 'held', 'exactly half the lease is not "clearly longer"');
  assert.deepEqual(lockStatus(lock, ctx('2026-11-23T12:00:27Z')), {
    state: 'abandoned',
    msLeft: 13_000,
    holderAlive: false,
    reason: 'holder pid 56 on this machine is not running and its heartbeat stopped 17 s ago (more than half its 30 s lease)',
  });
  assert.equal(lockStatus(lock, ctx('2026-11-23T12:00:40Z')).state, 'expired', "MADSci's rule still ends it at expires_at");
});

test('a pid that runs here keeps a fresh or stopped MADSci lock held until it expires; another host is never judged by pid', () => {
  const stopped = madsciLock('2026-11-23T12:00:10Z', '2026-11-23T12:00:40Z');
  const now = at(ms('2026-11-23T12:00:35Z'));
  assert.equal(lockStatus(stopped, { now, hostname: 'here', isHolderAlive: alive }).state, 'held');
  const remote = madsciLock('2026-11-23T12:00:10Z', '2026-11-23T12:00:40Z', 56, 'lab-pc-01');
  assert.deepEqual(lockStatus(remote, { now, hostname: 'here', isHolderAlive: dead }), {
    state: 'held',
    msLeft: 5000,
    holderAlive: undefined,
    reason: 'held by lab-pc-01 (pid 56)',
  });
});

test('locks Hubkeeper wrote on this boot in this pid namespace keep the exact rule; from another namespace or boot the heartbeat decides', () => {
  const now: LeaseNow = { wall: at(ms('2026-11-23T12:00:12Z')), mono: 12_000, bootId: 'boot-1', hostname: 'here', pidNamespace: 'pid:[1]' };
  const written = (boot: string, ns?: string): RegistryLock => {
    const extra = new Map<string, JsonValue>([
      [MONO_HEARTBEAT_KEY, new JsonNumber('10000')],
      [BOOT_ID_KEY, boot],
    ]);
    if (ns) extra.set(PID_NAMESPACE_KEY, ns);
    return { ...madsciLock('2026-11-23T12:00:10Z', '2026-11-23T12:00:40Z'), extra };
  };
  const ctx = { now, hostname: 'here', isHolderAlive: dead };
  const exact = { state: 'abandoned', msLeft: 28_000, holderAlive: false, reason: 'holder pid 56 on this machine is not running' };
  assert.deepEqual(lockStatus(written('boot-1', 'pid:[1]'), ctx), exact);
  assert.deepEqual(lockStatus(written('boot-1'), ctx), exact, 'a Hubkeeper lock from before the namespace was recorded');
  const container = lockStatus(written('boot-1', 'pid:[2]'), ctx);
  assert.equal(container.state, 'held', 'Hubkeeper itself running in a container');
  assert.match(container.reason, /another pid namespace\? — but its heartbeat is 2 s old\)$/);
  assert.equal(lockStatus(written('boot-0', 'pid:[1]'), ctx).state, 'held', 'another boot (or kernel): its pids are not ours');
});

test('two reads: a heartbeat seen advancing is held whatever the wall clocks say; one unchanged for over half the lease is abandoned', () => {
  const watch = new HeartbeatWatch();
  const ctx = (wall: number, mono: number, lock: RegistryLock) => ({
    now: { wall: at(wall), mono },
    hostname: 'here',
    isHolderAlive: dead,
    observed: watch.observe('arm', lock, mono),
  });
  // The holder's wall clock is 20 s behind this reader's: by the file alone its heartbeat looks stopped.
  const t0 = ms('2026-11-23T12:01:00Z');
  const behind = madsciLock('2026-11-23T12:00:40Z', '2026-11-23T12:01:10Z');
  assert.equal(lockStatus(behind, ctx(t0, 0, behind)).state, 'abandoned', 'a single read has only the file');
  const beat = { ...behind, heartbeatAt: at(ms('2026-11-23T12:00:50Z')), expiresAt: at(ms('2026-11-23T12:01:20Z')) };
  assert.deepEqual(lockStatus(beat, ctx(t0 + 10_000, 10_000, beat)), {
    state: 'held',
    msLeft: 10_000,
    holderAlive: false,
    reason: 'held by here (pid 56; not a process on this machine — another pid namespace? — but its heartbeat is advancing)',
  });
  // The holder's clock is 20 s ahead instead, and it stopped: by the file alone its heartbeat looks
  // fresh for 20 s more, but this reader has seen it unchanged for more than half the lease.
  const ahead = { ...madsciLock('2026-11-23T12:01:20Z', '2026-11-23T12:01:50Z'), holderInstance: 'K' };
  assert.equal(lockStatus(ahead, ctx(t0, 100_000, ahead)).state, 'held');
  assert.equal(lockStatus(ahead, ctx(t0 + 15_000, 115_000, ahead)).state, 'held', 'exactly half the lease is not "clearly longer"');
  assert.deepEqual(lockStatus(ahead, ctx(t0 + 16_000, 116_000, ahead)), {
    state: 'abandoned',
    msLeft: 34_000,
    holderAlive: false,
    reason:
      'holder pid 56 on this machine is not running and its heartbeat has not advanced in the 16 s Hubkeeper watched it (more than half its 30 s lease)',
  });
  // A new holder of the entry starts over.
  const next = { ...ahead, holderInstance: 'J', acquiredAt: at(t0 + 16_000) };
  assert.equal(watch.observe('arm', next, 117_000), undefined);
});

test('the registry remembers its reads: the release path re-reads, and refuses a lease whose heartbeat advanced since the view read it', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'registry.json');
  // This reader's wall clock is 20 s ahead of the (container) holder's; the monotonic clock is its own.
  const clocks = { wall: ms('2026-11-23T12:01:00Z'), mono: 1_000_000 };
  const reg = new ComponentRegistry(file, {
    holder: new LeaseHolder({ heartbeatMs: 3_600_000 }),
    clock: () => clocks.wall,
    monotonic: () => clocks.mono,
  });
  const pid = 2 ** 22 + 12345; // above Linux's largest pid_max: never a running process
  const holderBeats = (heartbeat: string, expires: string, instance = '01JNQA3F5XG8E2D7W9R1C4HB6S') =>
    fs.writeFileSync(
      file,
      JSON.stringify(
        {
          entries: {
            arm: {
              id: '01JNQ8Z6T9K3M2V7X4C5B8D0EF',
              component_type: 'node',
              created_at: '2026-11-23T12:00:00Z',
              last_seen: heartbeat,
              metadata: {},
              workcell_id: null,
              lock: {
                holder_pid: pid,
                holder_host: os.hostname(),
                holder_instance: instance,
                acquired_at: '2026-11-23T12:00:00Z',
                heartbeat_at: heartbeat,
                expires_at: expires,
              },
            },
          },
        },
        null,
        2,
      ),
    );
  const entry = async () => (await reg.getEntry('arm')) as RegistryEntry;
  holderBeats('2026-11-23T12:00:40Z', '2026-11-23T12:01:10Z');
  assert.equal(reg.lockStatus(await entry()).state, 'abandoned');
  clocks.wall += 5000;
  clocks.mono += 5000;
  holderBeats('2026-11-23T12:00:45Z', '2026-11-23T12:01:15Z');
  assert.equal(reg.lockStatus(await entry()).state, 'held');
  await assert.rejects(
    reg.release('arm'),
    (err: Error) => err instanceof RegistryLockError && /^Cannot release 'arm': Locked by /.test(err.message),
  );
  // Another holder whose clock is 20 s ahead, then stops: by the file its heartbeat looks fresh for
  // 20 s more, but the release re-reads it unchanged over more than half the lease: no force needed.
  holderBeats('2026-11-23T12:01:25Z', '2026-11-23T12:01:55Z', '01JNQA3F5XG8E2D7W9R1C4HB6T');
  assert.equal(reg.lockStatus(await entry()).state, 'held');
  clocks.wall += 16_000;
  clocks.mono += 16_000;
  assert.equal(await reg.release('arm'), true);
  assert.equal((await entry()).lock, null);
});

test('Hubkeeper records the pid namespace its holder_pid belongs to', async (t) => {
  const ns = pidNamespace();
  if (!ns) return t.skip('no pid namespaces on this system');
  const dir = tempDir();
  const file = path.join(dir, 'registry.json');
  const reg = new ComponentRegistry(file, { holder: new LeaseHolder({ heartbeatMs: 3_600_000 }) });
  await reg.resolve('arm', 'node');
  const lock = JSON.parse(fs.readFileSync(file, 'utf8')).entries.arm.lock;
  assert.equal(lock[PID_NAMESPACE_KEY], fs.readlinkSync('/proc/self/ns/pid'));
  assert.equal(reg.lockStatus((await reg.getEntry('arm')) as RegistryEntry).state, 'held');
  await reg.holder.releaseAll();
});

// ---- Real files, real processes, the real CLI (dist/cli.js) ----

/** A pid that is free on this machine: a process's, after it exited. */
async function freePid(): Promise<number> {
  const child = track(spawn(process.execPath, ['-e', ''], { stdio: 'ignore' }));
  await exited(child);
  return child.pid as number;
}

/** A registry as MADSci writes it, with `workcell_manager` locked as given (or free). */
function labRegistry(lock: Record<string, unknown> | null) {
  const dir = tempDir();
  const registry = path.join(dir, 'registry.json');
  const doc = {
    version: 1,
    created_at: '2026-03-05T14:00:00.120000Z',
    updated_at: '2026-03-05T14:00:00.120000Z',
    entries: {
      workcell_manager: {
        id: '01JNQ8Z6T9K3M2V7X4C5B8D0EF',
        component_type: 'manager',
        created_at: '2026-03-05T14:00:00.130000Z',
        last_seen: '2026-03-05T14:00:00.130000Z',
        metadata: {},
        lock,
        workcell_id: null,
      },
    },
  };
  fs.writeFileSync(registry, JSON.stringify(doc, null, 2));
  const cli = (...args: string[]) => runCli(['--registry', registry, ...args], { cwd: dir });
  const state = async () => {
    const list = await cli('components', 'list', '--include-stale', '--json');
    assert.equal(list.code, 0, list.stderr);
    const entry = JSON.parse(list.stdout).entries[0];
    return { state: entry.lock_state as string, reason: entry.lock_reason as string };
  };
  const staleNames = async () => {
    const locks = await cli('locks', 'list', '--json');
    assert.equal(locks.code, 0, locks.stderr);
    return (JSON.parse(locks.stdout).component_leases as { name: string }[]).map((e) => e.name);
  };
  return { dir, registry, cli, state, staleNames };
}

test('CLI: a container lock (this host, a pid free here, heartbeat just now, 30 s left) is not stale, is held, and release refuses', async () => {
  const pid = await freePid();
  const now = Date.now();
  const { registry, cli, state, staleNames } = labRegistry({
    holder_pid: pid,
    holder_host: os.hostname(),
    holder_instance: '01JNQA3F5XG8E2D7W9R1C4HB6S',
    acquired_at: at(now - 60_000).text,
    heartbeat_at: at(now).text,
    expires_at: at(now + 30_000).text,
  });
  const before = fs.readFileSync(registry);
  assert.deepEqual(await staleNames(), [], 'locks list does not call a live lease stale');
  const { state: s, reason } = await state();
  assert.equal(s, 'held');
  assert.match(
    reason,
    new RegExp(`^held by .+ \\(pid ${pid}; not a process on this machine — another pid namespace\\? — but its heartbeat is \\d+ s old\\)$`),
  );
  const status = JSON.parse((await cli('status', '--json')).stdout);
  assert.deepEqual(status.stale_locks, []);
  assert.deepEqual(
    status.held.map((e: { name: string }) => e.name),
    ['workcell_manager'],
  );
  const release = await cli('components', 'release', 'workcell_manager');
  assert.equal(release.code, 3, release.stderr);
  assert.match(
    release.stderr,
    new RegExp(
      `^hubkeeper: Cannot release 'workcell_manager': Locked by .+ \\(PID ${pid}\\) until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\+00:00 \\(--force releases it anyway\\)\\n$`,
    ),
  );
  assert.equal((await cli('locks', 'release', 'workcell_manager')).code, 3);
  assert.ok(fs.readFileSync(registry).equals(before), 'the refused releases left the file byte for byte');
});

test('CLI: a container holder heartbeating under a pid not its own stays held; once its heartbeat stops for over half its lease it is abandoned and release needs no --force', async () => {
  const pid = await freePid();
  const ttlMs = 10_000;
  const { registry, cli, state, staleNames } = labRegistry(null);
  const holder = spawnNode(HOLDER, [registry, 'workcell_manager', String(pid), String(ttlMs), '200']);
  await waitForLine(holder, /^beat /);
  const heartbeatAt = () => Date.parse(JSON.parse(fs.readFileSync(registry, 'utf8')).entries.workcell_manager.lock.heartbeat_at);
  const firstBeat = heartbeatAt();
  // Read for longer than half the lease: the wall-clock rule would call a stopped heartbeat dead by then.
  const started = Date.now();
  let reads = 0;
  while (reads < 3 || Date.now() - started < ttlMs / 2 + 1000) {
    const { state: s, reason } = await state();
    assert.equal(s, 'held', reason);
    assert.match(reason, /another pid namespace\? — but its heartbeat is \d+ s old\)$/);
    assert.deepEqual(await staleNames(), []);
    reads++;
  }
  assert.ok(heartbeatAt() > firstBeat, 'the holder really heartbeat during the reads');

  holder.kill('SIGKILL');
  await exited(holder);
  const lastBeat = heartbeatAt();
  await waitFor(() => Date.now() - lastBeat > ttlMs / 2 + 200, 'the heartbeat to be older than half the lease', 30_000, 100);
  const { state: s, reason } = await state();
  assert.equal(s, 'abandoned', reason);
  assert.match(
    reason,
    new RegExp(
      `^holder pid ${pid} on this machine is not running and its heartbeat stopped \\d+ s ago \\(more than half its 10 s lease\\)$`,
    ),
  );
  assert.deepEqual(await staleNames(), ['workcell_manager']);
  const release = await cli('components', 'release', 'workcell_manager');
  assert.equal(release.code, 0, release.stderr);
  assert.equal(JSON.parse(fs.readFileSync(registry, 'utf8')).entries.workcell_manager.lock, null);
});
