import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Lost, lostWarningText, LostWarnings } from '../../src/extension/lost-warnings';
import { shortFolderName, STATUS_NAME_MAX, statusText } from '../../src/extension/status-text';
import { english } from '../../src/extension/translate';

/** What the window tells about itself without an editor: the status bar's text, and the warning for what it lost. */

test('status bar: a short folder name as it is, a long one shortened in the middle to the limit, the other folders counted', () => {
  assert.equal(statusText('broadcast', ['robot-cell']), '$(broadcast) robot-cell');
  assert.equal(statusText('lock', ['robot-cell', 'b', 'c']), '$(lock) robot-cell +2');
  assert.equal(statusText('circle-slash', []), '$(circle-slash) Hubkeeper');
  const long = 'liquid-handling-and-plate-reading-station-v2';
  const short = shortFolderName(long);
  assert.equal([...short].length, STATUS_NAME_MAX);
  assert.ok(short.startsWith('liquid-handlin') && short.endsWith('ation-v2') && short.includes('…'), short);
  assert.equal(statusText('broadcast', [long]), `$(broadcast) ${short}`);
  assert.equal(shortFolderName('x'.repeat(STATUS_NAME_MAX)), 'x'.repeat(STATUS_NAME_MAX), 'exactly the limit is kept');
  // By code point: an emoji at the cut is kept whole or dropped, never halved.
  const emoji = shortFolderName('🧪'.repeat(40));
  assert.equal([...emoji].length, STATUS_NAME_MAX);
  assert.ok(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(emoji), 'no lone surrogate');
});

/** A LostWarnings whose flush the test runs by hand, and whose warnings it answers by hand. */
function harness() {
  const shown: string[] = [];
  const answers: (() => void)[] = [];
  let flush: (() => void) | undefined;
  const warnings = new LostWarnings(
    (text) => {
      shown.push(text);
      return new Promise<void>((resolve) => answers.push(resolve));
    },
    english,
    (f) => (flush = f),
  );
  return { shown, answers, warnings, flush: () => flush?.() };
}

const lease = (name: string): Lost => ({ kind: 'lease', name, reason: 'another holder took it (fence mismatch)' });
const hub = (name: string): Lost => ({ kind: 'hub', name, reason: `the hub lock of /w/${name} was taken over` });

test('lost after a sleep: several leases and folders make one warning that names them all', async () => {
  const h = harness();
  for (const l of [lease('arm'), lease('sealer'), hub('robot-cell'), lease('arm'), hub('imaging'), lease('reader')]) h.warnings.report(l);
  assert.deepEqual(h.shown, [], 'nothing until the moment is over');
  h.flush();
  assert.equal(h.shown.length, 1);
  assert.equal(
    h.shown[0],
    "Hubkeeper lost 3 leases ('sealer', 'arm', 'reader') and the hub lock of 2 folders robot-cell, imaging, e.g. after the machine slept: another holder took it (fence mismatch) (all reasons in the log).",
  );
});

test('lost: one lease or one folder keeps its own words; while a warning is open, later losses add none; once answered, a new loss warns again', async () => {
  const h = harness();
  h.warnings.report(lease('arm'));
  h.flush();
  assert.deepEqual(h.shown, ["Hubkeeper lost the lease on 'arm': another holder took it (fence mismatch)"]);
  h.warnings.report(hub('robot-cell'));
  h.flush();
  assert.equal(h.shown.length, 1, "the open warning's Re-acquire covers it");
  h.answers[0]();
  await new Promise((r) => setImmediate(r));
  h.warnings.report(hub('robot-cell'));
  h.flush();
  assert.deepEqual(h.shown.slice(1), ['Hubkeeper: the hub lock of /w/robot-cell was taken over']);
  assert.equal(
    lostWarningText([lease('a'), hub('w')], english).startsWith("Hubkeeper lost the lease ('a') and the hub lock of folder w,"),
    true,
  );
});
