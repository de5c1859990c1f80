/**
 * Lease timeline benchmark: building the model (src/core/timeline) from 1,000 and 10,000 events,
 * next to a naive baseline measured in the same run on the same events: per subject, filter every
 * event, sort that subject's events and replay them, finding each holder in a list (O(subjects ×
 * events)), which is how a first "for each row, find its events" draft does it. The model sorts
 * once and makes one pass. Run with `npm run bench`; compare within one run.
 */
import * as os from 'node:os';
import type { LeaseEvent } from '../src/core/journal/lease-event';
import { buildTimeline } from '../src/core/timeline/timeline-model';
import { HOUR, manyEvents } from '../test/support/timeline-samples';

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
const RANGE = { sinceMs: T0, untilMs: T0 + HOUR, nowMs: T0 + HOUR };
const CASES = [
  { events: 1_000, subjects: 20 },
  { events: 10_000, subjects: 100 },
  { events: 10_000, subjects: 1_000 },
];

function median(runs: number, op: () => unknown): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    op();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

/** The baseline: one scan of every event per subject, and a linear search per holder. */
function naiveTimeline(events: LeaseEvent[]): number {
  const subjects: string[] = [];
  for (const e of events) if (!subjects.includes(e.subject.name)) subjects.push(e.subject.name);
  const holders: string[] = [];
  let bars = 0;
  for (const name of subjects) {
    const own = events.filter((e) => e.subject.name === name).sort((a, b) => a.atMs - b.atMs);
    let open: string | null = null;
    for (const e of own) {
      const holder = e.holder ? `${e.holder.host}·${e.holder.pid}·${e.holder.instance ?? ''}` : null;
      if (holder && !holders.includes(holder)) holders.push(holder);
      if ((e.kind === 'acquired' || e.kind === 'taken-over') && holder !== open) {
        if (open) bars++;
        open = holder;
      } else if (e.kind === 'released' || e.kind === 'expired') {
        if (open) bars++;
        open = null;
      }
    }
    if (open) bars++;
  }
  return bars;
}

function main(): void {
  console.log(`Hubkeeper lease timeline benchmark · node ${process.version} · ${os.cpus().length} cores · medians\n`);
  const rows = [['events', 'subjects', 'model (ms)', 'naive (ms)', 'bars']];
  for (const c of CASES) {
    const events = manyEvents(c.events, c.subjects, T0);
    // Shuffled, as two sources merged would give them: the model sorts, the baseline sorts per subject.
    const shuffled = [...events].sort((a, b) => ((a.atMs * 7919) % 101) - ((b.atMs * 7919) % 101));
    const runs = c.events > 1_000 ? 15 : 50;
    let bars = 0;
    const model = median(runs, () => (bars = buildTimeline(shuffled, RANGE).rows.reduce((n, r) => n + r.bars.length, 0)));
    const naive = median(runs, () => naiveTimeline(shuffled));
    rows.push([String(c.events), String(c.subjects), model.toFixed(2), naive.toFixed(2), String(bars)]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(r.map((cell, i) => cell.padEnd(widths[i])).join('  '));
}

main();
