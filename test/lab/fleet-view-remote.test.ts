import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LabClient } from '../../src/core/agent/lab-client';
import { fileRemoteRequest, labCaller, remoteOutcome } from '../../src/core/fleet/remote-request';
import { stateFromJson } from '../../src/core/overview/state-from-json';
import { AdoptChoice, conflictModels, stationModels } from '../../src/extension/views/fleet-tree';
import { exited, ROOT, spawnNode, waitFor, waitForLine } from '../support/helpers';
import { SKIP_NO_REDIS, startRedis, TestRedis } from '../support/redis';
import { lab, labDir, labTokenFile, Replica, startReplica, untilHealth } from '../support/lab';
import { Agent, makeStation, startAgent, Station } from '../support/fleet';
import { PollingFleetFeed } from '../support/fleet-feed';

/**
 * The Fleet view's remote actions end to end, without an editor: a real redis-server, a real lab
 * replica, real station agents (`hubkeeper agent`), real hub-like processes (scripts/fake-hub.mjs
 * in a folder then deleted: an orphan). The targets are taken from the published state the way
 * the view takes them (a stand-in feed polling the lab → state-from-json.ts / fleet-tree.ts), and
 * sent with core/fleet/remote-request.ts, as the view's commands send them. Only this file's own
 * processes are ever targeted.
 */

const FAKE_HUB = path.join(ROOT, 'scripts', 'fake-hub.mjs');

async function orphanHub(extra: string[] = []) {
  const dir = labDir('fleet-view-orphan-');
  const child = spawnNode(FAKE_HUB, ['--title', 'bones hub start', '--cwd', dir, ...extra]);
  const pid = Number((await waitForLine(child, /^ready /)).split(' ')[2]);
  fs.rmSync(dir, { recursive: true, force: true });
  return { child, pid };
}

