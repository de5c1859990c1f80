import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, exited, ROOT, runCli, spawnNode, track, waitFor, waitForLine } from '../support/helpers';
import { SKIP_NO_REDIS, startRedis, TestRedis } from '../support/redis';
import { lab, labDir, labTokenFile, Replica, startReplica, untilHealth } from '../support/lab';
import { Agent, makeStation, startAgent, Station, stationView } from '../support/fleet';
import { isPidRunning } from '../../src/core/processes/process-identity';
import { defaultHubRoots } from '../../src/core/hubs/hub-paths';
import { goTime, serializeHubEntry } from '../../src/core/hubs/hub-entry';
import { workspaceId } from '../../src/core/hubs/workspace-id';

/**
 * Remote actions and lab-lock keep-alive, with real agents, real hub-like processes
 * (scripts/fake-hub.mjs titled "bones hub start" in a folder that is then deleted: an orphan the
 * process scan finds) and a real redis-server. Only this file's own processes are ever targeted,
 * by their published key, pid and start. A recycled pid cannot be forced on a machine, so that
 * test names a live hub's pid with another process start: exactly what a recycled pid looks like
 * to the station. A crash while running a request is a real SIGKILL of the agent mid-reap.
 */

const FAKE_HUB = path.join(ROOT, 'scripts', 'fake-hub.mjs');

async function orphanHub(extra: string[] = []) {
  const dir = labDir('doomed-');
  const child = spawnNode(FAKE_HUB, ['--title', 'bones hub start', '--cwd', dir, ...extra]);
  const pid = Number((await waitForLine(child, /^ready /)).split(' ')[2]);
  fs.rmSync(dir, { recursive: true, force: true });
  return { child, pid, dir };
}

