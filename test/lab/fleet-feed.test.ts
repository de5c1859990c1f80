import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ulid } from 'ulid';
import { LabClient } from '../../src/core/agent/lab-client';
import { LabFleetFeed } from '../../src/core/fleet/fleet-feed';
import type { FleetFeed } from '../../src/core/fleet/fleet-snapshot';
import { stationSummaryFrom } from '../../src/core/fleet/fleet-untrusted';
import { sleep, waitFor } from '../support/helpers';
import { SKIP_NO_REDIS, startRedis, TestRedis } from '../support/redis';
import { lab, labTokenFile, Replica, startReplica, untilHealth } from '../support/lab';
import { Agent, makeStation, startAgent, Station } from '../support/fleet';

/**
 * LabFleetFeed (what a window's Fleet view reads) against real replicas on a real redis-server,
 * with real `hubkeeper agent` processes publishing: live changes through another replica, only
 * changed stations read again, a replica killed (-9) and Redis restarted under it, a refused
 * token (refused once, the requests counted), and a station publishing a hostile state. The
 * client is the real LabClient, counted: a subclass that only tallies the routes it is asked for.
 */

class CountingClient extends LabClient {
  readonly routes: string[] = [];
  override call(method: string, route: string, body?: unknown, timeoutMs?: number) {
    this.routes.push(route.split('?')[0]);
    return super.call(method, route, body, timeoutMs);
  }
}

