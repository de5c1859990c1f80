/**
 * Lab registry benchmark: MADSci's resolve call (POST /registry/entries/{name} with a lock)
 * through two `lab serve` replicas with 8 concurrent clients, next to baselines measured in the
 * same run on the same private redis-server: one replica, the store called in-process (Lua, one
 * round trip per call), and the naive store (one Redis round trip per field, no Lua, and not even
 * correct under contention). Then Redis' memory for 10,000 names. Starts and stops everything it
 * measures. Run with `npm run bench`.
 */
import * as fs from 'node:fs';
import { runBench, startBenchLab } from './run-bench';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChildProcess } from 'node:child_process';
import { ulid } from 'ulid';
import { LabRedis } from '../src/core/lab/redis-connection';
import { LabKeys } from '../src/core/lab/lab-keys';
import { LabStore } from '../src/core/lab/lab-store';

const CLIENTS = 8;
const CALLS_EACH = 400;
const NAMES = 10_000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hubkeeper-lab-bench-'));
const children: ChildProcess[] = [];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Runs `CLIENTS` loops of `CALLS_EACH` calls at once; returns calls/s and latency percentiles. */
async function measure(call: (client: number, i: number) => Promise<unknown>) {
  const latencies: number[] = [];
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = 0; i < CALLS_EACH; i++) {
        const t = process.hrtime.bigint();
        await call(c, i);
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return { perSecond: Math.round(latencies.length / seconds), p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

function post(url: string, route: string, token: string, body: unknown, agent: http.Agent): Promise<number> {
  const data = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(route, url), {
      method: 'POST',
      agent,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': data.length },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(200) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.end(data);
  });
}

/** The naive store: the same decisions as the Lua script, one Redis command per field. */
async function naiveRegister(
  redis: LabRedis,
  keys: LabKeys,
  name: string,
  id: string,
  host: string,
  instance: string,
  ttlMs: number,
): Promise<void> {
  const k = keys.entry(name);
  const [s, u] = (await redis.sendCommand(['TIME'])) as [string, string];
  const now = Number(s) * 1e6 + Number(u);
  const current = await redis.hGet(k, 'id');
  if (current && current !== id) return;
  if (!current) {
    await redis.hSet(k, 'id', id);
    await redis.hSet(k, 'component_type', 'node');
    await redis.hSet(k, 'created_us', String(now));
    await redis.zAdd(keys.names, { score: now, value: name });
  }
  const holder = await redis.hGet(k, 'lock_instance');
  const expires = Number(await redis.hGet(k, 'lock_expires_us'));
  if (holder && holder !== instance && now < expires) return;
  const fence =
    holder === instance && now < expires ? await redis.hGet(k, 'lock_fence') : String(await redis.hIncrBy(keys.fences, name, 1));
  await redis.hSet(k, 'lock_host', host);
  await redis.hSet(k, 'lock_pid', '1');
  await redis.hSet(k, 'lock_instance', instance);
  await redis.hSet(k, 'lock_acquired_us', String(now));
  await redis.hSet(k, 'lock_heartbeat_us', String(now));
  await redis.hSet(k, 'lock_expires_us', String(now + ttlMs * 1000));
  await redis.hSet(k, 'lock_fence', String(fence));
  await redis.hSet(k, 'last_seen_us', String(now));
}

async function main(): Promise<void> {
  const { redis, token, replicas } = await startBenchLab({ children, dir }, ['--fleet', 'bench']);

  const agents = Array.from({ length: CLIENTS }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
  const ids = Array.from({ length: 200 }, () => ulid());
  // Each client resolves names of its own (as a station does), 200 names reused: register + heartbeat.
  // With two replicas, clients 0, 2, 4, 6 use the first and 1, 3, 5, 7 the second.
  const body = (c: number, i: number) => ({
    id: ids[i % 200],
    component_type: 'node',
    metadata: { module_name: 'bench' },
    acquire_lock: true,
    lock_holder_host: `pc-${c}`,
    lock_holder_pid: 1000 + c,
    lock_holder_instance: `inst-${c}`,
  });
  const nameOf = (prefix: string, c: number, i: number) => `${prefix}_${c}_${i % 200}`;

  // Warm-up (JIT, Redis' script cache, keep-alive sockets) so the first path measured pays no extra.
  for (let i = 0; i < 100; i++)
    await Promise.all(replicas.map((r, c) => post(r, `/registry/entries/warm_${c}_${i}`, token, body(c, i), agents[c])));
  const two = await measure((c, i) => post(replicas[c % 2], `/registry/entries/${nameOf('two', c, i)}`, token, body(c, i), agents[c]));
  const one = await measure((c, i) => post(replicas[0], `/registry/entries/${nameOf('one', c, i)}`, token, body(c, i), agents[c]));
  const store = new LabStore(redis, 'bench', 30_000);
  const lua = await measure((c, i) =>
    store.register(nameOf('lua', c, i), {
      id: ids[i % 200],
      componentType: 'node',
      metadata: [['module_name', '"bench"']],
      acquire: { host: `pc-${c}`, pid: 1, instance: `inst-${c}` },
      station: null,
      claimed: {},
    }),
  );
  const naive = await measure((c, i) =>
    naiveRegister(redis, store.keys, nameOf('naive', c, i), ids[i % 200], `pc-${c}`, `inst-${c}`, 30_000),
  );
  for (const a of agents) a.destroy();

  // Memory: 10,000 names, each with metadata and a live lock, in a fleet of their own.
  const memStore = new LabStore(redis, 'memory', 30_000);
  const used = async () => Number(/used_memory:(\d+)/.exec(String(await redis.info('memory')))?.[1]);
  const before = await used();
  for (let i = 0; i < NAMES; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, NAMES - i) }, (_, j) =>
        memStore.register(`liquidhandler_${i + j}`, {
          id: ulid(),
          componentType: 'node',
          metadata: [['module_name', '"liquidhandler"']],
          acquire: { host: 'lab-pc-01', pid: 4242, instance: '01JNQA3F5XG8E2D7W9R1C4HB6S' },
          station: null,
          claimed: {},
        }),
      ),
    );
  }
  const after = await used();

  console.log(`Hubkeeper lab benchmark · node ${process.version} · ${os.cpus().length} cores · redis-server on loopback`);
  console.log(`${CLIENTS} concurrent clients × ${CALLS_EACH} resolve calls (register + lab lock, 200 names per client)\n`);
  const rows: [string, { perSecond: number; p50: number; p99: number }][] = [
    ['HTTP, two replicas (lab serve)', two],
    ['HTTP, one replica (baseline)', one],
    ['in-process store, Lua (no HTTP)', lua],
    ['in-process naive store, a round trip per field, no Lua', naive],
  ];
  console.log(`${'path'.padEnd(58)}${'calls/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}`);
  for (const [label, m] of rows)
    console.log(`${label.padEnd(58)}${String(m.perSecond).padStart(9)}${m.p50.toFixed(2).padStart(9)}${m.p99.toFixed(2).padStart(9)}`);
  if (os.cpus().length < 4)
    console.log(
      `\nOn ${os.cpus().length} cores two busy replicas compete with the clients and Redis for CPU: replicas buy availability here, not throughput.`,
    );
  console.log(
    `\nRedis memory for ${NAMES.toLocaleString('en')} names (metadata + live lock + fencing counter): ${((after - before) / 1048576).toFixed(1)} MiB, ${Math.round((after - before) / NAMES)} bytes per name`,
  );
}

runBench('lab', main, { children, dir });
