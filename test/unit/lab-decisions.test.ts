import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { connectAnswers, disconnectPlan, rebuildNeeded } from '../../src/extension/lab-decisions';

/** The lab connection's decisions that need no editor (src/extension/lab-decisions.ts). */

test('Connect again with the same URL and token after the lab refused them makes the connection again; a plain sync does not', () => {
  const made = JSON.stringify(['http://127.0.0.1:1', 'st', 'token-sha']);
  assert.equal(rebuildNeeded(made, made, true, 'refused'), true, 'Connect (forced) retries a refusal');
  assert.equal(rebuildNeeded(made, made, false, 'refused'), false, 'a settings change does not hammer a lab that refused');
  assert.equal(rebuildNeeded(made, made, true, 'connected'), false, 'a working connection is kept');
  assert.equal(rebuildNeeded(made, made, true, 'reconnecting'), false, 'a reconnecting one retries by itself');
  assert.equal(rebuildNeeded(`${made}x`, made, false, 'connected'), true, 'what it is made from changed');
});

test('Disconnect with a token file set clears the lab URL too, after a confirmation; without one it only forgets the token', () => {
  assert.deepEqual(disconnectPlan('/home/u/.hubkeeper/lab.token'), { clearUrl: true, confirm: true });
  assert.deepEqual(disconnectPlan(undefined), { clearUrl: false, confirm: false });
  assert.deepEqual(disconnectPlan(''), { clearUrl: false, confirm: false });
});

test("Connect's scripted url and token count only in the extension's tests; otherwise the user is asked", () => {
  const script = { url: 'http://evil.example:8790', token: 'stolen', yes: true };
  assert.deepEqual(connectAnswers(script, false), {}, 'any executeCommand with arguments: ignored, the input boxes are shown');
  assert.deepEqual(connectAnswers(script, true), script, 'the host tests drive Connect this way');
  assert.deepEqual(connectAnswers({ url: 1, token: ['x'], yes: 'yes' }, true), { url: undefined, token: undefined, yes: false });
  assert.deepEqual(connectAnswers('nope', true), {});
});
