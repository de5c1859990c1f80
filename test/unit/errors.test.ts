import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { UsageError } from '../../src/cli/args';
import { exitCodeOf } from '../../src/cli/exit-codes';
import { HubkeeperError } from '../../src/core/errors/hubkeeper-error';
import { HubEntryError } from '../../src/core/hubs/hub-entry';
import { HubLockHeldError } from '../../src/core/hubs/hub-lock';
import { notFound, RegistryError, RegistryFormatError, RegistryLockError } from '../../src/core/registry/errors';

/** One error taxonomy: registry and hub errors share a base and kinds; the CLI's exit statuses follow the kind. */

test('registry and hub errors are HubkeeperErrors with a kind, and the CLI exit status follows the kind', () => {
  const cases: [HubkeeperError, string, number][] = [
    [new UsageError('bad flag'), 'usage', 2],
    [notFound('x', '/r.json'), 'not-found', 1],
    [new RegistryLockError('Locked by h (PID 1)', '/r.json'), 'held', 3],
    [new HubLockHeldError('/w/.hubkeeper/hub.lock', undefined), 'held', 3],
    [new RegistryFormatError('/r.json', 'entries', 'expected an object'), 'corrupt', 1],
    [new HubEntryError('/e.json', 'not valid JSON'), 'corrupt', 1],
    [new RegistryError('/r.json: refusing', 'unsafe', '/r.json'), 'refused', 1],
    [new RegistryError('/r.json: permission denied', 'io', '/r.json'), 'io', 1],
  ];
  for (const [err, kind, exit] of cases) {
    assert.ok(err instanceof HubkeeperError, err.name);
    assert.equal(err.kind, kind, err.name);
    assert.equal(exitCodeOf(err.kind), exit, err.name);
  }
  assert.equal(new HubLockHeldError('/w/.hubkeeper/hub.lock', undefined).file, '/w/.hubkeeper/hub.lock', 'hub errors name their file too');
});