describe('remote actions and lab locks', { skip: SKIP_NO_REDIS }, () => {
  let redis: TestRedis;
  let r1: Replica;
  let r2: Replica;
  let labToken: string;
  let requester: Station;
  let target: Station;
  let agent: Agent;
  const agents: Agent[] = [];
  const start = async (st: Station, extra: string[]) => {
    const ag = await startAgent(st, [r2.url, r1.url], extra);
    agents.push(ag);
    return ag;
  };
  const fleet = (...args: string[]) => runCli(['fleet', ...args, '--json'], { env: requester.env, cwd: requester.home });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const publishedHub = (st: string, pid: number): Promise<any> =>
    waitFor(
      async () => (await stationView(r1.url, labToken, st))?.state?.hubs.find((h: { pid: number }) => h.pid === pid),
      `hub pid ${pid} in ${st}'s published state`,
    );
  const ask = async (st: string, kind: string, body: unknown, deadlineMs = 30_000) => {
    const res = await lab(r1.url, 'POST', `/fleet/stations/${st}/requests`, requester.token, {
      kind,
      target: body,
      deadline_ms: deadlineMs,
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id as string;
  };
  const outcome = (id: string) =>
    waitFor(async () => {
      const r = (await lab(r1.url, 'GET', `/fleet/requests/${id}`, labToken)).body;
      return !['pending', 'running'].includes(r.state) && r;
    }, `request ${id} to finish`);
  const audit = () => redis.cli('XRANGE', 'hk:{lab}:audit', '-', '+');

  before(async () => {
    redis = await startRedis();
    let tokenFile: string;
    ({ file: tokenFile, token: labToken } = labTokenFile());
    r1 = await startReplica({ redisUrl: redis.url, tokenFile, leaseTtl: 2 });
    r2 = await startReplica({ redisUrl: redis.url, tokenFile, leaseTtl: 2 });
    await untilHealth(r1.url, 200);
    await untilHealth(r2.url, 200);
    requester = await makeStation(r1.url, labToken, 'requester');
    target = await makeStation(r1.url, labToken, 'target');
    agent = await start(target, ['--heartbeat', '0.5', '--allow-remote', 'reap,adopt']);
  });
  after(async () => {
    for (const ag of agents) await ag.stop('SIGKILL');
  });

  test('a remote reap of an orphan is executed by that station, which finds the process gone afterwards; audited', async () => {
    const hub = await orphanHub();
    const shown = await publishedHub('target', hub.pid);
    assert.equal(shown.state, 'orphan');
    assert.equal(shown.reason, 'cwd no longer exists');
    assert.equal(typeof shown.process_start_ticks, 'number');
    const res = await fleet('reap', String(hub.pid), '--station', 'target');
    assert.equal(res.code, 0, res.stderr);
    const r = JSON.parse(res.stdout).request;
    assert.equal(r.state, 'done');
    assert.match(r.detail, /^reaped: SIGTERM/);
    assert.deepEqual(await exited(hub.child), { code: null, signal: 'SIGTERM' });
    const log = audit();
    for (const event of ['requested', 'claimed', 'done'])
      assert.match(log, new RegExp(`${event}\\s+request\\s+${r.id}`), `${event} in the audit stream`);
    assert.match(log, /by\s+station requester/);
  });

  test('a pid whose process start is not the one named (a recycled pid) is refused; nothing is signalled', async () => {
    const hub = await orphanHub();
    const shown = await publishedHub('target', hub.pid);
    const id = await ask('target', 'reap', {
      key: shown.key,
      pid: hub.pid,
      process_start_ticks: shown.process_start_ticks + 1,
      expect_state: 'orphan',
    });
    const r = await outcome(id);
    assert.equal(r.state, 'refused');
    assert.match(r.detail, new RegExp(`pid ${hub.pid} is not the process named: .*recycled.*not signalled`));
    const bare = await outcome(await ask('target', 'reap', { key: shown.key, pid: hub.pid, expect_state: 'orphan' }));
    assert.equal(bare.state, 'refused');
    assert.match(bare.detail, /a bare pid is never signalled/);
    assert.ok(isPidRunning(hub.pid), 'the process is untouched');
    hub.child.kill('SIGKILL');
  });

  test('a reap of a hub whose workspace came back after the confirmation is refused: no longer an orphan; nothing signalled', async () => {
    // A registered bones hub whose marker is missing: an orphan, as published and confirmed.
    const ws = path.join(target.home, 'src', 'returning');
    fs.mkdirSync(path.join(ws, '.bones'), { recursive: true });
    const child = spawnNode(FAKE_HUB, ['--title', 'bones hub start', '--cwd', ws, '--serve']);
    const [, port, pidText] = (await waitForLine(child, /^ready /)).split(' ');
    const pid = Number(pidText);
    const entries = path.join(defaultHubRoots({ env: {}, home: target.home })[1].dir, 'workspaces');
    fs.mkdirSync(entries, { recursive: true });
    const entry = {
      cwd: ws,
      name: 'returning',
      hubUrl: `http://127.0.0.1:${port}`,
      natsUrl: '',
      hubPid: pid,
      startedAt: goTime(Date.now()),
    };
    fs.writeFileSync(path.join(entries, `${workspaceId(ws)}.json`), serializeHubEntry(entry), { mode: 0o600 });
    try {
      // The entry's, not the process scan's (which may have published the process before the entry was written).
      const shown = await waitFor(
        async () =>
          (await stationView(r1.url, labToken, 'target'))?.state?.hubs.find(
            (h: { pid: number; source: string }) => h.pid === pid && h.source === 'bones',
          ),
        'the registered hub in the published state',
      );
      assert.equal(shown.state, 'orphan', JSON.stringify(shown));
      agent.child.kill('SIGSTOP'); // the request waits while the workspace comes back
      let id: string;
      try {
        id = await ask('target', 'reap', {
          key: shown.key,
          pid,
          process_start_ticks: shown.process_start_ticks,
          expect_state: 'orphan',
        });
        fs.writeFileSync(path.join(ws, '.bones', 'agent.id'), 'agent-returning\n');
      } finally {
        agent.child.kill('SIGCONT');
      }
      const r = await outcome(id);
      assert.equal(r.state, 'refused', r.detail);
      assert.match(r.detail, /is running now.*no longer an orphan as confirmed; not signalled/);
      assert.ok(isPidRunning(pid), 'the hub is untouched');
      const unnamed = await outcome(await ask('target', 'reap', { key: shown.key, pid, process_start_ticks: shown.process_start_ticks }));
      assert.equal(unnamed.state, 'refused');
      assert.match(unnamed.detail, /names expect_state "orphan"/);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('a request past its deadline is refused, never run', async () => {
    const hub = await orphanHub();
    const shown = await publishedHub('target', hub.pid);
    agent.child.kill('SIGSTOP'); // the station cannot take it in time
    let id: string;
    try {
      id = await ask(
        'target',
        'reap',
        { key: shown.key, pid: hub.pid, process_start_ticks: shown.process_start_ticks, expect_state: 'orphan' },
        1,
      );
      await waitFor(
        async () => (await lab(r1.url, 'GET', `/fleet/requests/${id}`, labToken)).body.state === 'expired',
        'the deadline to pass',
      );
    } finally {
      agent.child.kill('SIGCONT');
    }
    await waitFor(() => audit().includes(`expired`), 'the agent to try to claim it');
    const r = await outcome(id);
    assert.equal(r.state, 'expired');
    assert.match(r.detail, /deadline passed/);
    assert.ok(isPidRunning(hub.pid), 'never run');
    hub.child.kill('SIGKILL');
  });

  test('a kind the station does not allow is refused by its agent', async () => {
    assert.equal((await target.cli('components', 'resolve', 'old_arm', '--type', 'node', '--no-lock')).code, 0);
    const id = await ask('target', 'release', {
      name: 'old_arm',
      holder_instance: '01ARZ3NDEKTSV4RRFFQ69G5FC1',
      acquired_at: '2026-01-01T00:00:00Z',
    });
    const r = await outcome(id);
    assert.equal(r.state, 'refused');
    assert.match(r.detail, /does not allow remote release \(it was started with --allow-remote reap,adopt\)/);
  });

  test('a remote release frees a stale lease if it is still the one named, and refuses a changed one', async () => {
    const rel = await makeStation(r1.url, labToken, 'releaser');
    const stale = {
      holder_pid: 999999,
      holder_host: 'elsewhere',
      holder_instance: '01ARZ3NDEKTSV4RRFFQ69G5FC2',
      acquired_at: '2026-01-01T00:00:00Z',
      heartbeat_at: '2026-01-01T00:00:10Z',
      expires_at: '2026-01-01T00:00:40Z',
    };
    const entry = (id: string) => ({
      id,
      component_type: 'node',
      created_at: '2026-01-01T00:00:00Z',
      last_seen: '2026-01-01T00:00:00Z',
      metadata: {},
      lock: stale,
      workcell_id: null,
    });
    fs.writeFileSync(
      rel.registry,
      JSON.stringify(
        {
          version: 1,
          created_at: '2026-01-01T00:00:00Z',
          updated_at: '2026-01-01T00:00:00Z',
          entries: { stale_arm: entry('01ARZ3NDEKTSV4RRFFQ69G5FC3'), moved_arm: entry('01ARZ3NDEKTSV4RRFFQ69G5FC4') },
        },
        null,
        2,
      ),
    );
    await start(rel, ['--heartbeat', '0.5', '--allow-remote', 'release']);
    await waitFor(
      async () => (await stationView(r1.url, labToken, 'releaser'))?.state?.stale_locks.length === 2,
      'the stale leases published',
    );
    const res = await fleet('release', 'stale_arm', '--station', 'releaser');
    assert.equal(res.code, 0, res.stderr);
    assert.match(JSON.parse(res.stdout).request.detail, /released the stale lease on 'stale_arm'/);
    const doc = JSON.parse(fs.readFileSync(rel.registry, 'utf8'));
    assert.equal(doc.entries.stale_arm.lock, null);
    const changed = await outcome(
      await ask('releaser', 'release', {
        name: 'moved_arm',
        holder_host: stale.holder_host,
        holder_pid: stale.holder_pid,
        holder_instance: stale.holder_instance,
        acquired_at: '2026-01-01T00:00:01Z',
      }),
    );
    assert.equal(changed.state, 'refused');
    assert.match(changed.detail, /the lock is no longer the one named/);
    assert.notEqual(JSON.parse(fs.readFileSync(rel.registry, 'utf8')).entries.moved_arm.lock, null);
  });

  test('a request whose agent died while running it is reported unknown and never run again', { timeout: 120_000 }, async () => {
    const crash = await makeStation(r1.url, labToken, 'crasher');
    const dying = await start(crash, ['--heartbeat', '0.5', '--allow-remote', 'reap']);
    const hub = await orphanHub(['--ignore-term']);
    await publishedHub('crasher', hub.pid);
    const termed = waitForLine(hub.child, 'ignored SIGTERM', 60_000);
    const filed = await fleet('reap', String(hub.pid), '--station', 'crasher', '--grace', '60', '--no-wait');
    const id = JSON.parse(filed.stdout).request.id;
    await waitFor(
      async () => (await lab(r1.url, 'GET', `/fleet/requests/${id}`, labToken)).body.state === 'running',
      'the agent to claim it',
    );
    await termed;
    await dying.stop('SIGKILL'); // mid-reap: SIGTERM sent, SIGKILL not yet
    await start(crash, ['--heartbeat', '0.5', '--allow-remote', 'reap']);
    const r = await outcome(id);
    assert.equal(r.state, 'unknown');
    assert.match(r.detail, /stopped before reporting a result; it is never run again/);
    assert.ok(isPidRunning(hub.pid), 'not re-run: the SIGKILL never came');
    assert.match(audit(), new RegExp(`unknown\\s+request\\s+${id}`));
    hub.child.kill('SIGKILL');
  });

  test('`lab adopt` for another station is a remote request its agent runs through its own registry', async () => {
    assert.equal((await target.cli('components', 'resolve', 'far_arm', '--type', 'node', '--no-lock')).code, 0);
    const labId = '01ARZ3NDEKTSV4RRFFQ69G5FC5';
    assert.equal((await lab(r1.url, 'POST', '/registry/entries/far_arm', labToken, { id: labId, component_type: 'node' })).status, 200);
    const res = await runCli(['lab', 'adopt', 'far_arm', '--station', 'target'], { env: requester.env, cwd: requester.home });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /now has the lab's id 01ARZ3NDEKTSV4RRFFQ69G5FC5/);
    assert.equal((await target.cli('components', 'lookup', 'far_arm')).stdout.trim(), labId);
  });

  test(
    'the agent keeps a lab lock alive while its local holder lives, and it lapses within the TTL once the holder dies',
    { timeout: 120_000 },
    async () => {
      // The local holder writes its real host name, as MADSci does: this station is named after it.
      const host = os.hostname();
      const me = await makeStation(r1.url, labToken, host);
      const holder = track(
        spawn(process.execPath, [CLI, 'components', 'resolve', 'kept_arm', '--type', 'node', '--hold'], {
          env: { ...process.env, ...me.env, HUBKEEPER_HOSTNAME: '' },
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      );
      const id = (await waitForLine(holder, /^[0-9A-Z]{26}/)).trim();
      const lock = JSON.parse(fs.readFileSync(me.registry, 'utf8')).entries.kept_arm.lock;
      assert.equal(lock.holder_pid, holder.pid);
      // What MADSci's resolver does: one lab lock at resolve, never renewed by MADSci itself.
      const taken = await lab(r1.url, 'POST', '/registry/entries/kept_arm', me.token, {
        id,
        component_type: 'node',
        acquire_lock: true,
        lock_holder_host: host,
        lock_holder_pid: lock.holder_pid,
        lock_holder_instance: lock.holder_instance,
      });
      assert.equal(taken.status, 200, JSON.stringify(taken.body));
      const fence = taken.body.lock.fencing_token;
      await start(me, ['--heartbeat', '5']); // it beats faster (TTL / 3) while a lab lock depends on it
      const acquiredUs = Date.parse(taken.body.lock.acquired_at);
      await waitFor(
        async () => Date.parse((await lab(r1.url, 'GET', '/lab/status', labToken)).body.server_time) > acquiredUs + 3 * 2000,
        'three lab TTLs to pass (server clock)',
      );
      const kept = (await lab(r1.url, 'GET', '/registry/resolve/kept_arm', labToken)).body.lock;
      assert.ok(kept, 'still locked after three TTLs');
      assert.equal(kept.fencing_token, fence, 'the same grant, renewed');
      assert.equal(kept.holder_instance, lock.holder_instance);
      holder.kill('SIGKILL');
      await exited(holder);
      await waitFor(
        async () => (await lab(r1.url, 'GET', '/registry/resolve/kept_arm', labToken)).body.lock === null,
        'the lab lock to lapse once its holder is dead',
      );
    },
  );
});