describe('the window fleet feed', { skip: SKIP_NO_REDIS }, () => {
  let redis: TestRedis;
  let r1: Replica;
  let r2: Replica;
  let tokenFile: string;
  let labToken: string;
  let a: Station;
  let b: Station;
  const agents: Agent[] = [];
  const feeds: FleetFeed[] = [];
  const open = (urls: string[], token = labToken, station = 'viewer') => {
    const client = new CountingClient(
      urls.map((u) => new URL(u)),
      token,
    );
    const feed = new LabFleetFeed({ client, station });
    feeds.push(feed);
    return { client, feed };
  };
  const entryOf = (feed: FleetFeed, station: string, name: string) =>
    feed.snapshot?.stations.find((s) => s.summary.station === station)?.state?.entries.find((e) => e.name === name);

  before(async () => {
    redis = await startRedis();
    ({ file: tokenFile, token: labToken } = labTokenFile());
    r1 = await startReplica({ redisUrl: redis.url, tokenFile });
    r2 = await startReplica({ redisUrl: redis.url, tokenFile });
    await untilHealth(r1.url, 200);
    await untilHealth(r2.url, 200);
    a = await makeStation(r1.url, labToken, 'station-a');
    b = await makeStation(r1.url, labToken, 'station-b');
    agents.push(await startAgent(a, [r2.url], ['--heartbeat', '5']));
    agents.push(await startAgent(b, [r2.url], ['--heartbeat', '5']));
  });
  after(async () => {
    for (const f of feeds) f.dispose();
    for (const ag of agents) await ag.stop('SIGKILL');
  });

  test('a change an agent publishes through another replica reaches the feed, and only that station is read again', async () => {
    const { client, feed } = open([r1.url], labToken, 'station-b');
    await waitFor(
      () => feed.connection.kind === 'connected' && feed.snapshot?.stations.length === 2 && feed.snapshot.stations.every((s) => s.state),
      'both stations published, in the feed',
    );
    assert.deepEqual(
      feed.snapshot!.stations.map((s) => [s.summary.station, s.isThisStation]),
      [
        ['station-a', false],
        ['station-b', true],
      ],
    );
    // Settled: the feed has seen every change made so far (the stations' first publications) and
    // finished reading them, so what it reads from now on is for the change below.
    const now = (await lab(r1.url, 'GET', '/fleet/changes?after=0&generation=', labToken)).body.version as number;
    await waitFor(() => feed.changeVersion >= now, 'the feed at the current change version');
    await new Promise<void>((resolve) => {
      const off = feed.onChange(() => (off(), resolve()));
    });
    const changes: number[] = [];
    feed.onChange(() => changes.push(Date.now()));
    client.routes.length = 0;
    assert.equal((await a.cli('components', 'resolve', 'feed_arm', '--type', 'node', '--no-lock')).code, 0);
    await waitFor(() => entryOf(feed, 'station-a', 'feed_arm'), 'the new entry in the feed');
    const stationReads = client.routes.filter((r) => r.startsWith('/fleet/stations/'));
    assert.ok(stationReads.includes('/fleet/stations/station-a'), stationReads.join(' '));
    assert.ok(!stationReads.includes('/fleet/stations/station-b'), `station-b did not change and was not read: ${stationReads.join(' ')}`);
    assert.ok(client.routes.includes('/fleet/changes'), 'it long-polls');
    assert.ok(changes.length > 0);
  });

  test('GET /fleet/changes: a reader parked on one replica is woken by a change through another; a lost counter says reset', async () => {
    const first = await lab(r1.url, 'GET', '/fleet/changes?after=0&generation=', labToken);
    assert.equal(first.status, 200);
    assert.equal(first.body.reset, true, 'a reader without a generation reads everything first');
    const { version, generation } = first.body;
    const parked = lab(r2.url, 'GET', `/fleet/changes?after=${version}&generation=${generation}&wait_ms=20000`, labToken);
    assert.equal((await a.cli('components', 'resolve', 'wakes_reader', '--type', 'node', '--no-lock')).code, 0);
    const woken = await parked;
    assert.equal(woken.status, 200);
    assert.equal(woken.body.reset, false);
    assert.ok(woken.body.version > version);
    assert.deepEqual(woken.body.changed_stations, ['station-a'], 'only the station that published');
    const quiet = await lab(r1.url, 'GET', `/fleet/changes?after=${woken.body.version}&generation=${generation}&wait_ms=0`, labToken);
    assert.deepEqual(quiet.body.changed_stations, [], 'nothing since');
    assert.equal((await lab(r1.url, 'GET', '/fleet/changes?after=abc', labToken)).status, 400);
    // Redis lost its data (no AOF, a flush): the counter starts again under another generation.
    redis.cli('DEL', 'hk:{lab}:changes', 'hk:{lab}:changed', 'hk:{lab}:changes_generation');
    const lost = await lab(r2.url, 'GET', `/fleet/changes?after=${woken.body.version}&generation=${generation}&wait_ms=20000`, labToken);
    assert.equal(lost.body.reset, true, 'answered at once: read everything again');
    assert.notEqual(lost.body.generation, generation);
  });

  test('the replica it long-polls is killed (-9): the next replica answers and nothing is missed', async () => {
    const r3 = await startReplica({ redisUrl: redis.url, tokenFile });
    const { feed } = open([r3.url, r1.url]);
    await waitFor(() => feed.connection.kind === 'connected' && feed.snapshot, 'connected through r3');
    await sleep(200); // let it settle into its long poll on r3
    await r3.kill('SIGKILL');
    assert.equal((await a.cli('components', 'resolve', 'after_kill', '--type', 'node', '--no-lock')).code, 0);
    await waitFor(() => entryOf(feed, 'station-a', 'after_kill'), 'the change made after the kill, through r1');
    await waitFor(() => feed.connection.kind === 'connected', 'connected');
  });

  test('its only replica is killed (-9): reconnecting, then connected to the one started on its port, with what changed meanwhile', async () => {
    const r4 = await startReplica({ redisUrl: redis.url, tokenFile });
    const { feed } = open([r4.url]);
    await waitFor(() => feed.connection.kind === 'connected' && feed.snapshot, 'connected through r4');
    await r4.kill('SIGKILL');
    await waitFor(() => feed.connection.kind === 'reconnecting', 'reconnecting');
    assert.equal((await a.cli('components', 'resolve', 'while_away', '--type', 'node', '--no-lock')).code, 0);
    const again = await startReplica({ redisUrl: redis.url, tokenFile, listen: `127.0.0.1:${r4.port}` });
    try {
      await waitFor(() => feed.connection.kind === 'connected' && entryOf(feed, 'station-a', 'while_away'), 'connected, with the change');
    } finally {
      await again.kill();
    }
  });

  test('Redis restarts: reconnecting since … with the reason, then connected again with what changed meanwhile', async () => {
    const { feed } = open([r1.url]);
    await waitFor(() => feed.connection.kind === 'connected' && feed.snapshot, 'connected');
    const kinds: string[] = [];
    feed.onChange(() => kinds.push(feed.connection.kind));
    await redis.shutdown();
    const down = (await waitFor(() => feed.connection.kind === 'reconnecting' && feed.connection, 'reconnecting')) as { reason: string };
    assert.match(down.reason, /503|unreachable|Redis/i);
    await redis.restart();
    await untilHealth(r1.url, 200);
    await waitFor(() => feed.connection.kind === 'connected', 'connected again');
    assert.equal((await a.cli('components', 'resolve', 'after_restart', '--type', 'node', '--no-lock')).code, 0);
    await waitFor(() => entryOf(feed, 'station-a', 'after_restart'), 'a change after the restart', 40_000);
    assert.ok(kinds.indexOf('reconnecting') < kinds.lastIndexOf('connected'));
  });

  test('while nobody looks it reads at a slow pace, no long poll; looked at again, it reads at once', async () => {
    const client = new CountingClient([new URL(r1.url)], labToken);
    const feed = new LabFleetFeed({ client, station: 'viewer', visible: false, idleMs: 60_000 });
    feeds.push(feed);
    await waitFor(() => feed.connection.kind === 'connected' && feed.snapshot, 'the first snapshot');
    assert.equal((await a.cli('components', 'resolve', 'while_hidden', '--type', 'node', '--no-lock')).code, 0);
    await sleep(1500);
    assert.equal(entryOf(feed, 'station-a', 'while_hidden'), undefined, 'not read while hidden (60 s pace)');
    assert.equal(client.routes.filter((r) => r === '/fleet/changes').length, 1, 'only the first version read, no long poll');
    feed.setVisible(true);
    await waitFor(() => entryOf(feed, 'station-a', 'while_hidden'), 'read when looked at');
  });

  test('a refused token is `refused` once, and the feed sends nothing more', async () => {
    const { client, feed } = open([r1.url], 'x'.repeat(64));
    const seen: string[] = [];
    feed.onChange(() => seen.push(feed.connection.kind));
    const refused = (await waitFor(() => feed.connection.kind === 'refused' && feed.connection, 'refused')) as { reason: string };
    assert.match(refused.reason, /HTTP 401/);
    const sent = client.routes.length;
    await sleep(1500); // several backoff periods: a retry storm would show here
    await feed.refresh();
    assert.equal(client.routes.length, sent, `no request after the refusal (${client.routes.join(' ')})`);
    assert.ok(sent <= 2, `at most the version and one read: ${client.routes.join(' ')}`);
    assert.deepEqual(seen, ['refused']);
  });

  test('a station publishing a hostile state is kept sanitized or dropped, field by field', async () => {
    const evil = await makeStation(r1.url, labToken, 'evil');
    const incarnation = ulid();
    const route = (t: string) => `/fleet/stations/evil/${t}`;
    assert.equal((await lab(r1.url, 'POST', route('incarnations'), evil.token, { incarnation, heartbeat_ms: 60_000, pid: 1 })).status, 200);
    const many = Array.from({ length: 8000 }, (_, i) => ({ name: `n${i}`, id: `id${i}` }));
    const state = {
      registry: { path: 42, reason: 'x'.repeat(100_000), exists: 'yes' },
      counts: { node: 'many', module: 3 },
      held: 'not a list',
      stale_locks: [{ name: '<img src=x onerror=alert(1)>', id: '01ARZ3NDEKTSV4RRFFQ69G5FAV', lock_state: 'expired' }],
      hubs: { not: 'a list' },
      entries: [
        { name: '<b>bold</b> **md**', id: 'A' },
        { name: 12, id: 'B' },
        { name: 'rtl\u202eevil', id: 'C' },
        { name: 'no_id' },
        ...many,
      ],
      extra_field: 'ignored',
    };
    const beat = await lab(r1.url, 'POST', route('heartbeat'), evil.token, { incarnation, hash: 'h1', state });
    assert.equal(beat.status, 200, JSON.stringify(beat.body));
    const { feed } = open([r2.url]);
    // Before parseState checked types, this state made GET /fleet/stations answer 500 for everyone.
    const got = (await waitFor(() => feed.snapshot?.stations.find((s) => s.summary.station === 'evil')?.state, "evil's state"))!;
    // (a 503 is Redis slower than the store timeout on a loaded machine: asked again)
    const listed = (await waitFor(async () => {
      const res = await lab(r1.url, 'GET', '/fleet/stations', labToken);
      return res.status !== 503 && res;
    }, 'the fleet list')) as { status: number; body: unknown };
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.equal(got.registry.path, '', 'a number where a path belongs is dropped');
    assert.equal(got.registry.reason.length, 1024, 'long text is capped');
    assert.equal(got.registry.exists, false);
    assert.deepEqual(got.counts, { node: 0, module: 3 });
    assert.deepEqual(got.held, []);
    assert.deepEqual(got.hubs, []);
    assert.equal(got.stale_locks[0].name, '<img src=x onerror=alert(1)>', 'HTML stays text, for the renderer to escape');
    assert.equal(got.entries[0].name, '<b>bold</b> **md**');
    const names = got.entries.map((e) => e.name);
    assert.ok(!names.includes('rtl\u202eevil') && !names.includes('no_id') && !names.some((n) => typeof n !== 'string'));
    assert.equal(got.entries.length, 5000 - 3, 'a list is read up to 5000 items, its 3 bad ones dropped');
    assert.ok(!('extra_field' in got));
    // The summary is the lab's, but whoever answers at the URL could send anything.
    assert.equal(stationSummaryFrom({ station: '<script>' }), undefined, 'a station that is not a host name is dropped');
    const s = stationSummaryFrom({ station: 'ok-1', health: 'pwned', epoch: -5, allow_remote: ['reap', 'rm -rf'], counts: { held: 'x' } });
    assert.equal(s?.health, 'no-agent');
    assert.equal(s?.epoch, 0);
    assert.deepEqual(s?.allow_remote, ['reap']);
    assert.equal(s?.counts.held, 0);
  });
});
