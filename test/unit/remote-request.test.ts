import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { fileRemoteRequest, LabCaller } from '../../src/core/fleet/remote-request';

/**
 * How a requester waits for a remote action's result. The lab is a stand-in caller here (the
 * pacing is what is tested, not HTTP; the real lab is test/lab/fleet-remote.test.ts), and the
 * waits are recorded through the sleep hook instead of slept, so nothing depends on timing.
 */

test('waiting for a result backs off from 100 ms to 1 s between polls, instead of polling every 100 ms', async () => {
  let gets = 0;
  const call: LabCaller = async (method) => {
    if (method === 'POST') return { id: 'R1', station: 's', kind: 'reap', state: 'pending', detail: null };
    gets++;
    return { id: 'R1', station: 's', kind: 'reap', state: gets < 20 ? 'running' : 'done', detail: 'reaped: SIGTERM' };
  };
  const waits: number[] = [];
  const r = await fileRemoteRequest(call, 's', 'reap', {}, { sleep: async (ms) => void waits.push(ms) });
  assert.equal(r.state, 'done');
  assert.equal(waits[0], 100, 'the first answer is looked for soon');
  assert.ok(
    waits.every((w, i) => i === 0 || w >= waits[i - 1]),
    `never shorter again: ${waits}`,
  );
  assert.equal(Math.max(...waits), 1000, `capped at 1 s: ${waits}`);
  assert.equal(waits[waits.length - 1], 1000);
  // A ~47 s wait (30 s deadline, 2 s grace, 15 s slack) is then ~50 GETs, not ~470.
  const ramp = waits.filter((w) => w < 1000);
  const polls = ramp.length + Math.ceil((47_000 - ramp.reduce((a, b) => a + b, 0)) / 1000);
  assert.ok(polls < 60, `${polls} polls in 47 s`);
});
