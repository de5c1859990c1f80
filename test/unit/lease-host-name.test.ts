import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, exited, runCli, tempDir, track, waitForLine } from '../support/helpers';

/**
 * A simulated station (HUBKEEPER_HOSTNAME, as tests and the demo run several on one machine, or a
 * container whose host name is random) must sign its leases with the station's name and judge
 * them by it: otherwise the agent (which names the station by HUBKEEPER_HOSTNAME) and `status`
 * (which used os.hostname()) disagree on whose lease is local, and the lab renews nothing.
 */
test('with HUBKEEPER_HOSTNAME set, a lease is signed with that name and judged as this machine’s', async () => {
  const dir = tempDir();
  const registry = path.join(dir, 'registry.json');
  fs.writeFileSync(registry, '{"entries": {}}\n');
  const env = { HUBKEEPER_HOSTNAME: 'sim-station-7' };
  const holder = track(
    spawn(process.execPath, [CLI, '--registry', registry, 'components', 'resolve', 'arm', '--type', 'node', '--hold'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  await waitForLine(holder, /^[0-7][0-9A-Z]{25}$/);
  const lock = JSON.parse(fs.readFileSync(registry, 'utf8')).entries.arm.lock;
  assert.equal(lock.holder_host, 'sim-station-7');
  holder.kill('SIGKILL');
  await exited(holder);
  const shown = await runCli(['--registry', registry, 'components', 'show', 'arm', '--json'], { env });
  assert.equal(shown.code, 0, shown.stderr);
  // Judged as a lease of this station: its holder is known dead, not merely "held elsewhere".
  assert.equal(JSON.parse(shown.stdout).lock_state, 'abandoned');
});