describe("the Fleet view's remote actions against a real lab and agents", { skip: SKIP_NO_REDIS }, () => {
  let redis: TestRedis;
  let replica: Replica;
  let labToken: string;
  let target: Station;
  let strict: Station;
  let agent: Agent;
  let feed: PollingFleetFeed;
  const agents: Agent[] = [];
  const call = () => labCaller(new LabClient([new URL(replica.url)], labToken));
  /** A station's published state as the view reads it, once `ok` holds. */
  const published = <T>(station: string, ok: (st: ReturnType<typeof stateFromJson>) => T | undefined, what: string) =>
    waitFor(async () => {
      await feed.refresh();
      const st = feed.snapshot?.stations.find((s) => s.summary.station === station)?.state;
      return st ? ok(stateFromJson(st)) : undefined;
    }, what) as Promise<NonNullable<T>>;

  before(async () => {
    redis = await startRedis();
    let tokenFile: string;
    ({ file: tokenFile, token: labToken } = labTokenFile());
    replica = await startReplica({ redisUrl: redis.url, tokenFile });
    await untilHealth(replica.url, 200);
    target = await makeStation(replica.url, labToken, 'fv-target');
    strict = await makeStation(replica.url, labToken, 'fv-strict');
    agent = await startAgent(target, [replica.url], ['--heartbeat', '0.5', '--allow-remote', 'release,reap,adopt']);
    agents.push(agent, await startAgent(strict, [replica.url], ['--heartbeat', '0.5']));
    feed = new PollingFleetFeed(new LabClient([new URL(replica.url)], labToken), 'fv-viewer');
  });
  after(async () => {
    feed?.dispose();
    for (const ag of agents) await ag.stop('SIGKILL');
  });

  test('the stations as the view shows them: healthy, none of them this machine', async () => {
    const models = (await waitFor(async () => {
      await feed.refresh();
      const m = stationModels(feed.snapshot);
      return m.length === 2 && m.every((s) => s.state) ? m : undefined;
    }, 'both stations published')) as NonNullable<ReturnType<typeof stationModels>>;
    assert.equal(feed.connection.kind, 'connected');
    assert.deepEqual(
      models.map((m) => [m.name, m.health, m.isThis]),
      [
        ['fv-strict', 'healthy', false],
        ['fv-target', 'healthy', false],
      ],
    );
  });

  test('Release Lock on station: the stale lease as published is released by its agent → done, the file says free', async () => {
    const stale = {
      holder_pid: 999999,
      holder_host: 'elsewhere',
      holder_instance: '01ARZ3NDEKTSV4RRFFQ69G5FD1',
      acquired_at: '2026-01-01T00:00:00Z',
      heartbeat_at: '2026-01-01T00:00:10Z',
      expires_at: '2026-01-01T00:00:40Z',
    };
    const entry = { id: '01ARZ3NDEKTSV4RRFFQ69G5FD2', component_type: 'node', created_at: '2026-01-01T00:00:00Z' };
    const doc = {
      version: 1,
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
      entries: {} as Record<string, unknown>,
    };
    doc.entries.gone_arm = { ...entry, last_seen: '2026-01-01T00:00:00Z', metadata: {}, lock: stale, workcell_id: null };
    fs.writeFileSync(target.registry, JSON.stringify(doc, null, 2));
    const lease = await published(
      'fv-target',
      (st) => st.staleLeases.find((c) => c.entry.name === 'gone_arm'),
      'the stale lease published',
    );
    const lock = lease.entry.lock!;
    // The confirmation shows host · pid: a lock whose holder is another pid is not the one confirmed.
    const otherPid = await fileRemoteRequest(call(), 'fv-target', 'release', {
      name: lease.entry.name,
      holder_host: lock.holderHost,
      holder_pid: lock.holderPid + 1,
      holder_instance: lock.holderInstance,
      acquired_at: lock.acquiredAt.text,
    });
    assert.equal(remoteOutcome(otherPid).kind, 'refused', String(otherPid.detail));
    assert.match(
      String(otherPid.detail),
      /held by elsewhere \(PID 999999\) now, not elsewhere \(PID 1000000\) as confirmed; nothing released/,
    );
    const unnamed = await fileRemoteRequest(call(), 'fv-target', 'release', {
      name: lease.entry.name,
      holder_instance: lock.holderInstance,
      acquired_at: lock.acquiredAt.text,
    });
    assert.equal(remoteOutcome(unnamed).kind, 'refused', 'host and pid are required');
    assert.notEqual(JSON.parse(fs.readFileSync(target.registry, 'utf8')).entries.gone_arm.lock, null, 'still locked');
    // What fleet-release-lock.ts sends.
    const r = await fileRemoteRequest(call(), 'fv-target', 'release', {
      name: lease.entry.name,
      holder_host: lock.holderHost,
      holder_pid: lock.holderPid,
      holder_instance: lock.holderInstance,
      acquired_at: lock.acquiredAt.text,
    });
    assert.deepEqual([r.state, remoteOutcome(r).kind], ['done', 'done'], String(r.detail));
    assert.match(String(r.detail), /released the stale lease on 'gone_arm'/);
    assert.equal(JSON.parse(fs.readFileSync(target.registry, 'utf8')).entries.gone_arm.lock, null);
  });

  test('Reap Hub on station: a real orphan, named by its published pid and exact start, is gone afterwards (kill 0 fails)', async () => {
    const hub = await orphanHub();
    const shown = await published(
      'fv-target',
      (st) => st.hubs.find((h) => h.info.pid === hub.pid && h.info.state === 'orphan'),
      'the orphan',
    );
    assert.equal(typeof shown.startTicks, 'number');
    const r = await fileRemoteRequest(call(), 'fv-target', 'reap', {
      key: shown.info.key,
      pid: shown.info.pid,
      process_start_ticks: shown.startTicks,
      expect_state: 'orphan',
      name: shown.info.name,
      cwd: shown.info.cwd,
    });
    assert.equal(remoteOutcome(r).kind, 'done', String(r.detail));
    assert.match(String(r.detail), /^reaped/);
    assert.deepEqual(await exited(hub.child), { code: null, signal: 'SIGTERM' });
    assert.throws(() => process.kill(hub.pid, 0), { code: 'ESRCH' });
  });

  test("a station whose agent does not allow it: refused there, 'not allowed on that station'; nothing signalled", async () => {
    const hub = await orphanHub();
    try {
      const shown = await published('fv-strict', (st) => st.hubs.find((h) => h.info.pid === hub.pid), 'the orphan on fv-strict');
      const r = await fileRemoteRequest(call(), 'fv-strict', 'reap', {
        key: shown.info.key,
        pid: hub.pid,
        process_start_ticks: shown.startTicks,
        expect_state: 'orphan',
      });
      assert.equal(r.state, 'refused');
      assert.equal(remoteOutcome(r).kind, 'not-allowed', String(r.detail));
      process.kill(hub.pid, 0); // still there
    } finally {
      hub.child.kill('SIGKILL');
    }
  });

  test("Adopt the Lab's ID on station: offered on the conflict, run by its agent, and the conflict is gone", async () => {
    assert.equal((await target.cli('components', 'resolve', 'twin_arm', '--type', 'node', '--no-lock')).code, 0);
    const labId = '01ARZ3NDEKTSV4RRFFQ69G5FD3';
    assert.equal(
      (await lab(replica.url, 'POST', '/registry/entries/twin_arm', labToken, { id: labId, component_type: 'node' })).status,
      200,
    );
    const choice = (await waitFor(async () => {
      await feed.refresh();
      const c = conflictModels(feed.snapshot, stationModels(feed.snapshot)).find((k) => k.name === 'twin_arm');
      return c?.ids.find((i) => i.station === 'fv-target' && i.offered);
    }, 'the conflict, adoptable on fv-target')) as AdoptChoice;
    assert.equal(choice.labId, labId);
    // What fleet-adopt-id.ts sends: both ids as confirmed. One that moved meanwhile changes nothing.
    const moved = await fileRemoteRequest(call(), 'fv-target', 'adopt', {
      name: choice.name,
      from_id: labId.replace(/3$/, '9'),
      lab_id: labId,
    });
    assert.equal(remoteOutcome(moved).kind, 'refused', String(moved.detail));
    assert.match(String(moved.detail), /not 01ARZ3NDEKTSV4RRFFQ69G5FD9 as confirmed; nothing changed/);
    const labMoved = await fileRemoteRequest(call(), 'fv-target', 'adopt', {
      name: choice.name,
      from_id: choice.stationId,
      lab_id: choice.stationId,
    });
    assert.match(String(labMoved.detail), /the lab's id for 'twin_arm' is now .* as confirmed; nothing changed/);
    assert.equal((await target.cli('components', 'lookup', 'twin_arm')).stdout.trim(), choice.stationId);
    // A confirmed station id without the lab id: the station would take whatever the lab has now.
    const noLabId = await fileRemoteRequest(call(), 'fv-target', 'adopt', { name: choice.name, from_id: choice.stationId });
    assert.equal(remoteOutcome(noLabId).kind, 'refused', String(noLabId.detail));
    assert.match(String(noLabId.detail), /names from_id also names lab_id/);
    assert.equal((await target.cli('components', 'lookup', 'twin_arm')).stdout.trim(), choice.stationId, 'unchanged');
    const r = await fileRemoteRequest(call(), 'fv-target', 'adopt', { name: choice.name, from_id: choice.stationId, lab_id: labId });
    assert.equal(remoteOutcome(r).kind, 'done', String(r.detail));
    assert.equal((await target.cli('components', 'lookup', 'twin_arm')).stdout.trim(), labId);
    await waitFor(async () => {
      await feed.refresh();
      return !feed.snapshot?.conflicts.some((c) => c.name === 'twin_arm');
    }, 'the conflict to go');
  });

  test(
    'an agent paused (SIGSTOP) while it runs the request, past the deadline: outcome unknown, not a guess',
    { timeout: 120_000 },
    async () => {
      const hub = await orphanHub(['--ignore-term']);
      try {
        const shown = await published('fv-target', (st) => st.hubs.find((h) => h.info.pid === hub.pid), 'the stubborn orphan');
        const termed = waitForLine(hub.child, 'ignored SIGTERM', 60_000);
        const states: string[] = [];
        const pending = fileRemoteRequest(
          call(),
          'fv-target',
          'reap',
          { key: shown.info.key, pid: hub.pid, process_start_ticks: shown.startTicks, expect_state: 'orphan', grace_ms: 20_000 },
          { deadlineMs: 2000, slackMs: 500, onState: (seen) => states.push(seen.state) },
        );
        await termed; // claimed and SIGTERM sent; the agent now waits out the grace…
        agent.child.kill('SIGSTOP'); // …and stops answering
        const r = await pending;
        assert.equal(r.state, 'unknown');
        assert.equal(remoteOutcome(r).kind, 'unknown');
        assert.match(String(r.detail), /claimed by the station, but no result came/);
        assert.ok(states.includes('running'), states.join(','));
      } finally {
        agent.child.kill('SIGCONT');
        hub.child.kill('SIGKILL');
      }
    },
  );
});
