import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { RegistryFile } from '../../src/core/registry/registry-file';
import { exited, FIXTURES, ROOT, spawnNode, tempDir, track } from '../support/helpers';
import { figure, scaled } from './profile';

/**
 * Many processes doing mixed operations on one registry, MADSci-style Python writers among them,
 * while a reader checks the file after every change. Then every process's log is replayed:
 * no entry lost, no id given twice, no name held by two live holders at once.
 */

const WORKER = path.join(FIXTURES, 'load-worker.js');
const PY_WRITER = path.join(ROOT, 'test', 'fixtures', 'madsci_writer.py');
const TTL_MS = 1500;

type Rec = Record<string, unknown> & { worker: string; op: string };

const pythonOk = spawnSync('python3', ['-c', 'import filelock'], { encoding: 'utf8' }).status === 0;

test(
  '16 processes × 500 mixed operations (+ 2 Python filelock writers): nothing lost, no duplicate ids, no double holders',
  { timeout: 900_000 },
  async () => {
    const workers = scaled(16, 4);
    const ops = scaled(500, 80);
    const pyCount = pythonOk ? 2 : 0;
    const pyOps = scaled(100, 20);
    const dir = tempDir();
    const file = path.join(dir, 'registry.json');
    const logs = Array.from({ length: workers }, (_, i) => path.join(dir, `w${i}.log`));
    const started = Date.now();
    const children = logs.map((log, i) => spawnNode(WORKER, [file, `w${i}`, String(ops), String(1000 + i), String(TTL_MS), log]));
    const pythons = Array.from({ length: pyCount }, (_, i) =>
      track(spawn('python3', [PY_WRITER, file, `py${i}`, String(pyOps)], { stdio: ['ignore', 'pipe', 'inherit'] })),
    );

    // A reader that looks at the file the whole time (taking no lock, as a viewer does).
    let reads = 0;
    let unreadable = 0;
    let running = true;
    const reader = (async () => {
      const view = new RegistryFile(file);
      while (running) {
        try {
          await view.read();
          reads++;
        } catch (err) {
          unreadable++;
          process.stdout.write(`reader: ${(err as Error).message}\n`);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const codes = await Promise.all([...children, ...pythons].map(exited));
    running = false;
    await reader;
    assert.deepEqual(
      codes.map((c) => c.code),
      codes.map(() => 0),
      'every process finished cleanly',
    );
    if (pyCount) for (const p of pythons) assert.ok(p.exitCode === 0);

    const records: Rec[] = logs.flatMap((log) =>
      fs
        .readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Rec),
    );
    const final = JSON.parse(fs.readFileSync(file, 'utf8'));
    const entries = final.entries as Record<string, { id: string; lock: unknown }>;

    // 1. Nothing lost: every id created survives under its final name.
    const nameOf = new Map<string, string>();
    for (const r of records) {
      if (r.op === 'create') nameOf.set(r.id as string, r.name as string);
      if (r.op === 'rename') nameOf.set(r.id as string, r.to as string);
    }
    let lost = 0;
    for (const [id, name] of nameOf) if (entries[name]?.id !== id) lost++;
    for (let p = 0; p < pyCount; p++) for (let i = 0; i < pyOps; i++) if (!entries[`py${p}-${i}`]) lost++;

    // 2. No duplicate ids, and one id per shared name across every process.
    const ids = Object.values(entries).map((e) => e.id);
    const duplicateIds = ids.length - new Set(ids).size;
    const sharedIds = new Map<string, Set<string>>();
    for (const r of records)
      if (r.op === 'resolve')
        (sharedIds.get(r.name as string) ?? sharedIds.set(r.name as string, new Set()).get(r.name as string))?.add(r.id as string);
    const namesWithTwoIds = [...sharedIds.values()].filter((s) => s.size > 1).length;

    // 3. No double holders: X may take a name only when every other holder's last refresh before
    //    X began had expired (refresh start + TTL ≤ end of X's take) or was released.
    const refreshes: { worker: string; name: string; start: number; end: number }[] = [];
    const releases: { worker: string; name: string; start: number }[] = [];
    const takes: { worker: string; name: string; start: number; end: number }[] = [];
    for (const r of records) {
      if (r.op === 'resolve' && r.lock) {
        takes.push({ worker: r.worker, name: r.name as string, start: r.start as number, end: r.end as number });
        refreshes.push({ worker: r.worker, name: r.name as string, start: r.start as number, end: r.end as number });
      }
      if (r.op === 'refreshed')
        for (const n of r.names as string[]) refreshes.push({ worker: r.worker, name: n, start: r.start as number, end: r.end as number });
      if (r.op === 'release' && r.released) releases.push({ worker: r.worker, name: r.name as string, start: r.start as number });
      if (r.op === 'release-all')
        for (let i = 0; i < 12; i++) releases.push({ worker: r.worker, name: `shared_${i}`, start: r.start as number });
    }
    let doubleHolders = 0;
    for (const t of takes) {
      for (const f of refreshes) {
        if (f.worker === t.worker || f.name !== t.name || f.end >= t.start || f.start + TTL_MS <= t.end) continue;
        const releasedSince = releases.some(
          (rel) => rel.worker === f.worker && rel.name === f.name && rel.start >= f.start && rel.start <= t.end,
        );
        if (!releasedSince) {
          doubleHolders++;
          if (doubleHolders <= 3) process.stdout.write(`double holder: ${JSON.stringify({ take: t, refresh: f })}\n`);
        }
      }
    }
    const lostLeases = records.filter((r) => r.op === 'lost').length;
    const contention = records.filter((r) => r.op === 'error' && r.code === 'locked').length;
    figure('load', {
      processes: workers,
      ops_each: ops,
      python_writers: pyCount,
      python_ops_each: pyOps,
      seconds: ((Date.now() - started) / 1000).toFixed(1),
      lost_entries: lost,
      duplicate_ids: duplicateIds,
      names_with_two_ids: namesWithTwoIds,
      double_holders: doubleHolders,
      takes: takes.length,
      lost_lease_events: lostLeases,
      lock_refusals: contention,
      reader_reads: reads,
      reader_unreadable: unreadable,
    });
    assert.equal(lost, 0, 'lost entries');
    assert.equal(duplicateIds, 0, 'duplicate ids');
    assert.equal(namesWithTwoIds, 0, 'a name was given two ids');
    assert.equal(doubleHolders, 0, 'a name was held by two live holders');
    assert.equal(unreadable, 0, 'the file could not be read at some point');
    assert.ok(takes.length > 0 && reads > 0);
  },
);
