/**
 * Lease journal benchmark: the cost of journalling one transition (LocalJournal.append: the
 * directory and file checks, O_APPEND|O_NOFOLLOW, one write() per line, rotation) and the
 * journal's size after 10,000 transitions, next to a baseline measured in the same run: the same
 * lines with fs.appendFileSync and no checks. Also the diff itself (machineTransitions over a
 * 200-entry registry) and a full read of the journal. Run with `npm run bench`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LeaseEvent } from '../src/core/journal/lease-event';
import { LocalJournal } from '../src/core/journal/journal-file';
import { componentTransitions } from '../src/core/journal/lease-transitions';
import { ComponentsState } from '../src/core/overview/components-state';
import { Timestamp } from '../src/core/time/timestamp';

const TRANSITIONS = 10_000;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hubkeeper-journal-bench-'));

const START = Date.now() - TRANSITIONS * 1000;

function event(i: number): LeaseEvent {
  return {
    atMs: START + i * 1000,
    kind: i % 2 ? 'released' : 'acquired',
    subject: {
      kind: 'component',
      name: `liquidhandler_${i % 200}`,
      id: `01JNQ8Z6T9K3M2V7X4C5B8D${String(i % 200).padStart(3, '0')}`,
      station: null,
    },
    holder: { host: 'lab-pc-01', pid: 4000 + (i % 50), instance: '01JNQA3F5XG8E2D7W9R1C4HB6S' },
    expiresAtMs: Date.now() + 30_000,
    detail: i % 2 ? null : 'already held when first seen',
    source: 'local',
  };
}

function dirSize(dir: string): { bytes: number; files: number } {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  return { bytes: files.reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0), files: files.length };
}

function registry(entries: number, lockedEvery: number): ComponentsState {
  const now = Date.now();
  return {
    path: '/bench/registry.json',
    exists: true,
    invalid: [],
    entries: Array.from({ length: entries }, (_, i) => {
      const locked = i % lockedEvery === 0;
      const t = Timestamp.fromMillis(now);
      return {
        entry: {
          kind: 'entry' as const,
          name: `c${i}`,
          id: `ID${i}`,
          componentType: 'node' as const,
          createdAt: t,
          lastSeen: t,
          metadata: new Map(),
          workcellId: null,
          extra: new Map(),
          lock: locked
            ? {
                holderPid: i,
                holderHost: 'pc',
                holderInstance: `I${i}`,
                acquiredAt: t,
                heartbeatAt: t,
                expiresAt: Timestamp.fromMillis(now + 30_000),
                extra: new Map(),
              }
            : null,
        },
        status: locked ? { state: 'held' as const, reason: '' } : { state: 'free' as const, reason: '' },
      };
    }),
  };
}

async function main(): Promise<void> {
  const journal = new LocalJournal({ env: { env: { HUBKEEPER_HOME: path.join(home, 'hk') } } });
  let t = process.hrtime.bigint();
  for (let i = 0; i < TRANSITIONS; i++) await journal.append([event(i)]);
  const appendUs = Number(process.hrtime.bigint() - t) / 1e3 / TRANSITIONS;
  const size = dirSize(journal.dir);

  const baseline = path.join(home, 'baseline.jsonl');
  t = process.hrtime.bigint();
  for (let i = 0; i < TRANSITIONS; i++) fs.appendFileSync(baseline, `${JSON.stringify(event(i))}\n`);
  const baselineUs = Number(process.hrtime.bigint() - t) / 1e3 / TRANSITIONS;

  t = process.hrtime.bigint();
  const read = await journal.read();
  const readMs = Number(process.hrtime.bigint() - t) / 1e6;

  // 10,000 more: past the bound, the oldest file is dropped and the total stays under 4 MiB.
  for (let i = TRANSITIONS; i < 2 * TRANSITIONS; i++) await journal.append([event(i)]);
  const bounded = dirSize(journal.dir);

  const before = registry(200, 2);
  const after = registry(200, 3);
  t = process.hrtime.bigint();
  let diffEvents = 0;
  for (let i = 0; i < 100; i++)
    diffEvents = componentTransitions(before, after, { nowMs: Date.now(), hostname: 'pc', station: null }).length;
  const diffUs = Number(process.hrtime.bigint() - t) / 1e3 / 100;

  console.log(`Hubkeeper lease journal benchmark · node ${process.version} · ${os.cpus().length} cores · ${os.platform()}\n`);
  const rows = [
    [
      'append one transition (checks, O_APPEND, rotation)',
      `${appendUs.toFixed(1)} µs`,
      `appendFileSync, no checks: ${baselineUs.toFixed(1)} µs`,
    ],
    [
      `journal after ${TRANSITIONS} transitions`,
      `${(size.bytes / 1024).toFixed(0)} KiB in ${size.files} files`,
      `unrotated baseline: ${(fs.statSync(baseline).size / 1024).toFixed(0)} KiB (bound: 4096 KiB)`,
    ],
    [
      `journal after ${2 * TRANSITIONS} transitions`,
      `${(bounded.bytes / 1024).toFixed(0)} KiB in ${bounded.files} files`,
      'rotated: the oldest dropped',
    ],
    [`read the whole journal (${read.events.length} events after de-dup)`, `${readMs.toFixed(1)} ms`, `${read.corrupt} corrupt lines`],
    [`diff two 200-entry snapshots (${diffEvents} events)`, `${diffUs.toFixed(1)} µs`, ''],
  ];
  const widths = [0, 1].map((i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c)).join('  '));
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => fs.rmSync(home, { recursive: true, force: true }));
