import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ComponentRegistry } from '../../src/core/registry/component-registry';
import { LeaseHolder, HeldLease } from '../../src/core/lease-holder/lease-holder';
import { BOOT_ID_KEY, LeaseNow, lockStatus, MONO_HEARTBEAT_KEY, PID_NAMESPACE_KEY } from '../../src/core/leases/lease-rules';
import { JsonNumber, JsonValue } from '../../src/core/json/json-value';
import { describeLock } from '../../src/core/leases/describe-lock';
import { RegistryEntry, RegistryLock } from '../../src/core/registry/types';
import { Timestamp } from '../../src/core/time/timestamp';
import { FIXTURES, spawnNode, tempDir, waitFor, waitForLine, exited } from '../support/helpers';

const WORKER = path.join(FIXTURES, 'registry-worker.js');

async function entryOf(reg: ComponentRegistry, name: string): Promise<RegistryEntry> {
  const e = await reg.getEntry(name);
  assert.ok(e?.kind === 'entry', `${name} is readable`);
  return e;
}

test('one heartbeat refreshes 100 leases with a single write', async () => {
  const dir = tempDir();
  const clock = { now: Date.parse('2026-11-23T12:00:00Z') };
  const holder = new LeaseHolder({ heartbeatMs: 3_600_000 });
  const reg = new ComponentRegistry(path.join(dir, 'registry.json'), { holder, clock: () => clock.now });
  for (let i = 0; i < 100; i++) await reg.resolve(`n${i}`, 'node');
  clock.now += 5000;
  const writesBefore = reg.file.writeCount;
  const refreshed: string[][] = [];
  holder.on('refreshed', (names) => refreshed.push(names));
  await holder.heartbeat();
  assert.equal(reg.file.writeCount - writesBefore, 1);
  assert.equal(refreshed[0].length, 100);
  const e = await entryOf(reg, 'n42');
  assert.equal(e.lock?.heartbeatAt.text, '2026-11-23T12:00:05Z');
  assert.equal(e.lock?.expiresAt.text, '2026-11-23T12:00:35Z');
  assert.equal(e.lock?.acquiredAt.text, '2026-11-23T12:00:00Z', 'acquired_at is the fence and never moves');
  await holder.releaseAll();
  assert.equal((await entryOf(reg, 'n42')).lock, null);
});

test('a lease taken over by another holder is reported lost and the new lock is not overwritten', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'registry.json');
  // One machine: the wall clock and the monotonic clock move together here.
  const clock = { now: Date.parse('2026-11-23T12:00:00Z') };
  const times = { clock: () => clock.now, monotonic: () => clock.now };
  const a = new ComponentRegistry(file, { holder: new LeaseHolder({ heartbeatMs: 3_600_000 }), ...times });
  const b = new ComponentRegistry(file, { holder: new LeaseHolder({ heartbeatMs: 3_600_000 }), ...times });
  await a.resolve('x', 'node');
  await a.resolve('y', 'node');
  clock.now += 31_000; // a was paused past the TTL
  await b.resolve('x', 'node');
  const lost: [HeldLease, string][] = [];
  a.holder.on('lost', (lease, reason) => lost.push([lease, reason]));
  const bLock = (await entryOf(b, 'x')).lock;
  await a.holder.heartbeat();
  assert.equal(lost.length, 1);
  assert.equal(lost[0][0].name, 'x');
  assert.match(lost[0][1], /'x' is now locked by .* since 2026-11-23T12:00:31Z/);
  assert.deepEqual((await entryOf(b, 'x')).lock, bLock);
  assert.ok(!a.holder.isHolding(a.file, 'x'));
  assert.ok(a.holder.isHolding(a.file, 'y'), 'the lease nobody took stays held');
  await a.holder.releaseAll();
  assert.deepEqual((await entryOf(b, 'x')).lock, bLock, 'releaseAll leaves the new holder alone');
  b.holder.stopTimer();
});

test('a heartbeat that cannot write reports an error event, keeps the lease, and never throws', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'registry.json');
  const holder = new LeaseHolder({ heartbeatMs: 3_600_000 });
  const reg = new ComponentRegistry(file, { holder, tornReadRetryMs: 0 });
  await reg.resolve('x', 'node');
  const good = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, '{ corrupt');
  const errors: Error[] = [];
  holder.on('heartbeat-error', (err) => errors.push(err));
  await holder.heartbeat();
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /registry\.json: not valid JSON/);
  assert.equal(fs.readFileSync(file, 'utf8'), '{ corrupt');
  assert.ok(holder.isHolding(reg.file, 'x'));
  fs.writeFileSync(file, good);
  await holder.releaseAll();
});

function lock(pid: number, host: string, acquired: string, expires: string): RegistryLock {
  const t = (s: string) => Timestamp.parse(s) as Timestamp;
  return {
    holderPid: pid,
    holderHost: host,
    holderInstance: 'I',
    acquiredAt: t(acquired),
    heartbeatAt: t(acquired),
    expiresAt: t(expires),
    extra: new Map(),
  };
}

