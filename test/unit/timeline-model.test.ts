import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { buildTimeline } from '../../src/core/timeline/timeline-model';
import { timelineTable } from '../../src/core/timeline/timeline-table';
import { holderKey } from '../../src/core/timeline/holder-colours';
import { ALICE, BOB, handsEveryMinute, HOUR, leaseEvent, manyEvents, MINUTE } from '../support/timeline-samples';

/** The lease timeline's model (src/core/timeline): events in, rows of bars and markers out. */

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
const hourRange = { sinceMs: T0, untilMs: T0 + HOUR, nowMs: T0 + HOUR };

test('a lease that changes hands every minute for an hour: 60 contiguous bars, alternating holders in two colours, 59 forced takeovers', () => {
  const model = buildTimeline(handsEveryMinute(T0), hourRange);
  assert.equal(model.rows.length, 1);
  const [row] = model.rows;
  assert.equal(row.bars.length, 60);
  row.bars.forEach((b, i) => {
    assert.equal(b.holder, holderKey(i % 2 === 0 ? ALICE : BOB), `bar ${i}`);
    assert.equal(b.startMs, T0 + i * MINUTE);
    assert.equal(b.endMs, i < 59 ? T0 + (i + 1) * MINUTE : T0 + HOUR, `bar ${i} ends where the next starts`);
    assert.equal(b.endedBy, i < 59 ? 'taken-over' : 'now');
  });
  assert.equal(row.bars[59].ongoing, true, 'the last lease (90 s from 59 min) is still held at 60 min');
  assert.equal(new Set(row.bars.map((b) => b.key)).size, 60, 'bar keys are unique');
  const colours = [ALICE, BOB].map((h) => model.holders[holderKey(h)].colour);
  assert.notEqual(colours[0], colours[1], 'alternating holders have different colours');
  assert.equal(model.holders[holderKey(ALICE)].label, 'lab-pc-01 · 4242');
  assert.equal(row.markers.length, 59);
  assert.ok(
    row.markers.every((m) => m.kind === 'taken-over' && m.forced),
    'each took a live lease: forced',
  );
  assert.equal(row.markers[0].previous, holderKey(ALICE));
});

test('events out of order give the same model as in order (ties keep their order)', () => {
  const events = handsEveryMinute(T0);
  const shuffled = [...events].sort((a, b) => ((a.atMs * 7919) % 13) - ((b.atMs * 7919) % 13));
  assert.notDeepEqual(shuffled, events);
  assert.deepEqual(buildTimeline(shuffled, hourRange), buildTimeline(events, hourRange));
});

test('unknown kinds and malformed events are ignored and counted, never drawn', () => {
  const events: unknown[] = [
    leaseEvent(T0 + MINUTE, 'acquired', { expiresAtMs: T0 + 2 * MINUTE }),
    { ...leaseEvent(T0 + 90_000, 'released'), kind: 'heartbeat-v2' },
    { ...leaseEvent(T0 + 90_000, 'released'), atMs: 'soon' },
    { ...leaseEvent(T0 + 90_000, 'released'), subject: null },
    { ...leaseEvent(T0 + 90_000, 'released'), holder: { host: 42 } },
    null,
    'acquired',
  ];
  const model = buildTimeline(events, hourRange);
  assert.equal(model.eventCount, 7);
  assert.equal(model.ignoredCount, 6);
  assert.equal(model.rows[0].bars.length, 1);
  assert.equal(model.rows[0].markers.length, 0);
});

test('a bar with no later event ends at its expiry; a release without its acquisition was held since before the range', () => {
  const hub = { kind: 'hub' as const, name: 'lab-ws', id: 'a1b2c3', station: null };
  const model = buildTimeline(
    [
      leaseEvent(T0 + 10 * MINUTE, 'acquired', { expiresAtMs: T0 + 10 * MINUTE + 30_000 }),
      leaseEvent(T0 + 5 * MINUTE, 'released', { subject: { ...leaseEvent(0, 'released').subject, name: 'arm', id: 'ARM' }, holder: BOB }),
      leaseEvent(T0 + 20 * MINUTE, 'hub-started', { subject: hub }),
      leaseEvent(T0 + 30 * MINUTE, 'hub-orphaned', { subject: hub, detail: 'cwd no longer exists' }),
      leaseEvent(T0 + 40 * MINUTE, 'hub-reaped', { subject: hub }),
    ],
    hourRange,
  );
  assert.deepEqual(
    model.rows.map((r) => `${r.kind}:${r.name}`),
    ['component:arm', 'component:camera_1', 'hub:lab-ws'],
    'components first, then hubs, by name',
  );
  const [arm, camera, ws] = model.rows;
  assert.deepEqual(
    { start: arm.bars[0].startMs, end: arm.bars[0].endMs, before: arm.bars[0].startsBefore },
    { start: T0, end: T0 + 5 * MINUTE, before: true },
  );
  assert.deepEqual([camera.bars[0].endMs, camera.bars[0].endedBy, camera.bars[0].ongoing], [T0 + 10 * MINUTE + 30_000, 'expiry', false]);
  assert.deepEqual([ws.bars[0].startMs, ws.bars[0].endMs, ws.bars[0].endedBy], [T0 + 20 * MINUTE, T0 + 40 * MINUTE, 'hub-reaped']);
  assert.deepEqual(
    ws.markers.map((m) => m.kind),
    ['hub-started', 'hub-orphaned', 'hub-reaped'],
  );
});

