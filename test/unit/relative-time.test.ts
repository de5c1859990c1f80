import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ago, duration, localDuration } from '../../src/core/time/relative';

/**
 * Relative times through Intl (core/time/relative.ts): English by default where the process
 * speaks it, really another language when asked (German here), and never a throw for a locale
 * tag Intl refuses. The core's own compact `duration()` stays English.
 */

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

test('ago in English: now, seconds, minutes, hours, days, and the future', () => {
  assert.deepEqual(
    [500, -500, 5 * SEC, 3 * MIN, 5 * HOUR, 3 * DAY, -3 * DAY, -90 * SEC].map((ms) => ago(ms, 'en')),
    ['now', 'now', '5 seconds ago', '3 minutes ago', '5 hours ago', '3 days ago', 'in 3 days', 'in 2 minutes'],
  );
  // The same unit thresholds as duration(): 89 s are seconds, 90 s two minutes; 35 h hours, 36 h two days.
  assert.equal(ago(89 * SEC, 'en'), '89 seconds ago');
  assert.equal(ago(35 * HOUR, 'en'), '35 hours ago');
  assert.equal(ago(36 * HOUR, 'en'), '2 days ago');
  assert.equal(ago(1 * SEC, 'en-US'), '1 second ago');
});

test('ago and localDuration really localize: German words, German order', () => {
  assert.deepEqual(
    [500, 5 * SEC, 3 * MIN, 5 * HOUR, -3 * DAY].map((ms) => ago(ms, 'de')),
    ['jetzt', 'vor 5 Sekunden', 'vor 3 Minuten', 'vor 5 Stunden', 'in 3 Tagen'],
  );
  assert.equal(ago(3 * MIN, 'en'), '3 minutes ago', 'a German formatter made first is not reused for English');
  assert.deepEqual(
    [12 * SEC, 3 * MIN].map((ms) => localDuration(ms, 'de')),
    ['12 Sek.', '3 Min.'],
  );
  assert.deepEqual(
    [12 * SEC, 3 * MIN, 5 * HOUR, 3 * DAY].map((ms) => localDuration(ms, 'en')),
    ['12 sec', '3 min', '5 hr', '3 days'],
  );
});

test("without a locale: the process's; a tag Intl refuses is English, not a throw; a non-finite age is '?'", () => {
  const processLocale = Intl.DateTimeFormat().resolvedOptions().locale;
  assert.equal(ago(3 * MIN), ago(3 * MIN, processLocale));
  assert.equal(localDuration(3 * MIN), localDuration(3 * MIN, processLocale));
  assert.equal(ago(3 * MIN, 'not a locale!'), '3 minutes ago');
  assert.equal(localDuration(3 * MIN, '??'), '3 min');
  assert.doesNotThrow(() => ago(3 * MIN, 'qps-ploc'), "VS Code's pseudo-locale");
  assert.equal(ago(Number.NaN, 'en'), '?');
  assert.equal(localDuration(Number.POSITIVE_INFINITY, 'en'), '?');
});

test("the core's duration() is unchanged English, whatever the process's locale", () => {
  assert.deepEqual([12 * SEC, 3 * MIN, 5 * HOUR, 3 * DAY, -3 * DAY].map(duration), ['12 s', '3 min', '5 h', '3 d', '3 d']);
});
