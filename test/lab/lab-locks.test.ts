import { before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { ROOT, track, waitFor, which } from '../support/helpers';
import { SKIP_NO_REDIS, startRedis, TestRedis } from '../support/redis';
import { JsonReply, lab, labTokenFile, Replica, startReplica, untilHealth } from '../support/lab';
import { Timestamp } from '../../src/core/time/timestamp';

/**
 * Lab locks under contention: eight claimer processes (Python, MADSci-shaped) race for one name
 * through two replicas. Exclusivity is checked on the server's own clock: every grant's
 * acquired_at must come at or after the previous holder's release, and fencing tokens must
 * strictly increase in grant order. Expiry uses a short lease TTL and only polls; nothing is timed.
 */

const STATION = path.join(ROOT, 'test', 'fixtures', 'madsci_lab_station.py');
const SKIP = SKIP_NO_REDIS || (!which('python3') && 'python3 is not installed');
const CLAIMERS = 8;
const GRANTS_EACH = 15;

interface Grant {
  fence: number;
  granted: boolean;
  acquired_at: string;
  released_at: string;
  released: boolean;
  instance: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function claimer(host: string, replica: Replica, token: string, name: string, count: number): Promise<any[]> {
  return new Promise((resolve, reject) => {
    const child = track(
      spawn('python3', [STATION, 'claim', name, String(count)], {
        env: { ...process.env, HUBKEEPER_HOSTNAME: host, LAB_URL: replica.url, LAB_TOKEN: token },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    let out = '';
    let err = '';
    child.stdout?.on('data', (c) => (out += c));
    child.stderr?.on('data', (c) => (err += c));
    child.on('close', (code) =>
      code === 0
        ? resolve(
            out
              .trim()
              .split('\n')
              .map((l) => JSON.parse(l)),
          )
        : reject(new Error(`claimer ${host} exited ${code}: ${err}`)),
    );
  });
}

const micros = (iso: string) => (Timestamp.parse(iso) as Timestamp).micros;

describe('lab locks', { skip: SKIP }, () => {
  let redis: TestRedis;
  let r1: Replica;
  let r2: Replica;
  let token: string;
  let tokenFile: string;
  const entry = (id: string) => ({ id, component_type: 'node' });

  before(async () => {
    redis = await startRedis();
    ({ file: tokenFile, token } = labTokenFile());
    r1 = await startReplica({ redisUrl: redis.url, tokenFile });
    r2 = await startReplica({ redisUrl: redis.url, tokenFile });
    await untilHealth(r1.url, 200);
    await untilHealth(r2.url, 200);
  });

  test(`${CLAIMERS} concurrent claimers through two replicas: no double grant, fencing tokens strictly increasing`, async () => {
    assert.equal((await lab(r1.url, 'POST', '/registry/entries/contended_arm', token, entry('01ARZ3NDEKTSV4RRFFQ69G5FA1'))).status, 200);
    const runs = await Promise.all(
      Array.from({ length: CLAIMERS }, (_, i) => claimer(`claimer-${i}`, i % 2 ? r2 : r1, token, 'contended_arm', GRANTS_EACH)),
    );
    const grants: Grant[] = runs.flat().filter((l) => l.op === 'grant');
    const summaries = runs.map((r) => r[r.length - 1]);
    assert.deepEqual(
      summaries.map((s) => s.done),
      Array(CLAIMERS).fill(GRANTS_EACH),
      'every claimer got its turns',
    );
    assert.ok(
      summaries.some((s) => s.refused > 0),
      'they really contended (some lock requests were refused with 409)',
    );
    assert.ok(
      grants.every((g) => g.granted && g.released),
      'each grant was a new grant, released by its holder',
    );

    const ordered = [...grants].sort((a, b) => a.fence - b.fence);
    assert.equal(new Set(grants.map((g) => g.fence)).size, grants.length, 'no fencing token was handed out twice');
    let overlaps = 0;
    let outOfOrder = 0;
    for (let i = 1; i < ordered.length; i++) {
      const [prev, next] = [ordered[i - 1], ordered[i]];
      if (micros(next.acquired_at) < micros(prev.released_at)) overlaps++;
      if (micros(next.acquired_at) < micros(prev.acquired_at)) outOfOrder++;
    }
    assert.equal(overlaps, 0, 'a grant never came before the previous holder released (server clock)');
    assert.equal(outOfOrder, 0, 'fencing tokens increase in the order of the grants');
    assert.equal(ordered[ordered.length - 1].fence - ordered[0].fence, grants.length - 1, 'one token per grant, none skipped');
    process.stdout.write(
      `FIGURE lab-locks contention: claimers=${CLAIMERS} grants=${grants.length} refused=${summaries.reduce((n, s) => n + s.refused, 0)} double_grants=${overlaps}\n`,
    );
  });

  test('a heartbeat by the holder keeps its fencing token; another instance is refused while the lock lives', async () => {
    await lab(r1.url, 'POST', '/registry/entries/heartbeat_arm', token, entry('01ARZ3NDEKTSV4RRFFQ69G5FA2'));
    const holder = { holder_host: 'pc-1', holder_pid: 10, holder_instance: 'inst-1' };
    const first = await lab(r1.url, 'POST', '/registry/entries/heartbeat_arm/lock', token, holder);
    const again = await lab(r2.url, 'POST', '/registry/entries/heartbeat_arm/lock', token, holder);
    assert.deepEqual([first.body.granted, again.body.granted], [true, false]);
    assert.equal(again.body.fencing_token, first.body.fencing_token);
    assert.equal(again.body.lock.acquired_at, first.body.lock.acquired_at);
    assert.ok(micros(again.body.lock.expires_at) >= micros(first.body.lock.expires_at), 'the heartbeat extends the lock');
    const other = await lab(r2.url, 'POST', '/registry/entries/heartbeat_arm/lock', token, { ...holder, holder_instance: 'inst-2' });
    assert.equal(other.status, 409);
    assert.match(other.body.error, /^Locked by pc-1 \(PID 10\) until \d{4}-/);
    // The same instance id claimed from another host is not the holder either.
    assert.equal(
      (await lab(r1.url, 'POST', '/registry/entries/heartbeat_arm/lock', token, { ...holder, holder_host: 'pc-2' })).status,
      409,
    );
    assert.equal((await lab(r1.url, 'POST', '/registry/entries/nobody_knows/lock', token, holder)).status, 404);
  });

  test('lab lock expiry on the server clock: after the TTL another instance gets it, with the next fencing token', async () => {
    const short = await startReplica({ redisUrl: redis.url, tokenFile, leaseTtl: 1 });
    try {
      await untilHealth(short.url, 200);
      await lab(short.url, 'POST', '/registry/entries/expiring_arm', token, entry('01ARZ3NDEKTSV4RRFFQ69G5FA3'));
      const a = await lab(short.url, 'POST', '/registry/entries/expiring_arm/lock', token, {
        holder_host: 'pc-a',
        holder_pid: 1,
        holder_instance: 'a',
      });
      assert.equal(a.status, 200);
      assert.equal(micros(a.body.lock.expires_at) - micros(a.body.lock.acquired_at), 1_000_000, 'TTL 1 s');
      const b = (await waitFor(async () => {
        const r = await lab(short.url, 'POST', '/registry/entries/expiring_arm/lock', token, {
          holder_host: 'pc-b',
          holder_pid: 2,
          holder_instance: 'b',
        });
        return r.status === 200 ? r : undefined;
      }, 'the lock to expire')) as JsonReply;
      assert.ok(micros(b.body.lock.acquired_at) >= micros(a.body.lock.expires_at), 'granted only once the first lock had expired');
      assert.equal(b.body.fencing_token, a.body.fencing_token + 1);
      // A's late release is refused (409): it no longer holds the lock.
      assert.equal((await lab(short.url, 'POST', '/registry/entries/expiring_arm/unlock', token, { holder_instance: 'a' })).status, 409);
      // MADSci's resolve shows no lock once it has lapsed.
      await waitFor(
        async () => (await lab(short.url, 'GET', '/registry/resolve/expiring_arm', token)).body.lock === null,
        'the second lock to lapse',
      );
      assert.deepEqual(
        (await lab(short.url, 'POST', '/registry/entries/expiring_arm/unlock', token, { holder_instance: 'a' })).body.released,
        false,
        'an expired lock counts as free',
      );
    } finally {
      await short.kill();
    }
  });
});
