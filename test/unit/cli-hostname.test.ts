import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { homeEnv, runCli, tempDir } from '../support/helpers';

/**
 * HUBKEEPER_HOSTNAME names the station for the CLI's own leases too, as its agent judges them
 * (a simulated station of the demo lab, a container with a random host name): a lease taken as
 * the OS name there would be another machine's lease to that station's agent.
 */

const holderHostOf = (registry: string, name: string) => JSON.parse(fs.readFileSync(registry, 'utf8')).entries[name].lock.holder_host;

test('components resolve takes the lease as HUBKEEPER_HOSTNAME when it is set, else as the OS host name', async () => {
  const home = tempDir('hubkeeper-hostname-');
  const env = homeEnv(home);
  const registry = env.HUBKEEPER_REGISTRY_PATH as string;
  const named = await runCli(['components', 'resolve', 'arm_1', '--type', 'node'], { env: { ...env, HUBKEEPER_HOSTNAME: 'lab-pc-07' } });
  assert.equal(named.code, 0, named.stderr);
  assert.equal(holderHostOf(registry, 'arm_1'), 'lab-pc-07');
  const plain = await runCli(['components', 'resolve', 'arm_2', '--type', 'node'], { env: { ...env, HUBKEEPER_HOSTNAME: '' } });
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(holderHostOf(registry, 'arm_2'), os.hostname());
});
