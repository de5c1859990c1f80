import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Timestamp } from '../../src/core/time/timestamp';
import { duration } from '../../src/core/time/relative';

test('UTC times are written canonically: Z, six fraction digits, none when zero', () => {
  assert.equal(Timestamp.parse('2026-03-05T14:00:00.120000Z')?.text, '2026-03-05T14:00:00.120000Z');
  assert.equal(Timestamp.parse('2026-03-05T14:00:00.12Z')?.text, '2026-03-05T14:00:00.120000Z');
  assert.equal(Timestamp.parse('2026-03-05T14:00:00.000000Z')?.text, '2026-03-05T14:00:00Z');
  assert.equal(Timestamp.parse('2026-03-05T14:00:00+00:00')?.text, '2026-03-05T14:00:00Z');
  assert.equal(Timestamp.parse('2026-03-05T14:00:00.123456789Z')?.text, '2026-03-05T14:00:00.123456Z');
  assert.equal(Timestamp.fromMillis(Date.UTC(2026, 2, 5, 14, 0, 0, 120)).text, '2026-03-05T14:00:00.120000Z');
});

test('other offsets and zone-less times are kept exactly as written', () => {
  const t = Timestamp.parse('2026-03-05T15:00:00.5+01:00');
  assert.equal(t?.text, '2026-03-05T15:00:00.5+01:00');
  assert.equal(t?.micros, Timestamp.parse('2026-03-05T14:00:00.500000Z')?.micros);
  const naive = Timestamp.parse('2026-03-05T14:00:00');
  assert.equal(naive?.text, '2026-03-05T14:00:00');
  assert.equal(naive?.offsetMinutes, null);
  assert.equal(naive?.micros, Timestamp.parse('2026-03-05T14:00:00Z')?.micros);
});

test("Python's str(datetime) form for MADSci's messages", () => {
  assert.equal(Timestamp.parse('2026-11-23T10:17:33.808835Z')?.toPython(), '2026-11-23 10:17:33.808835+00:00');
  assert.equal(Timestamp.parse('2026-11-23T10:17:33Z')?.toPython(), '2026-11-23 10:17:33+00:00');
  assert.equal(Timestamp.parse('2026-11-23T10:17:33.5-05:30')?.toPython(), '2026-11-23 10:17:33.500000-05:30');
});

test('invalid times are refused', () => {
  for (const bad of [
    '2026-02-30T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-01-01T24:00:00Z',
    'yesterday',
    '2026-01-01',
    '1772719200',
    '2026-01-01T00:00:00+25:00',
  ]) {
    assert.equal(Timestamp.parse(bad), undefined, bad);
  }
  assert.ok(Timestamp.parse('2024-02-29T00:00:00Z'));
  assert.equal(Timestamp.parse('0050-01-01T00:00:00Z')?.text, '0050-01-01T00:00:00Z');
});

test("the core's compact English durations (describeLock, lease reasons; ago() is test/unit/relative-time.test.ts)", () => {
  assert.deepEqual([12_000, 180_000, 5 * 3600_000, 3 * 86400_000].map(duration), ['12 s', '3 min', '5 h', '3 d']);
});
