/**
 * Fleet benchmark: station agents against two `lab serve` replicas on a private redis-server.
 * Each figure comes with a baseline measured in the same run:
 *   - propagation of a registry change on one station to another's view (through the other
 *     replica), next to a heartbeat-only publisher (no file watching);
 *   - crash-to-stale detection (SIGKILL of a real agent process), next to what a lab without
 *     agents has: a lab lock lapsing after its TTL;
 *   - remote action round trip (request → done), next to an agent that polls once per heartbeat;
 *   - Redis commands per station per heartbeat when nothing changed (INFO commandstats), for 20
 *     and 200 entries, next to the naive publisher that writes every entry as its own key;
 *   - Redis memory for 50 stations × 200 entries, next to that naive layout.
 * Run with `npm run bench`. It starts and stops everything it measures.
 */
import * as fs from 'node:fs';
import { runBench, startBenchLab } from './run-bench';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ulid } from 'ulid';
import { LabClient } from '../src/core/agent/lab-client';
import { StationAgent } from '../src/core/agent/station-agent';
import { FleetStore } from '../src/core/lab/fleet-store';
import { LabKeys } from '../src/core/lab/lab-keys';
import { LabRedis } from '../src/core/lab/redis-connection';
import { defaultHubRoots } from '../src/core/hubs/hub-paths';
import { LeaseHolder } from '../src/core/lease-holder/lease-holder';
import { ComponentRegistry } from '../src/core/registry/component-registry';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hubkeeper-fleet-bench-'));
const children: ChildProcess[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let labToken = '';
let replicas: string[] = [];

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
  return `p50 ${at(50).toFixed(0)} ms · p95 ${at(95).toFixed(0)} ms · max ${s[s.length - 1].toFixed(0)} ms (n=${s.length})`;
}