test('a takeover after the lease ran out is not forced; a rename keeps the row and shows the new name; lost ends only its own lease', () => {
  const model = buildTimeline(
    [
      leaseEvent(T0, 'acquired', { expiresAtMs: T0 + 30_000 }),
      leaseEvent(T0 + MINUTE, 'taken-over', { holder: BOB, previous: ALICE, expiresAtMs: T0 + 2 * MINUTE }),
      leaseEvent(T0 + 70_000, 'lost', { holder: ALICE, detail: 'another holder has it' }),
      leaseEvent(T0 + 80_000, 'renamed', {
        subject: { ...leaseEvent(0, 'renamed').subject, name: 'camera_2' },
        detail: 'renamed from camera_1',
      }),
      leaseEvent(T0 + 90_000, 'conflict', { detail: 'camera_2 has another id on station-b' }),
    ],
    hourRange,
  );
  assert.equal(model.rows.length, 1);
  const [row] = model.rows;
  assert.equal(row.name, 'camera_2');
  assert.deepEqual(
    row.bars.map((b) => [b.holder, b.endMs, b.endedBy]),
    [
      [holderKey(ALICE), T0 + 30_000, 'expiry'],
      [holderKey(BOB), T0 + 2 * MINUTE, 'expiry'],
    ],
  );
  assert.deepEqual(
    row.markers.map((m) => [m.kind, m.forced]),
    [
      ['taken-over', false],
      ['lost', false],
      ['renamed', false],
      ['conflict', false],
    ],
  );
});

test('a filter keeps one subject (by id, or by name without one); a narrower range clips bars and keeps each holder its colour', () => {
  const camera = handsEveryMinute(T0);
  const arm = handsEveryMinute(T0, { kind: 'component', name: 'arm', id: 'ARM', station: 'station-b' });
  const all = buildTimeline([...camera, ...arm], hourRange);
  assert.equal(all.rows.length, 2);
  const one = buildTimeline([...camera, ...arm], hourRange, { kind: 'component', name: 'whatever', id: 'ARM' });
  assert.deepEqual(
    one.rows.map((r) => r.name),
    ['arm'],
  );
  const lastQuarter = buildTimeline(camera, { sinceMs: T0 + 45 * MINUTE, untilMs: T0 + HOUR, nowMs: T0 + HOUR });
  assert.equal(lastQuarter.rows[0].bars.length, 15);
  for (const h of [ALICE, BOB]) assert.equal(lastQuarter.holders[holderKey(h)].colour, all.holders[holderKey(h)].colour);
});

test('the table has one line per bar and per marker, with the chart keys, each subject in time order', () => {
  const model = buildTimeline([...handsEveryMinute(T0), ...manyEvents(300, 5, T0)], hourRange);
  const lines = timelineTable(model);
  const keys = model.rows.flatMap((r) => [...r.bars.map((b) => b.key), ...r.markers.map((m) => m.key)]);
  assert.deepEqual(new Set(lines.map((l) => l.key)), new Set(keys));
  assert.equal(lines.length, keys.length);
  const camera = lines.filter((l) => l.subject === 'camera_1');
  assert.ok(camera.every((l, i) => i === 0 || camera[i - 1].fromMs <= l.fromMs));
  assert.ok(camera.some((l) => l.what === 'Taken over by force' && l.holder === 'lab-pc-01 · 4242 → lab-pc-02 · 777'));
});

test('10,000 events over 100 components: every subject a row, no more bars than events, every bar inside the range', () => {
  const events = manyEvents(10_000, 100, T0);
  const model = buildTimeline(events, hourRange);
  assert.equal(model.rows.length, 100);
  const bars = model.rows.flatMap((r) => r.bars);
  assert.ok(bars.length > 0 && bars.length <= events.length, `${bars.length} bars`);
  assert.ok(bars.every((b) => b.startMs >= T0 && b.endMs <= T0 + HOUR && b.startMs <= b.endMs));
  assert.equal(model.ignoredCount, 0);
});
