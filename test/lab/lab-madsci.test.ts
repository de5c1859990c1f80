import { before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { ROOT, runCli, track, which } from '../support/helpers';
import { SKIP_NO_REDIS, startRedis, TestRedis } from '../support/redis';
import { lab, labDir, labTokenFile, Replica, startReplica, untilHealth } from '../support/lab';

/**
 * MADSci-shaped stations on three simulated machines (own HOME and registry.json, own host name
 * through HUBKEEPER_HOSTNAME, own station token) against two `lab serve` replicas on one real
 * redis-server. The stations are Python processes doing what MADSci's IdentityResolver does over
 * HTTP (test/fixtures/madsci_lab_station.py). Nothing is mocked.
 */

const STATION = path.join(ROOT, 'test', 'fixtures', 'madsci_lab_station.py');
const SKIP = SKIP_NO_REDIS || (!which('python3') && 'python3 is not installed');

interface Machine {
  host: string;
  home: string;
  token: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function station(m: Machine, replica: Replica, ...args: string[]): Promise<any[]> {
  return new Promise((resolve, reject) => {
    const child = track(
      spawn('python3', [STATION, ...args], {
        env: { ...process.env, HOME: m.home, HUBKEEPER_HOSTNAME: m.host, LAB_URL: replica.url, LAB_TOKEN: m.token },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    let out = '';
    let err = '';
    child.stdout?.on('data', (c) => (out += c));
    child.stderr?.on('data', (c) => (err += c));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`station ${m.host} ${args.join(' ')} exited ${code}: ${err}`));
      resolve(
        out
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l)),
      );
    });
  });
}

