import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ulid } from 'ulid';
import { waitFor } from '../support/helpers';
import { SKIP_NO_REDIS, startRedis, TestRedis } from '../support/redis';
import { lab, labTokenFile, Replica, startReplica, untilHealth } from '../support/lab';
import { Agent, makeStation, startAgent, Station } from '../support/fleet';
import { LabAuditSource } from '../../src/core/agent/lab-audit-source';
import { LabClient } from '../../src/core/agent/lab-client';
import { LeaseEvent } from '../../src/core/journal/lease-event';
import { LeaseHolder } from '../../src/core/lease-holder/lease-holder';
import { ComponentRegistry } from '../../src/core/registry/component-registry';

/**
 * The lease events of the lab's audit stream: a real `hubkeeper agent` watches a real registry
 * while this process takes, releases and takes over a lease in it (as holders on that station:
 * its host name, this live pid), and the transitions come back through GET /fleet/audit and
 * LabAuditSource. The server takes the station from the token, and refuses bad or too many
 * events with a 400 naming the field. Every wait polls for a state; nothing is timed.
 */

describe('lease events in the lab audit stream', { skip: SKIP_NO_REDIS }, () => {
  let redis: TestRedis;
  let r1: Replica;
  let labToken: string;
  let a: Station;
  let b: Station;
  let agentA: Agent;
  let source: LabAuditSource;
  const clients: LabClient[] = [];

  before(async () => {
    redis = await startRedis();
    let tokenFile: string;
    ({ file: tokenFile, token: labToken } = labTokenFile());
    r1 = await startReplica({ redisUrl: redis.url, tokenFile });
    await untilHealth(r1.url, 200);
    a = await makeStation(r1.url, labToken, 'station-a');
    b = await makeStation(r1.url, labToken, 'station-b');
    assert.equal((await a.cli('components', 'resolve', 'placeholder', '--type', 'node', '--no-lock')).code, 0);
    agentA = await startAgent(a, [r1.url], ['--heartbeat', '0.3']);
    const client = new LabClient([new URL(r1.url)], b.token);
    clients.push(client);
    source = new LabAuditSource(client, 'station-a');
  });
  after(async () => {
    await agentA?.stop('SIGKILL');
    for (const c of clients) c.close();
  });

  const all = { sinceMs: 0, untilMs: Number.MAX_SAFE_INTEGER };
  const seen = (pred: (e: LeaseEvent) => boolean, what: string): Promise<LeaseEvent> =>
    waitFor(async () => (await source.events(all)).find(pred), what) as Promise<LeaseEvent>;

  test('a lease taken, released, then taken over by another holder: each transition appears, as station-a', async () => {
    const one = new LeaseHolder({ hostname: 'station-a', ttlMs: 1500, heartbeatMs: 500 });
    const two = new LeaseHolder({ hostname: 'station-a', ttlMs: 30_000, heartbeatMs: 1000 });
    const reg1 = new ComponentRegistry(a.registry, { holder: one });
    const reg2 = new ComponentRegistry(a.registry, { holder: two });
    try {
      const id = await reg1.resolve('arm', 'node');
      const acquired = await seen((e) => e.kind === 'acquired' && e.holder?.instance === one.instanceId, 'acquired by holder one');
      assert.deepEqual(acquired.subject, { kind: 'component', name: 'arm', id, station: 'station-a' });
      assert.equal(acquired.holder?.pid, process.pid);
      assert.equal(acquired.source, 'lab');
      assert.ok(acquired.expiresAtMs && acquired.expiresAtMs > acquired.atMs);

      assert.equal(await reg1.release('arm'), true);
      await seen((e) => e.kind === 'released' && e.holder?.instance === one.instanceId, 'released by holder one');

      await reg1.resolve('arm', 'node');
      one.stopTimer(); // holder one stops beating: its lease runs out, holder two takes it
      await reg2.resolve('arm', 'node', { retryTimeoutMs: 30_000, retryIntervalMs: 100 });
      const taken = await seen((e) => e.kind === 'taken-over' && e.holder?.instance === two.instanceId, 'taken over by holder two');
      assert.equal(taken.previous?.instance, one.instanceId);
      assert.match(taken.detail ?? '', /previous lease was (held|expired)|forced/);

      const raw = await lab(r1.url, 'GET', '/fleet/audit?station=station-a&since_ms=0', b.token);
      assert.equal(raw.status, 200);
      const times = raw.body.events.map((e: { atMs: number }) => e.atMs);
      assert.deepEqual(
        times,
        [...times].sort((x, y) => x - y),
        'oldest first, newest last',
      );
      assert.ok(raw.body.events.every((e: { subject: { station: string } }) => e.subject.station === 'station-a'));
      // Components only: the agent's process scan is machine-wide and sees other people's hubs.
      const before = (await source.events({ sinceMs: 0, untilMs: acquired.atMs - 1 })).filter((e) => e.subject.kind === 'component');
      assert.deepEqual(before, [], 'nothing before the first acquisition');
      const exact = await source.events({ sinceMs: acquired.atMs, untilMs: acquired.atMs });
      assert.ok(
        exact.some((e) => e.kind === 'acquired' && e.holder?.instance === one.instanceId),
        'the range is inclusive',
      );
      const other = await lab(r1.url, 'GET', '/fleet/audit?station=station-b', labToken);
      assert.deepEqual(other.body.events, [], 'station-b observed nothing');
    } finally {
      await two.releaseAll();
      await one.releaseAll();
    }
  });

  test(
    'a lease taken while Redis cannot take a write reaches the audit once it can; each transition is read once',
    { timeout: 120_000 },
    async () => {
      const holder = new LeaseHolder({ hostname: 'station-a', ttlMs: 30_000, heartbeatMs: 1000 });
      const reg = new ComponentRegistry(a.registry, { holder });
      try {
        redis.cli('CLIENT', 'PAUSE', '600000', 'WRITE');
        try {
          await reg.resolve('paused_arm', 'node');
          assert.equal((await a.cli('status', '--json')).code, 0, 'local operations go on');
        } finally {
          redis.cli('CLIENT', 'UNPAUSE');
        }
        await seen((e) => e.kind === 'acquired' && e.holder?.instance === holder.instanceId, 'the acquisition, after the pause');
        assert.equal(await reg.release('paused_arm'), true);
        await seen((e) => e.kind === 'released' && e.holder?.instance === holder.instanceId, 'the release');
        // A heartbeat that Redis ran late is sent again by the agent: stored twice, read once.
        const mine = (await source.events(all)).filter((e) => e.holder?.instance === holder.instanceId).map((e) => e.kind);
        assert.deepEqual(mine, ['acquired', 'released']);
        assert.equal(agentA.child.exitCode, null, 'the agent kept running');
      } finally {
        await holder.releaseAll();
      }
    },
  );

  const forged = (over: Record<string, unknown> = {}) => ({
    atMs: Date.now(),
    kind: 'acquired',
    subject: { kind: 'component', name: 'forged_arm', id: 'X', station: 'station-b' },
    holder: { host: 'station-b', pid: 1, instance: 'FORGED' },
    ...over,
  });
  const beat = (st: string, token: string, events: unknown[]) =>
    lab(r1.url, 'POST', `/fleet/stations/${st}/heartbeat`, token, { incarnation: agentA.incarnation, hash: 'h', lease_events: events });

  test('a station cannot post events for another station; what it posts is stored as its own', async () => {
    const refused = await beat('station-b', a.token, [forged()]);
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    const mine = await beat('station-a', a.token, [
      forged({ subject: { kind: 'component', name: 'claimed_b', id: 'Y', station: 'station-b' } }),
    ]);
    assert.equal(mine.status, 200, JSON.stringify(mine.body));
    assert.equal(mine.body.lease_events_stored, 1);
    const all = (await lab(r1.url, 'GET', '/fleet/audit?since_ms=0', labToken)).body.events as LeaseEvent[];
    assert.ok(!all.some((e) => e.subject.name === 'forged_arm'), 'nothing of the refused post');
    assert.equal(all.find((e) => e.subject.name === 'claimed_b')?.subject.station, 'station-a', 'the station is the token’s');
    const show = await lab(r1.url, 'GET', '/fleet/stations/station-a', labToken);
    assert.ok(
      show.body.audit.every((m: { event: string }) => m.event !== 'lease'),
      "`fleet show`'s audit stays the requests'",
    );
  });

  test('oversize and bad events are refused with a 400 naming the field, and nothing of them is stored', async () => {
    const cases: [unknown[], RegExp][] = [
      [Array.from({ length: 101 }, () => forged()), /^lease_events: at most 100/],
      [[forged(), forged({ kind: 'exploded' })], /^lease_events\[1\]\.kind: expected one of/],
      [
        [forged({ subject: { kind: 'component', name: 'n'.repeat(300), id: null } })],
        /^lease_events\[0\]\.subject\.name: expected at most 256/,
      ],
      [[forged({ detail: 'd'.repeat(600) })], /^lease_events\[0\]\.detail/],
      [[forged({ atMs: -5 })], /^lease_events\[0\]\.atMs/],
      [[forged({ holder: { host: 'h', pid: 'one' } })], /^lease_events\[0\]\.holder\.pid/],
      [[forged({ subject: { kind: 'robot', name: 'x', id: null } })], /^lease_events\[0\]\.subject\.kind/],
    ];
    for (const [events, error] of cases) {
      const res = await beat('station-a', a.token, events);
      assert.equal(res.status, 400, JSON.stringify(res.body).slice(0, 200));
      assert.match(res.body.error, error);
    }
    const all = (await lab(r1.url, 'GET', '/fleet/audit?since_ms=0', labToken)).body.events as LeaseEvent[];
    assert.ok(!all.some((e) => e.holder?.instance === 'FORGED' && e.subject.name !== 'claimed_b'), 'no refused event was stored');
    const badQuery = await lab(r1.url, 'GET', '/fleet/audit?since_ms=yesterday', labToken);
    assert.equal(badQuery.status, 400);
    assert.match(badQuery.body.error, /^since_ms:/);
    assert.equal((await lab(r1.url, 'GET', '/fleet/audit')).status, 401, 'reading needs a token');
  });

  test('a station flooding lease events is capped per minute (429) and cannot push remote-action records out of `fleet show`', async () => {
    const c = await makeStation(r1.url, labToken, 'station-flood');
    const incarnation = ulid();
    const made = await lab(r1.url, 'POST', '/fleet/stations/station-flood/incarnations', c.token, {
      incarnation,
      heartbeat_ms: 600_000,
      pid: 1,
    });
    assert.equal(made.status, 200, JSON.stringify(made.body));
    const request = await lab(r1.url, 'POST', '/fleet/stations/station-flood/requests', labToken, {
      kind: 'release',
      target: { name: 'arm', holder_instance: 'X', acquired_at: 'Y' },
    });
    assert.equal(request.status, 201, JSON.stringify(request.body));
    const statuses: number[] = [];
    let limited: { error: string; retry_after_ms: number; state_stored: boolean } | undefined;
    for (let i = 0; i < 10; i++) {
      const events = Array.from({ length: 100 }, (_, j) =>
        forged({ subject: { kind: 'component', name: `flood_${i}_${j}`, id: null, station: 'station-flood' } }),
      );
      const res = await lab(r1.url, 'POST', '/fleet/stations/station-flood/heartbeat', c.token, {
        incarnation,
        hash: 'h',
        lease_events: events,
      });
      statuses.push(res.status);
      if (res.status === 429) limited ??= res.body;
    }
    assert.ok(statuses.includes(429), `some beats were refused: ${statuses.join(',')}`);
    assert.ok(
      limited && !limited.error.includes('\n') && /station-flood.*lease events.*again in \d+ s/.test(limited.error),
      limited?.error,
    );
    assert.ok(limited.retry_after_ms > 0 && limited.retry_after_ms <= 60_000);
    const stored = (await lab(r1.url, 'GET', '/fleet/audit?station=station-flood&since_ms=0', labToken)).body.events as LeaseEvent[];
    assert.ok(stored.length <= 600, `at most the per-minute cap was stored: ${stored.length}`);
    const show = await lab(r1.url, 'GET', '/fleet/stations/station-flood', labToken);
    assert.ok(
      show.body.audit.some((m: { event: string; request: string }) => m.event === 'requested' && m.request === request.body.id),
      `the request record is still shown: ${JSON.stringify(show.body.audit).slice(0, 300)}`,
    );
  });

  test(
    'past its rate cap the real agent keeps its events and sends them once the minute allows; none dropped',
    { timeout: 180_000 },
    async () => {
      // A fresh minute for station-a (the earlier tests' posts started one), used up by posts in its
      // name; the agent's own beats continue.
      redis.cli('DEL', 'hk:{lab}:lease_rate:station-a');
      for (let i = 0; i < 6; i++) {
        const filler = Array.from({ length: 100 }, (_, j) =>
          forged({ subject: { kind: 'component', name: `filler_${i}_${j}`, id: null, station: 'station-a' } }),
        );
        if ((await beat('station-a', a.token, filler)).status === 429) break;
      }
      const holder = new LeaseHolder({ hostname: 'station-a', ttlMs: 30_000, heartbeatMs: 1000 });
      const reg = new ComponentRegistry(a.registry, { holder });
      try {
        await reg.resolve('capped_arm', 'node');
        await waitFor(
          () => /lease events this minute.*the events are kept and sent later/.test(agentA.stderr()),
          'the agent refused by the cap',
        );
        const acquired = (await waitFor(
          async () => (await source.events(all)).find((e) => e.kind === 'acquired' && e.holder?.instance === holder.instanceId),
          'the acquisition, once the minute is over',
          120_000,
        )) as LeaseEvent;
        assert.equal(acquired.subject.name, 'capped_arm');
        assert.equal(agentA.child.exitCode, null, 'the agent kept running');
      } finally {
        await holder.releaseAll();
      }
    },
  );

  test("a name offered with another id is a conflict on that station's row, at the time the lab refused it", async () => {
    const labId = ulid();
    const offered = ulid();
    const register = (token: string, id: string) =>
      lab(r1.url, 'POST', '/registry/entries/conflicted_arm', token, { id, component_type: 'node' });
    assert.equal((await register(b.token, labId)).status, 200);
    assert.equal((await register(a.token, offered)).status, 409);
    const e = await seen((x) => x.kind === 'conflict' && x.subject.name === 'conflicted_arm', 'the conflict as an event');
    assert.deepEqual(
      { id: e.subject.id, station: e.subject.station, source: e.source },
      { id: offered, station: 'station-a', source: 'lab' },
    );
    assert.match(e.detail ?? '', new RegExp(`offered ${offered}; the lab's id is ${labId}`));
  });
});
