import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, exited, runCli, track, waitFor, waitForLine } from '../support/helpers';
import { SKIP_NO_REDIS, startRedis, TestRedis } from '../support/redis';
import { lab, labDir, labTokenFile, Replica, startReplica, untilHealth } from '../support/lab';
import { Agent, makeStation, startAgent, Station, stationView } from '../support/fleet';

/**
 * `hubkeeper agent` on simulated stations (own HOME, registry and host name each) against two
 * real replicas on a real redis-server: what is published (status --json's snapshot, never a
 * token), health per incarnation (SIGSTOP / SIGCONT, a successor), Redis paused while local
 * operations go on, conflicts between stations' registries, and `lab adopt`. Nothing is timed:
 * every wait polls for a state, and "within one heartbeat" is judged by the heartbeats the lab saw.
 */

describe('station agents', { skip: SKIP_NO_REDIS }, () => {
  let redis: TestRedis;
  let r1: Replica;
  let r2: Replica;
  let labToken: string;
  let a: Station;
  let b: Station;
  let agentA: Agent;
  let agentB: Agent;
  const running: Agent[] = [];
  const start = async (st: Station, urls: string[], extra: string[] = []) => {
    const ag = await startAgent(st, urls, extra);
    running.push(ag);
    return ag;
  };
  const view = (st: string) => stationView(r1.url, labToken, st);

  before(async () => {
    redis = await startRedis();
    let tokenFile: string;
    ({ file: tokenFile, token: labToken } = labTokenFile());
    r1 = await startReplica({ redisUrl: redis.url, tokenFile });
    r2 = await startReplica({ redisUrl: redis.url, tokenFile });
    await untilHealth(r1.url, 200);
    await untilHealth(r2.url, 200);
    a = await makeStation(r1.url, labToken, 'station-a');
    b = await makeStation(r1.url, labToken, 'station-b');
    assert.equal((await a.cli('components', 'resolve', 'pipette_1', '--type', 'node', '--no-lock')).code, 0);
    agentA = await start(a, [r1.url, r2.url], ['--heartbeat', '0.5']);
    agentB = await start(b, [r2.url, r1.url], ['--heartbeat', '0.5']);
  });
  after(async () => {
    for (const ag of running) await ag.stop('SIGKILL');
  });

  test('each agent publishes what `status --json` prints, through either replica; a change shows without a restart; never a token', async () => {
    const ws = labDir('ws-');
    const hub = track(
      spawn(process.execPath, [CLI, 'hub', 'start', ws], { env: { ...process.env, ...a.env }, stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    await waitForLine(hub, /127\.0\.0\.1/);
    const hubToken = fs.readFileSync(path.join(ws, '.hubkeeper', 'hub.token'), 'utf8').trim();
    const local = JSON.parse((await a.cli('status', '--json')).stdout);
    const published = await waitFor(async () => {
      const v = await view('station-a');
      return v?.state?.hubs?.some((h: { cwd: string }) => h.cwd === ws) && v;
    }, "station-a's hub in its published state");
    assert.deepEqual(published.state.registry, local.registry);
    assert.deepEqual(published.state.entries, local.entries);
    assert.deepEqual(published.state.counts, local.counts);
    const mine = (s: { hubs: { cwd: string }[] }) =>
      s.hubs.filter((h) => h.cwd === ws).map((h) => ({ ...h, uptime_ms: 0, touched_at: null }));
    assert.deepEqual(mine(published.state), mine(local), 'the same hub, field for field (clock fields aside)');
    const text = JSON.stringify(published);
    for (const secret of [hubToken, a.token, b.token, labToken]) assert.ok(!text.includes(secret), 'no token is ever published');
    assert.equal(published.health, 'healthy');
    assert.equal(published.incarnation, agentA.incarnation);

    assert.equal((await a.cli('components', 'resolve', 'robot_arm', '--type', 'module', '--no-lock')).code, 0);
    const seen = await waitFor(
      async () => (await stationView(r2.url, b.token, 'station-a'))?.state?.entries.find((e: { name: string }) => e.name === 'robot_arm'),
      'the new entry in the view from the other replica',
    );
    assert.equal(seen.component_type, 'module');
    const list = await runCli(['fleet', 'list', '--json', '--lab', r2.url, '--token-file', b.tokenFile]);
    const rows = JSON.parse(list.stdout).stations;
    assert.deepEqual(
      rows.map((s: { station: string }) => s.station),
      ['station-a', 'station-b'],
    );
    assert.ok(rows.every((s: { health: string }) => s.health === 'healthy'));
    assert.equal(rows[0].counts.entries, 2);
    hub.kill('SIGTERM');
    await exited(hub);
  });

  test("a station token writes only its own station's agent data", async () => {
    const body = { incarnation: agentB.incarnation, hash: 'x', state: { forged: true } };
    for (const [route, payload] of [
      ['/fleet/stations/station-b/heartbeat', body],
      ['/fleet/stations/station-b/incarnations', { incarnation: agentA.incarnation, heartbeat_ms: 1000, pid: 1 }],
      ['/fleet/stations/station-b/goodbye', { incarnation: agentB.incarnation }],
      ['/fleet/stations/station-b/requests/poll', { incarnation: agentB.incarnation }],
      [`/fleet/stations/station-b/requests/${agentA.incarnation}/claim`, { incarnation: agentB.incarnation }],
      [`/fleet/stations/station-b/requests/${agentA.incarnation}/result`, { incarnation: agentB.incarnation, outcome: 'done' }],
    ] as const) {
      const res = await lab(r1.url, 'POST', route, a.token, payload);
      assert.equal(res.status, 403, `${route}: ${JSON.stringify(res.body)}`);
    }
    assert.equal((await lab(r1.url, 'PUT', '/fleet/stations/station-b/state', a.token, { state: {} })).status, 403);
    const v = await view('station-b');
    assert.equal(v.incarnation, agentB.incarnation, "station-b's incarnation is untouched");
    assert.equal(v.health, 'healthy');
    assert.ok(!JSON.stringify(v.state).includes('forged'));
  });

  test('a name with two ids on two stations is a conflict within one heartbeat; `lab adopt` on the station fixes it', async () => {
    assert.equal((await a.cli('components', 'resolve', 'shared_arm', '--type', 'node', '--no-lock')).code, 0);
    assert.equal((await b.cli('components', 'resolve', 'shared_arm', '--type', 'node', '--no-lock')).code, 0);
    const ids = await Promise.all([a, b].map(async (s) => (await s.cli('components', 'lookup', 'shared_arm')).stdout.trim()));
    assert.notEqual(ids[0], ids[1], 'each registry made its own ULID');
    const changedUs = (await lab(r1.url, 'GET', '/lab/status', labToken)).body.server_time;
    // Once both stations have beaten after the change, the conflict must be reported.
    await waitFor(async () => {
      const [va, vb] = await Promise.all([view('station-a'), view('station-b')]);
      return va.last_heartbeat > changedUs && vb.last_heartbeat > changedUs;
    }, 'a heartbeat of both stations after the change');
    const conflicts = (await lab(r1.url, 'GET', '/fleet/conflicts', labToken)).body.conflicts;
    const c = conflicts.find((k: { name: string }) => k.name === 'shared_arm');
    assert.ok(c, JSON.stringify(conflicts));
    assert.deepEqual(new Set(c.ids.map((i: { id: string }) => i.id)), new Set(ids));
    assert.equal((await view('station-b')).counts.conflicts, 1);

    // The lab hears station-a's id first; station-b adopts it, on station-b.
    assert.equal((await lab(r1.url, 'POST', '/registry/entries/shared_arm', a.token, { id: ids[0], component_type: 'node' })).status, 200);
    const adopt = await b.cli('lab', 'adopt', 'shared_arm', '--station', 'station-b');
    assert.equal(adopt.code, 0, adopt.stderr);
    assert.match(adopt.stdout, new RegExp(`now has the lab's id ${ids[0]} \\(was ${ids[1]}\\)`));
    assert.equal((await b.cli('components', 'lookup', 'shared_arm')).stdout.trim(), ids[0]);
    await waitFor(
      async () =>
        !(await lab(r1.url, 'GET', '/fleet/conflicts', labToken)).body.conflicts.some((k: { name: string }) => k.name === 'shared_arm'),
      'the conflict to clear',
    );
    const again = await b.cli('lab', 'adopt', 'shared_arm', '--station', 'station-b');
    assert.match(again.stdout, /already has the lab's id/);
  });

  test('lab adopt refuses an entry a live holder has locked, in one line', async () => {
    const holder = track(
      spawn(process.execPath, [CLI, 'components', 'resolve', 'held_arm', '--type', 'node', '--hold'], {
        env: { ...process.env, ...b.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    await waitForLine(holder, /^[0-9A-Z]{26}/);
    assert.equal(
      (await lab(r1.url, 'POST', '/registry/entries/held_arm', labToken, { id: '01ARZ3NDEKTSV4RRFFQ69G5FC1', component_type: 'node' }))
        .status,
      200,
    );
    const res = await b.cli('lab', 'adopt', 'held_arm', '--station', 'station-b');
    assert.equal(res.code, 3, res.stderr);
    assert.equal(res.stderr.trim().split('\n').length, 1);
    assert.match(res.stderr, /Cannot adopt the lab's id for 'held_arm': currently locked by/);
    holder.kill('SIGKILL');
    await exited(holder);
  });

  test(
    'Redis paused: local operations complete while it is paused; the agent republishes once it is back',
    { timeout: 120_000 },
    async () => {
      const before = (await view('station-a')).state.entries.length;
      redis.cli('CLIENT', 'PAUSE', '600000', 'WRITE');
      try {
        for (const n of ['paused_1', 'paused_2', 'paused_3']) {
          const r = await a.cli('components', 'resolve', n, '--type', 'node');
          assert.equal(r.code, 0, r.stderr);
        }
        assert.equal((await a.cli('components', 'release', 'paused_1')).code, 0);
        assert.equal((await a.cli('status', '--json')).code, 0);
        // Still paused: nothing of it has reached Redis (reads still work during a WRITE pause).
        const stored = JSON.parse(redis.cli('HGET', 'hk:{lab}:station:station-a', 'state'));
        assert.equal(stored.entries.length, before, 'the local operations finished while Redis could not take a write');
      } finally {
        redis.cli('CLIENT', 'UNPAUSE');
      }
      const names = await waitFor(async () => {
        const v = await view('station-a');
        const got = v?.state?.entries.map((e: { name: string }) => e.name) ?? [];
        return ['paused_1', 'paused_2', 'paused_3'].every((n) => got.includes(n)) && got;
      }, 'the agent to republish after the pause');
      assert.ok(names.includes('pipette_1'));
      assert.equal(agentA.child.exitCode, null, 'the agent kept running');
    },
  );

  test('an agent stopped past its TTL is refused when it continues, and never overwrites its successor', { timeout: 120_000 }, async () => {
    const c = await makeStation(r1.url, labToken, 'station-c');
    const old = await start(c, [r1.url], ['--heartbeat', '0.3']);
    await waitFor(async () => (await view('station-c'))?.health === 'healthy', 'station-c healthy');
    old.child.kill('SIGSTOP');
    await waitFor(async () => (await view('station-c')).health === 'stale', 'station-c stale after 3 missed heartbeats');
    const next = await start(c, [r2.url], ['--heartbeat', '0.3']);
    assert.ok(next.epoch > old.epoch);
    assert.equal((await c.cli('components', 'resolve', 'after_successor', '--type', 'node', '--no-lock')).code, 0);
    await waitFor(
      async () => (await view('station-c'))?.state?.entries.some((e: { name: string }) => e.name === 'after_successor'),
      "the successor's state",
    );
    old.child.kill('SIGCONT');
    const end = await exited(old.child);
    assert.equal(end.code, 1, old.stderr());
    assert.match(old.stderr(), /station station-c: replaced: station 'station-c' has a newer agent/);
    const v = await view('station-c');
    assert.equal(v.incarnation, next.incarnation, "the successor's incarnation stands");
    assert.equal(v.health, 'healthy');
    assert.ok(
      v.state.entries.some((e: { name: string }) => e.name === 'after_successor'),
      "the successor's data stands",
    );
  });

  test('without a successor, a continued agent is refused, then starts a new incarnation and resyncs', { timeout: 120_000 }, async () => {
    const d = await makeStation(r1.url, labToken, 'station-d');
    const ag = await start(d, [r1.url], ['--heartbeat', '0.3']);
    ag.child.kill('SIGSTOP');
    await waitFor(async () => (await view('station-d')).health === 'stale', 'station-d stale');
    assert.equal((await d.cli('components', 'resolve', 'while_stopped', '--type', 'node', '--no-lock')).code, 0);
    ag.child.kill('SIGCONT');
    const v = await waitFor(async () => {
      const s = await view('station-d');
      // A new incarnation is healthy a moment before its first state arrives (state is null until then).
      return (
        s.epoch > ag.epoch && s.health === 'healthy' && s.state?.entries.some((e: { name: string }) => e.name === 'while_stopped') && s
      );
    }, 'a new incarnation of the same agent, with the current state');
    assert.notEqual(v.incarnation, ag.incarnation);
    assert.match(ag.stderr(), /refused a heartbeat of incarnation \S+ .*missed its heartbeats/);
    assert.equal(ag.child.exitCode, null);
  });

  test('a replica going away moves the agent to the next one; its state keeps flowing', async () => {
    const e = await makeStation(r1.url, labToken, 'station-e');
    const { file } = labTokenFile();
    fs.writeFileSync(file, `${labToken}\n`, { mode: 0o600 });
    const r3 = await startReplica({ redisUrl: redis.url, tokenFile: file });
    await start(e, [r3.url, r2.url], ['--heartbeat', '0.3']);
    await r3.kill();
    assert.equal((await e.cli('components', 'resolve', 'after_failover', '--type', 'node', '--no-lock')).code, 0);
    await waitFor(
      async () => (await view('station-e'))?.state?.entries.some((x: { name: string }) => x.name === 'after_failover'),
      'the change through the other replica',
    );
  });
});
