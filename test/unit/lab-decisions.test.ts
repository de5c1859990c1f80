import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { rebuildNeeded } from '../../src/extension/lab-decisions';

/** The lab connection's decisions that need no editor (src/extension/lab-decisions.ts). */

test('Connect again with the same URL and token after the lab refused them makes the connection again; a plain sync does not', () => {
  const made = JSON.stringify(['http://127.0.0.1:1', 'st', 'token-sha']);
  assert.equal(rebuildNeeded(made, made, true, 'refused'), true, 'Connect (forced) retries a refusal');
  assert.equal(rebuildNeeded(made, made, false, 'refused'), false, 'a settings change does not hammer a lab that refused');
  assert.equal(rebuildNeeded(made, made, true, 'connected'), false, 'a working connection is kept');
  assert.equal(rebuildNeeded(made, made, true, 'reconnecting'), false, 'a reconnecting one retries by itself');
  assert.equal(rebuildNeeded(`${made}x`, made, false, 'connected'), true, 'what it is made from changed');
});
