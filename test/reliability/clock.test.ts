import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ComponentRegistry } from '../../src/core/registry/component-registry';
import { LeaseHolder } from '../../src/core/lease-holder/lease-holder';
import { RegistryLockError } from '../../src/core/registry/errors';
import { tempDir } from '../support/helpers';
import { figure } from './profile';

/**
 * Wall-clock jumps of an hour, forwards and backwards, with the clocks injected: two processes on
 * one machine share the wall clock and the monotonic clock; only the wall clock jumps.
 */

function machine() {
  const dir = tempDir();
  const file = path.join(dir, 'registry.json');
  const clocks = { wall: Date.parse('2026-11-23T12:00:00Z'), mono: 5_000_000 };
  const times = { clock: () => clocks.wall, monotonic: () => clocks.mono };
  const holder = () => new ComponentRegistry(file, { holder: new LeaseHolder({ ttlMs: 30_000, heartbeatMs: 3_600_000 }), ...times });
  const pass = (ms: number) => {
    clocks.wall += ms;
    clocks.mono += ms;
  };
  return { file, clocks, holder, pass };
}

test('wall clock jumps forward an hour: a live holder keeps its lease; after it really stops, it is taken over', async () => {
  const { clocks, holder, pass } = machine();
  const a = holder();
  const b = holder();
  await a.resolve('arm', 'node');
  pass(5000);
  clocks.wall += 3_600_000; // NTP, a VM resumed, a user: the wall clock leaps ahead
  let stolen = 0;
  const stillA = async () => {
    const e = await a.getEntry('arm');
    if (!(e?.kind === 'entry' && e.lock?.holderInstance === a.holder.instanceId)) stolen++;
  };
  await b.resolve('arm', 'node').catch((e) => assert.ok(e instanceof RegistryLockError, String(e)));
  await stillA();
  await a.holder.heartbeat(); // still fenced, still ours
  pass(20_000);
  await b.resolve('arm', 'node').catch((e) => assert.ok(e instanceof RegistryLockError, String(e)));
  await stillA();
  a.holder.stopTimer(); // a stops heartbeating for good
  pass(31_000);
  await b.resolve('arm', 'node');
  const taken = await b.getEntry('arm');
  figure('clock-forward', {
    jump_s: 3600,
    stolen_from_live_holder: stolen,
    taken_after_real_expiry: taken?.kind === 'entry' && taken.lock?.holderInstance === b.holder.instanceId ? 1 : 0,
  });
  assert.equal(stolen, 0);
  assert.ok(taken?.kind === 'entry' && taken.lock?.holderInstance === b.holder.instanceId);
  await b.holder.releaseAll();
});

test("wall clock jumps back an hour: a dead holder's lease is not held for an extra hour", async () => {
  const { clocks, holder, pass } = machine();
  const a = holder();
  const b = holder();
  await a.resolve('arm', 'node');
  clocks.wall -= 3_600_000;
  await a.holder.heartbeat(); // expires_at is now written an hour "earlier" than before the jump
  a.holder.stopTimer(); // and then a dies
  pass(31_000);
  const t0 = clocks.mono;
  await b.resolve('arm', 'node'); // by the wall clock this lock would look live for another hour
  const entry = await b.getEntry('arm');
  figure('clock-backward', {
    jump_s: -3600,
    waited_s: (clocks.mono - t0) / 1000 + 31,
    taken: entry?.kind === 'entry' && entry.lock?.holderInstance === b.holder.instanceId ? 1 : 0,
  });
  assert.ok(entry?.kind === 'entry' && entry.lock?.holderInstance === b.holder.instanceId);
  await b.holder.releaseAll();
});

test("a lock MADSci rewrote (without the monotonic record) follows MADSci's wall-clock rule", async () => {
  const { file, clocks, holder, pass } = machine();
  const a = holder();
  const b = holder();
  await a.resolve('arm', 'node');
  a.holder.stopTimer();
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  delete doc.entries.arm.lock.hubkeeper_heartbeat_mono; // what MADSci's next write does
  delete doc.entries.arm.lock.hubkeeper_boot_id;
  fs.writeFileSync(file, JSON.stringify(doc, null, 2));
  pass(1000);
  clocks.wall += 3_600_000;
  await b.resolve('arm', 'node'); // MADSci would take it too: its rule only knows the wall clock
  const e = await b.getEntry('arm');
  assert.ok(e?.kind === 'entry' && e.lock?.holderInstance === b.holder.instanceId);
  await b.holder.releaseAll();
});