async function get(base: string, route: string, token = labToken) {
  const res = await fetch(new URL(route, base), { headers: { Authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json() };
}

async function post(base: string, route: string, body: unknown, token = labToken) {
  const res = await fetch(new URL(route, base), {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** A station of its own: HOME, registry, in-process agent. */
async function station(
  name: string,
  o: { heartbeatMs: number; watch?: boolean; longPoll?: boolean; allow?: ('release' | 'reap')[]; token?: string },
) {
  const home = fs.mkdtempSync(path.join(dir, `${name}-`));
  const regPath = path.join(home, '.madsci', 'registry.json');
  fs.mkdirSync(path.dirname(regPath), { recursive: true });
  const holder = new LeaseHolder({ hostname: name });
  const registry = new ComponentRegistry(regPath, { holder });
  const env = { env: {}, home };
  const agent = new StationAgent({
    lab: new LabClient([new URL(replicas[0])], o.token ?? labToken),
    station: name,
    registry,
    found: { path: regPath, reason: 'bench' },
    hubs: { roots: defaultHubRoots(env), env, folders: [] },
    heartbeatMs: o.heartbeatMs,
    allow: o.allow ?? [],
    watch: o.watch,
    longPoll: o.longPoll,
  });
  return { name, home, regPath, registry, agent };
}

async function until(check: () => Promise<boolean>, everyMs = 5): Promise<void> {
  while (!(await check())) await sleep(everyMs);
}

async function propagation(watch: boolean, changes: number): Promise<number[]> {
  const st = await station(`prop-${watch ? 'watch' : 'beat'}`, { heartbeatMs: watch ? 10_000 : 1000, watch });
  st.agent.start();
  await until(async () => (await get(replicas[1], `/fleet/stations/${st.name}`)).status === 200);
  const writer = new ComponentRegistry(st.regPath, { holder: new LeaseHolder() });
  const out: number[] = [];
  for (let i = 0; i < changes; i++) {
    const t = performance.now();
    await writer.resolve(`change_${i}`, 'node', { acquireLock: false });
    await until(async () =>
      ((await get(replicas[1], `/fleet/stations/${st.name}`)).body.state?.entries ?? []).some(
        (e: { name: string }) => e.name === `change_${i}`,
      ),
    );
    out.push(performance.now() - t);
  }
  await st.agent.stop();
  return out;
}

async function crashToStale(runs: number): Promise<number[]> {
  const home = fs.mkdtempSync(path.join(dir, 'crash-'));
  const tokenFile = path.join(home, 'token');
  fs.writeFileSync(tokenFile, labToken, { mode: 0o600 });
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const child = spawn(
      process.execPath,
      [CLI, 'agent', '--lab', replicas[0], '--token-file', tokenFile, '--station', 'crash', '--heartbeat', '0.2'],
      {
        env: { ...process.env, HOME: home, HUBKEEPER_REGISTRY_PATH: path.join(home, 'registry.json') },
        stdio: ['ignore', 'ignore', 'ignore'],
      },
    );
    children.push(child);
    await until(
      async () =>
        (await get(replicas[1], '/fleet/stations/crash')).body.agent_pid === child.pid &&
        (await get(replicas[1], '/fleet/stations/crash')).body.health === 'healthy',
      20,
    );
    const t = performance.now();
    child.kill('SIGKILL');
    await until(async () => (await get(replicas[1], '/fleet/stations/crash')).body.health === 'stale');
    out.push(performance.now() - t);
  }
  return out;
}

async function labLockLapse(runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const name = `lapse_${i}`;
    await post(replicas[0], `/registry/entries/${name}`, {
      id: ulid(),
      component_type: 'node',
      acquire_lock: true,
      lock_holder_host: 'crashed',
      lock_holder_pid: 1,
      lock_holder_instance: ulid(),
    });
    const t = performance.now(); // the holder "crashes" right after taking it; nothing renews it
    await until(async () => (await get(replicas[1], `/registry/resolve/${name}`)).body.lock === null);
    out.push(performance.now() - t);
  }
  return out;
}

async function roundTrips(longPoll: boolean, requests: number): Promise<number[]> {
  const st = await station(`remote-${longPoll ? 'long' : 'beat'}`, { heartbeatMs: longPoll ? 10_000 : 1000, longPoll, allow: ['release'] });
  const stale = () => ({
    holder_pid: 1,
    holder_host: 'gone',
    holder_instance: ulid(),
    acquired_at: '2026-01-01T00:00:00Z',
    heartbeat_at: '2026-01-01T00:00:00Z',
    expires_at: '2026-01-01T00:00:30Z',
  });
  const locks = Array.from({ length: requests }, stale);
  const entries = Object.fromEntries(
    locks.map((l, i) => [
      `arm_${i}`,
      {
        id: ulid(),
        component_type: 'node',
        created_at: '2026-01-01T00:00:00Z',
        last_seen: '2026-01-01T00:00:00Z',
        metadata: {},
        lock: l,
        workcell_id: null,
      },
    ]),
  );
  fs.writeFileSync(
    st.regPath,
    JSON.stringify({ version: 1, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', entries }, null, 2),
  );
  st.agent.start();
  await until(async () => (await get(replicas[1], `/fleet/stations/${st.name}`)).status === 200);
  await sleep(300);
  const out: number[] = [];
  for (let i = 0; i < requests; i++) {
    const t = performance.now();
    const made = await post(replicas[1], `/fleet/stations/${st.name}/requests`, {
      kind: 'release',
      target: { name: `arm_${i}`, holder_instance: locks[i].holder_instance, acquired_at: locks[i].acquired_at },
    });
    let state = made.body.state;
    while (state === 'pending' || state === 'running') {
      await sleep(5);
      state = (await get(replicas[1], `/fleet/requests/${made.body.id}`)).body.state;
    }
    if (state !== 'done') throw new Error(`request ${made.body.id}: ${state}`);
    out.push(performance.now() - t);
  }
  await st.agent.stop();
  return out;
}

async function commandstats(redis: LabRedis): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const m of String(await redis.info('commandstats')).matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g)) out.set(m[1], Number(m[2]));
  return out;
}

/** Commands Redis ran per heartbeat of one quiet station (nothing changes), all commands counted. */
async function commandsPerBeat(redis: LabRedis, entries: number, seconds: number) {
  const name = `quiet-${entries}`;
  const token = (await post(replicas[0], `/lab/stations/${name}/tokens`, {})).body.token as string;
  const st = await station(name, { heartbeatMs: 200, watch: false, token });
  for (let i = 0; i < entries; i++) await st.registry.resolve(`entry_${i}`, 'node', { acquireLock: false });
  st.agent.start();
  await until(async () => (await get(replicas[1], `/fleet/stations/${name}`)).body.health === 'healthy');
  await sleep(1000);
  await redis.sendCommand(['CONFIG', 'RESETSTAT']);
  const t = performance.now();
  await sleep(seconds * 1000);
  const stats = await commandstats(redis);
  const elapsed = performance.now() - t;
  await st.agent.stop();
  const beats = elapsed / 200;
  const total = [...stats.entries()].filter(([k]) => !['info', 'config|resetstat'].includes(k)).reduce((a, [, v]) => a + v, 0);
  return {
    perBeat: total / beats,
    detail: [...stats.entries()]
      .filter(([k]) => !['info', 'config|resetstat'].includes(k))
      .map(([k, v]) => `${k} ${(v / beats).toFixed(2)}`)
      .join(', '),
  };
}

/** The naive publisher: every entry as its own key, every heartbeat. */
async function naivePerBeat(redis: LabRedis, entries: number, beats: number): Promise<number> {
  await redis.sendCommand(['CONFIG', 'RESETSTAT']);
  for (let b = 0; b < beats; b++) {
    await Promise.all(
      Array.from({ length: entries }, (_, i) =>
        redis.hSet(`naive:{bench}:quiet:entry_${i}`, { id: ulid(), component_type: 'node', lock_state: 'free' }),
      ),
    );
    await redis.hSet('naive:{bench}:quiet', 'beat_us', String(Date.now() * 1000));
  }
  const stats = await commandstats(redis);
  return (stats.get('hset') ?? 0) / beats;
}

function syntheticState(station: number, entries: number) {
  const entry = (i: number) => ({
    name: `liquidhandler_${i}`,
    id: ulid(),
    component_type: 'node',
    lock_state: i % 10 === 0 ? 'held' : 'free',
  });
  return {
    registry: {
      path: `/home/lab/station-${station}/.madsci/registry.json`,
      reason: 'the nearest .madsci/ walking up',
      exists: true,
      error: null,
      write_refused: null,
    },
    counts: { node: entries, module: 0, manager: 0, experiment: 0, workcell: 0 },
    held: [],
    stale_locks: [],
    invalid: [],
    entries: Array.from({ length: entries }, (_, i) => entry(i)),
    hubs: [],
    stale_hub_locks: [],
    unreadable_hub_files: [],
  };
}

async function memory(redis: LabRedis, stations: number, entries: number) {
  const used = async () => Number(/used_memory:(\d+)/.exec(String(await redis.info('memory')))?.[1]);
  const fleet = new FleetStore(redis, 'memory');
  const before = await used();
  for (let s = 0; s < stations; s++) {
    const inc = ulid();
    await fleet.incarnate(`station-${s}`, { incarnation: inc, intervalMs: 10_000, bootId: 'b', agentPid: 1, allow: [] });
    await fleet.beat(`station-${s}`, inc, randomBytes(32).toString('hex'), JSON.stringify(syntheticState(s, entries)), [], 30_000);
  }
  const ours = (await used()) - before;
  const keys = new LabKeys('naive');
  const mid = await used();
  for (let s = 0; s < stations; s++) {
    await Promise.all(
      syntheticState(s, entries).entries.map((e) =>
        redis.hSet(`${keys.prefix}station-${s}:entry:${e.name}`, { id: e.id, component_type: e.component_type, lock_state: e.lock_state }),
      ),
    );
  }
  return { ours, naive: (await used()) - mid };
}

async function main(): Promise<void> {
  const lab = await startBenchLab({ children, dir }, ['--lease-ttl', '3']);
  const redis = lab.redis;
  labToken = lab.token;
  replicas = lab.replicas;

  console.log(
    `Hubkeeper fleet benchmark · node ${process.version} · ${os.cpus().length} cores · two replicas on one redis-server (loopback)\n`,
  );
  const watched = await propagation(true, 50);
  const beatOnly = await propagation(false, 30);
  console.log("Propagation of a registry change to another station's view (through the other replica), target p95 < 500 ms");
  console.log(`  agent (file watch, debounced):             ${stats(watched)}`);
  console.log(`  baseline: heartbeat-only publisher (1 s):  ${stats(beatOnly)}\n`);

  const crash = await crashToStale(5);
  const lapse = await labLockLapse(3);
  console.log('Crash (SIGKILL) to stale, heartbeat 0.2 s, 3 missed: target <= TTL (0.6 s) + 1 heartbeat = 0.8 s');
  console.log(`  agent incarnation health:                  ${stats(crash)}`);
  console.log(`  baseline: a lab lock's TTL (3 s) lapsing:  ${stats(lapse)}\n`);

  const long = await roundTrips(true, 50);
  const polled = await roundTrips(false, 20);
  console.log('Remote action round trip (request a release → result done), target p95 < 1 s');
  console.log(`  agent (long poll + wake-up):               ${stats(long)}`);
  console.log(`  baseline: polling once per heartbeat (1 s): ${stats(polled)}\n`);

  const small = await commandsPerBeat(redis, 20, 4);
  const large = await commandsPerBeat(redis, 200, 4);
  const naive = await naivePerBeat(redis, 200, 20);
  console.log(
    "Redis commands per station per heartbeat, nothing changed (INFO commandstats, every command, scripts' included), target O(1)",
  );
  console.log(`  agent, 20 entries:                         ${small.perBeat.toFixed(1)}  (${small.detail})`);
  console.log(`  agent, 200 entries:                        ${large.perBeat.toFixed(1)}  (${large.detail})`);
  console.log(`  baseline: naive, every entry a key, 200:   ${naive.toFixed(1)}\n`);

  const mem = await memory(redis, 50, 200);
  console.log('Redis memory, 50 stations × 200 entries');
  console.log(
    `  published states (one hash per station):   ${(mem.ours / 1048576).toFixed(2)} MiB, ${Math.round(mem.ours / 10_000)} bytes per entry`,
  );
  console.log(
    `  baseline: naive, one hash per entry:       ${(mem.naive / 1048576).toFixed(2)} MiB, ${Math.round(mem.naive / 10_000)} bytes per entry`,
  );
  redis.destroy();
}

runBench('fleet', main, { children, dir });
