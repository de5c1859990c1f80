/**
 * Registry benchmark: lookup, resolve of a new name, and heartbeat writes per interval, each next to
 * baselines measured in the same run on the same files:
 *   - "naive": read + JSON.parse + modify + JSON.stringify + write per operation (no locks, no
 *     fsync, and lossy: it rewrites 200.0 as 200), one write per lease per interval (MADSci's model);
 *   - "naive+fsync": the same, but written the crash-safe way (temp file, fsync, rename), which
 *     is what Hubkeeper pays for on every write;
 *   - "uncached": Hubkeeper's own code with a cold cache each time (lossless parse + serialize,
 *     locks, fsync), which isolates what the cache and per-entry serialization buy.
 * Run with `npm run bench`. Figures vary with the machine and its load; compare within one run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ComponentRegistry } from '../src/core/registry/component-registry';
import { LeaseHolder } from '../src/core/lease-holder/lease-holder';
import { serializeRegistryDocument } from '../src/core/registry/serialize-document';
import { emptyDocument, EntryRecord } from '../src/core/registry/types';
import { Timestamp } from '../src/core/time/timestamp';
import { parseJson } from '../src/core/json/parse-json';
import { JsonObject } from '../src/core/json/json-value';

const SIZES = [100, 1_000, 10_000];
const LEASE_COUNTS = [1, 10, 100];
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hubkeeper-bench-'));

function seedRegistry(file: string, n: number): void {
  const now = Timestamp.fromMillis(Date.now());
  const entries = new Map<string, EntryRecord>();
  const meta = parseJson('{"module_name": "liquidhandler", "volume": 200.0, "tolerance": 1e-07}') as JsonObject;
  for (let i = 0; i < n; i++) {
    const name = `node_${i}`;
    entries.set(name, {
      kind: 'entry',
      name,
      id: `01JNQ8Z6T9K3M2V7X4${String(i).padStart(8, '0')}`,
      componentType: 'node',
      createdAt: now,
      lastSeen: now,
      metadata: meta,
      lock:
        i % 2 === 0
          ? {
              holderPid: 4242,
              holderHost: 'lab-pc-01',
              holderInstance: '01JNQA3F5XG8E2D7W9R1C4HB6S',
              acquiredAt: now,
              heartbeatAt: now,
              expiresAt: now.plusMillis(-1),
              extra: new Map(),
            }
          : null,
      workcellId: null,
      extra: new Map(),
    });
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, serializeRegistryDocument({ ...emptyDocument(now), entries }));
}

async function timeEach(count: number, op: (i: number) => unknown): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = process.hrtime.bigint();
    await op(i);
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]; // median, ms
}

function naiveResolve(file: string, name: string, durable = false): void {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  doc.entries[name] = {
    id: '01JNQ8Z6T9K3M2V7X4C5B8D0EF',
    component_type: 'node',
    created_at: 'x',
    last_seen: 'x',
    metadata: {},
    lock: null,
    workcell_id: null,
  };
  doc.updated_at = new Date().toISOString();
  const text = JSON.stringify(doc, null, 2);
  if (!durable) return fs.writeFileSync(file, text);
  // The same, made crash-safe the way Hubkeeper writes: temp file, fsync, rename.
  const fd = fs.openSync(`${file}.tmp`, 'w');
  fs.writeSync(fd, text);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(`${file}.tmp`, file);
}

function naiveLookup(file: string, name: string): string | undefined {
  return JSON.parse(fs.readFileSync(file, 'utf8')).entries[name]?.id;
}

const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`);
const ratio = (base: number, ours: number) => `${(base / ours).toFixed(1)}×`;

async function main(): Promise<void> {
  const rows: string[][] = [];
  for (const n of SIZES) {
    const iterations = n >= 10_000 ? 30 : n >= 1_000 ? 100 : 200;
    const file = path.join(root, `r${n}`, 'registry.json');
    seedRegistry(file, n);
    const reg = new ComponentRegistry(file, { holder: new LeaseHolder() });
    await reg.snapshot(); // warm the cache, as a long-running viewer has it

    // Let the file's mtime leave the racy window so lookups take the stat-only path.
    await new Promise((r) => setTimeout(r, 50));
    const lookup = await timeEach(iterations * 20, (i) => reg.lookup(`node_${(i * 7919) % n}`));
    const lookupNaive = await timeEach(Math.min(iterations, 50), (i) => naiveLookup(file, `node_${(i * 7919) % n}`));
    rows.push([`lookup @ ${n}`, fmt(lookup), fmt(lookupNaive), '-', '-', ratio(lookupNaive, lookup), '-']);

    const resolve = await timeEach(iterations, (i) => reg.resolve(`new_${i}`, 'node', { acquireLock: false }));
    const uncached = await timeEach(Math.min(iterations, 20), (i) =>
      new ComponentRegistry(file, { holder: reg.holder }).resolve(`cold_${i}`, 'node', { acquireLock: false }),
    );
    const naiveFile = path.join(root, `naive${n}`, 'registry.json');
    seedRegistry(naiveFile, n);
    const naive = await timeEach(iterations, (i) => naiveResolve(naiveFile, `new_${i}`));
    const durable = await timeEach(iterations, (i) => naiveResolve(naiveFile, `durable_${i}`, true));
    rows.push([
      `resolve new name @ ${n}`,
      fmt(resolve),
      fmt(naive),
      fmt(durable),
      fmt(uncached),
      ratio(naive, resolve),
      ratio(durable, resolve),
    ]);
  }

  const beatRows: string[][] = [];
  const file = path.join(root, 'leases', 'registry.json');
  seedRegistry(file, 1_000);
  for (const count of LEASE_COUNTS) {
    const holder = new LeaseHolder({ heartbeatMs: 3_600_000 });
    const reg = new ComponentRegistry(file, { holder });
    for (let i = 0; i < count; i++) await reg.resolve(`lease_${count}_${i}`, 'node');
    const before = reg.file.writeCount;
    const ours = await timeEach(5, () => holder.heartbeat());
    const writes = (reg.file.writeCount - before) / 5;
    // MADSci's model: each lease refreshes itself, one locked read-modify-write each.
    const naive = await timeEach(3, async () => {
      for (let i = 0; i < count; i++) await new ComponentRegistry(file, { holder }).resolve(`lease_${count}_${i}`, 'node');
    });
    beatRows.push([`${count} lease${count === 1 ? '' : 's'}`, String(writes), fmt(ours), String(count), fmt(naive)]);
    await holder.releaseAll();
  }

  const print = (header: string[], body: string[][]) => {
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
    for (const r of [header, ...body]) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  '));
  };
  console.log(`Hubkeeper registry benchmark · node ${process.version} · ${os.cpus().length} cores · medians\n`);
  print(['operation', 'hubkeeper', 'naive', 'naive+fsync', 'uncached', 'vs naive', 'vs naive+fsync'], rows);
  console.log('');
  print(['heartbeat interval', 'writes', 'time', 'naive writes', 'naive time'], beatRows);
  fs.rmSync(root, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  fs.rmSync(root, { recursive: true, force: true });
  process.exit(1);
});