describe('lab registry: MADSci stations on three machines, two replicas', { skip: SKIP }, () => {
  let redis: TestRedis;
  let r1: Replica;
  let r2: Replica;
  let labToken: string;
  let labTokenPath: string;
  const machines: Record<'a' | 'b' | 'c', Machine> = {} as never;
  const cli = (...args: string[]) => runCli(['lab', ...args, '--lab', r1.url, '--token-file', labTokenPath]);

  before(async () => {
    redis = await startRedis();
    ({ file: labTokenPath, token: labToken } = labTokenFile());
    r1 = await startReplica({ redisUrl: redis.url, tokenFile: labTokenPath });
    r2 = await startReplica({ redisUrl: redis.url, tokenFile: labTokenPath });
    await untilHealth(r1.url, 200);
    await untilHealth(r2.url, 200);
    for (const [key, host] of [
      ['a', 'lab-pc-a'],
      ['b', 'lab-pc-b'],
      ['c', 'lab-pc-c'],
    ] as const) {
      const made = await cli('token', 'create', host);
      assert.equal(made.code, 0, made.stderr);
      machines[key] = { host, home: labDir(`machine-${key}-`), token: made.stdout.trim() };
    }
  });

  test('the first id the lab hears is the lab id; the other machines and both replicas agree', async () => {
    const { a, b, c } = machines;
    const first = await station(a, r1, 'resolve', 'liquidhandler_1', 'node');
    assert.equal(first[0].lab_status, 200);
    // B has never seen the name: its lookup asks the lab, through the other replica.
    const seenByB = await station(b, r2, 'lookup', 'liquidhandler_1');
    assert.deepEqual(seenByB[0], { op: 'lookup', name: 'liquidhandler_1', id: first[0].id, source: 'lab' });
    for (const r of [r1, r2]) {
      const entry = await lab(r.url, 'GET', '/registry/resolve/liquidhandler_1', c.token);
      assert.equal(entry.status, 200);
      assert.equal(entry.body.id, first[0].id);
      assert.equal(entry.body.lock.holder_host, 'lab-pc-a');
      assert.equal(entry.body.lock.holder_pid, first[0].pid);
      assert.deepEqual(entry.body.metadata, { station: 'lab-pc-a' });
    }
    // Many names from two machines through two replicas: every lookup agrees with the first id.
    const ids = new Map<string, string>();
    for (let i = 0; i < 10; i++) {
      const [ra] = await station(a, r1, 'resolve', `pipette_${i}`, 'module');
      const [rb] = await station(b, r2, 'resolve', `plate_reader_${i}`, 'module');
      ids.set(ra.name, ra.id).set(rb.name, rb.id);
    }
    for (const [name, id] of ids) {
      const [seen] = await station(c, name.length % 2 ? r1 : r2, 'lookup', name);
      assert.equal(seen.id, id, name);
    }
    const listed = await lab(r2.url, 'GET', '/registry/entries', labToken);
    assert.equal(listed.body.entries.length, 21);
    assert.equal(listed.body.entries[0].name, 'liquidhandler_1', 'in the order the lab first heard of them');
  });

  test('a machine that already has another id is refused with 409 and the conflict is recorded and shown', async () => {
    const { c } = machines;
    const lab1 = (await lab(r1.url, 'GET', '/registry/resolve/liquidhandler_1', c.token)).body.id as string;
    const localId = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
    const [out] = await station(c, r2, 'resolve', 'liquidhandler_1', 'node', localId);
    assert.equal(out.lab_status, 409, 'MADSci only logs this; the lab records it');
    assert.equal(out.id, localId, 'and MADSci keeps its local id (the weakness the lab makes visible)');
    const entry = await lab(r1.url, 'GET', '/registry/resolve/liquidhandler_1', c.token);
    assert.equal(entry.body.id, lab1, 'a different id is never stored');
    assert.equal(entry.body.conflicts.length, 1);
    const k = entry.body.conflicts[0];
    assert.deepEqual(
      { ...k, at: undefined },
      {
        name: 'liquidhandler_1',
        lab_id: lab1,
        offered_id: localId,
        host: 'lab-pc-c',
        pid: out.pid,
        instance: out.instance,
        station: 'lab-pc-c',
        at: undefined,
      },
    );
    assert.match(k.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);

    const listed = await cli('conflicts', '--json');
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout).conflicts, [k]);
    const human = await cli('conflicts');
    assert.match(human.stdout, new RegExp(`liquidhandler_1\\s+${lab1}\\s+${localId}\\s+lab-pc-c\\s+${out.pid}\\s+lab-pc-c`));
    const entries = await cli('entries');
    assert.match(entries.stdout, /liquidhandler_1 .*lab-pc-a \(PID \d+\) until .* 1\s+1$/m);
  });

  test('release through either replica frees the lab lock; another instance can then take it', async () => {
    const { a, b } = machines;
    const [lock] = await station(b, r1, 'release', 'liquidhandler_1');
    assert.equal(lock.lab_status, 409, "B's instance does not hold A's live lock");
    // A new process on A is a new instance: it cannot release the lock its earlier process took either.
    assert.equal((await station(a, r2, 'release', 'liquidhandler_1'))[0].lab_status, 409);
    const before = await lab(r2.url, 'GET', '/registry/resolve/liquidhandler_1', labToken);
    const freed = await lab(r2.url, 'POST', '/registry/entries/liquidhandler_1/unlock', labToken, {
      holder_instance: before.body.lock.holder_instance,
    });
    assert.deepEqual([freed.status, freed.body.released], [200, true]);
    const [claimed] = await station(b, r1, 'claim', 'liquidhandler_1', '1');
    assert.equal(claimed.fence, before.body.lock.fencing_token + 1, 'the next grant has the next fencing token');
  });

  test('kill -9 of a replica: the clients of the other keep working', async () => {
    const { a, b } = machines;
    r1.child.kill('SIGKILL');
    await r1.kill();
    const [made] = await station(a, r2, 'resolve', 'after_kill', 'workcell');
    assert.equal(made.lab_status, 200);
    assert.equal((await station(b, r2, 'lookup', 'after_kill'))[0].id, made.id);
    const status = await lab(r2.url, 'GET', '/lab/status', labToken);
    assert.equal(status.body.counts.entries, 22);
    r1 = await startReplica({ redisUrl: redis.url, tokenFile: labTokenPath });
    await untilHealth(r1.url, 200);
    assert.equal(
      (await lab(r1.url, 'GET', '/registry/resolve/after_kill', labToken)).body.id,
      made.id,
      'a new replica sees everything at once',
    );
  });

  test('Redis SHUTDOWN and restart: 503 meanwhile, then the same data, without restarting the replicas', async () => {
    const { a, b } = machines;
    const probe = {
      id: '01ARZ3NDEKTSV4RRFFQ69G5FAW',
      component_type: 'node',
      acquire_lock: true,
      lock_holder_host: 'x',
      lock_holder_pid: 1,
      lock_holder_instance: 'restart-1',
    };
    const fenceBefore = (await lab(r1.url, 'POST', '/registry/entries/restart_probe', labToken, probe)).body.lock.fencing_token as number;
    assert.ok(fenceBefore >= 1);
    const before = (await lab(r1.url, 'GET', '/registry/entries', labToken)).body.entries;
    await redis.shutdown();
    await untilHealth(r1.url, 503);
    await untilHealth(r2.url, 503);
    const during = await lab(r2.url, 'GET', '/registry/resolve/after_kill', labToken);
    assert.equal(during.status, 503);
    assert.match(during.body.error, /Redis/);

    await redis.restart();
    await untilHealth(r1.url, 200);
    await untilHealth(r2.url, 200);
    const after = (await lab(r2.url, 'GET', '/registry/entries', labToken)).body.entries;
    assert.deepEqual(after, before, 'every entry, lock and conflict kept (AOF)');
    // Redis forgot its script cache: the replicas load the scripts again by themselves.
    const [made] = await station(b, r1, 'resolve', 'after_restart', 'node');
    assert.equal(made.lab_status, 200);
    assert.equal((await station(a, r2, 'lookup', 'after_restart'))[0].id, made.id);
    assert.equal(
      (await lab(r1.url, 'POST', '/registry/entries/restart_probe/unlock', labToken, { holder_instance: 'restart-1' })).body.released,
      true,
    );
    const next = await lab(r2.url, 'POST', '/registry/entries/restart_probe/lock', labToken, {
      holder_host: 'x',
      holder_pid: 1,
      holder_instance: 'restart-2',
    });
    assert.ok(next.body.fencing_token > fenceBefore, 'fencing tokens keep growing across the restart');
    assert.match(r1.log(), /connected again/);
  });

  test('lab status through the CLI names both replicas as serving', async () => {
    const status = await cli('status', '--json');
    assert.equal(status.code, 0, status.stderr);
    const body = JSON.parse(status.stdout);
    assert.equal(body.fleet, 'lab');
    assert.equal(body.redis.aof_enabled, true);
    assert.doesNotMatch(status.stdout, new RegExp(redis.password), 'never the Redis password');
    const serving = body.replicas.filter((r: { alive: boolean; url: string }) => r.alive).map((r: { url: string }) => r.url);
    assert.ok(serving.includes(r1.url) && serving.includes(r2.url), JSON.stringify(body.replicas));
    const human = await cli('status');
    assert.match(human.stdout, /^Lab fleet lab · lease TTL 30 s/m);
    assert.ok(fs.existsSync(labTokenPath));
  });
});