test('lock status: held, expired, abandoned (dead or recycled pid) and remote holders', () => {
  const now: LeaseNow = {
    wall: Timestamp.parse('2026-11-23T12:00:10Z') as Timestamp,
    mono: 10_000,
    bootId: 'boot-1',
    hostname: 'here',
    pidNamespace: 'pid:[1]',
  };
  const ctx = { now, hostname: 'here' };
  // Written by Hubkeeper on this boot and in this pid namespace (its heartbeat at mono 0): the pid is this machine's.
  const ours = (l: RegistryLock): RegistryLock => ({
    ...l,
    extra: new Map<string, JsonValue>([
      [MONO_HEARTBEAT_KEY, new JsonNumber('0')],
      [BOOT_ID_KEY, 'boot-1'],
      [PID_NAMESPACE_KEY, 'pid:[1]'],
    ]),
  });
  const live = lock(process.pid, 'here', new Date().toISOString(), '2026-11-23T12:00:30Z');
  assert.equal(lockStatus(live, ctx).state, 'held');
  assert.equal(describeLock(live, lockStatus(live, ctx)), `held by here · pid ${process.pid} · 20 s left`);
  const dead = ours(lock(2 ** 22 + 12345, 'here', '2026-11-23T12:00:00Z', '2026-11-23T12:00:30Z'));
  assert.deepEqual(lockStatus(dead, ctx), {
    state: 'abandoned',
    msLeft: 20_000,
    holderAlive: false,
    reason: `holder pid ${2 ** 22 + 12345} on this machine is not running`,
  });
  // Our own pid with a lock "taken" long before this process started: the pid was recycled.
  const recycled = ours(lock(process.pid, 'here', '2000-01-01T00:00:00Z', '2026-11-23T12:00:30Z'));
  assert.equal(lockStatus(recycled, ctx).state, 'abandoned', 'a pid that started after the lock was taken is not the holder');
  // The same dead pid in a lock MADSci wrote may be a container's: its heartbeat decides (lease-container.test.ts).
  assert.equal(lockStatus({ ...dead, extra: new Map() }, ctx).state, 'held');
  const expired = lock(process.pid, 'here', new Date().toISOString(), '2026-11-23T12:00:05Z');
  assert.equal(lockStatus(expired, ctx).state, 'expired');
  assert.equal(describeLock(expired, lockStatus(expired, ctx)), 'expired 5 s ago');
  const remote = lock(4242, 'lab-pc-01', '2026-11-23T12:00:00Z', '2026-11-23T12:00:30Z');
  assert.deepEqual(lockStatus(remote, ctx), {
    state: 'held',
    msLeft: 20_000,
    holderAlive: undefined,
    reason: 'held by lab-pc-01 (pid 4242)',
  });
  assert.deepEqual(lockStatus(null, ctx), { state: 'free', reason: 'not locked' });
});

test('a holder killed with kill -9: its lock shows abandoned at once, expires, and is taken over', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'registry.json');
  const child = spawnNode(WORKER, ['hold', file, 'victim', '1500', '300']);
  const held = await waitForLine(child, /^held /);
  const [, id] = held.split(' ');
  child.kill('SIGKILL');
  await exited(child);
  const reg = new ComponentRegistry(file, { holder: new LeaseHolder() });
  const before = await entryOf(reg, 'victim');
  assert.equal(reg.lockStatus(before).state, 'abandoned');
  const started = Date.now();
  assert.equal(await reg.resolve('victim', 'node', { retryTimeoutMs: 20_000, retryIntervalMs: 100 }), id);
  const after = await entryOf(reg, 'victim');
  assert.equal(after.lock?.holderInstance, reg.holder.instanceId);
  assert.ok(Date.now() - started >= 0);
  await reg.holder.releaseAll();
});

test('a holder paused with SIGSTOP past its TTL reports the lease lost on SIGCONT and writes nothing over the new holder', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'registry.json');
  const child = spawnNode(WORKER, ['hold', file, 'shared', '1000', '200']);
  await waitForLine(child, /^held /);
  child.kill('SIGSTOP');
  try {
    const reg = new ComponentRegistry(file, { holder: new LeaseHolder({ heartbeatMs: 3_600_000 }) });
    await reg.resolve('shared', 'node', { retryTimeoutMs: 20_000, retryIntervalMs: 100 });
    const mine = (await entryOf(reg, 'shared')).lock;
    const lost = waitForLine(child, /^lost /);
    child.kill('SIGCONT');
    assert.match(await lost, /^lost 'shared' is now locked by /);
    // Give the resumed holder several heartbeat intervals in which it could (wrongly) write.
    await new Promise((r) => setTimeout(r, 800));
    assert.deepEqual((await entryOf(reg, 'shared')).lock, mine);
    await reg.holder.releaseAll();
  } finally {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  }
});

test('the worker fixture heartbeats: heartbeat_at advances while it holds the lease', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'registry.json');
  const child = spawnNode(WORKER, ['hold', file, 'beating', '2000', '100']);
  await waitForLine(child, /^held /);
  const reg = new ComponentRegistry(file, { holder: new LeaseHolder() });
  const first = (await entryOf(reg, 'beating')).lock?.heartbeatAt.micros ?? 0;
  await waitFor(async () => ((await entryOf(reg, 'beating')).lock?.heartbeatAt.micros ?? 0) > first, 'a heartbeat');
  child.kill('SIGKILL');
});
