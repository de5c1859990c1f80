import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { ago } from '../../src/core/time/relative';
import { CLI, exited, runCli, tempDir, track, waitFor, waitForLine } from '../support/helpers';
import { MADSCI_EXAMPLE } from '../support/samples';

/** The real bundled CLI (dist/cli.js) in real temp dirs. */

function lab(initial?: string) {
  const dir = tempDir();
  const registry = path.join(dir, 'registry.json');
  if (initial) fs.writeFileSync(registry, initial);
  const cli = (...args: string[]) => runCli(['--registry', registry, ...args], { cwd: dir });
  return { dir, registry, cli };
}

test('resolve prints the id; lookup, show and list agree; exit 0', async () => {
  const { cli } = lab();
  const r = await cli('components', 'resolve', 'robot_1', '--type', 'node', '--no-lock', '--metadata', '{"v": 200.0}');
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  assert.match(id, /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
  assert.equal((await cli('components', 'lookup', 'robot_1')).stdout.trim(), id);
  const show = await cli('components', 'show', 'robot_1');
  assert.match(show.stdout, /^id +[0-7]/m);
  assert.match(show.stdout, /"v": 200\.0/);
  const list = await cli('components', 'list');
  assert.match(list.stdout, /^NAME +TYPE +ID +LOCK +LAST SEEN$/m);
  // LAST SEEN in the CLI's locale (its LANG, the same as this process's): "now", "2 seconds ago"
  // in English, however slow the machine was between resolve and list.
  const lately = [...Array(90).keys()].map((s) => ago(s * 1000).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  assert.match(list.stdout, new RegExp(`^robot_1 +node +${id} +free +(${lately})$`, 'm'));
});

test('--json shapes are stable', async () => {
  const { cli, registry } = lab(MADSCI_EXAMPLE);
  const list = JSON.parse((await cli('components', 'list', '--include-stale', '--json')).stdout);
  assert.equal(list.registry, registry);
  assert.deepEqual(Object.keys(list.entries[0]), [
    'name',
    'id',
    'component_type',
    'created_at',
    'last_seen',
    'metadata',
    'workcell_id',
    'lock',
    'lock_state',
    'lock_reason',
    'lock_ms_left',
  ]);
  assert.deepEqual(list.entries[0].metadata, {
    module_name: 'liquidhandler',
    volume: 200,
    tolerance: 1e-7,
    serial: '12345678901234567890',
    unit: 'µL',
  });
  assert.equal(list.entries[0].lock_state, 'expired');
  const status = JSON.parse((await cli('status', '--json')).stdout);
  assert.deepEqual(Object.keys(status), [
    'registry',
    'counts',
    'held',
    'stale_locks',
    'invalid',
    'hubs',
    'stale_hub_locks',
    'unreadable_hub_files',
    'entries',
  ]);
  assert.equal(status.counts.node, 1);
  assert.equal(status.stale_locks[0].name, 'liquidhandler_1');
  const where = JSON.parse((await cli('registry', 'path', '--json')).stdout);
  assert.deepEqual(where, { path: registry, source: 'explicit', reason: 'given explicitly', exists: true, searched: [] });
});

test('exit codes: 1 for errors, 2 for usage, 3 for a lock held by another holder; errors are one line on stderr', async () => {
  const { cli, registry, dir } = lab();
  const notFound = await cli('components', 'lookup', 'ghost');
  assert.equal(notFound.code, 1);
  assert.equal(notFound.stderr, "hubkeeper: Entry 'ghost' not found\n");
  const usage = await cli('components', 'resolve', 'x');
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /^hubkeeper: --type is required/);
  assert.equal((await cli('components', 'list', '--bogus')).code, 2);
  assert.equal((await cli('frobnicate')).code, 2);
  // A live holder: a CLI process keeping its lease with --hold.
  const holder = track(
    spawn(process.execPath, [CLI, '--registry', registry, 'components', 'resolve', 'held', '--type', 'node', '--hold'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  await waitForLine(holder, /^[0-7][0-9A-Z]{25}$/);
  const locked = await cli('components', 'resolve', 'held', '--type', 'node');
  assert.equal(locked.code, 3);
  assert.match(
    locked.stderr,
    /^hubkeeper: Cannot acquire lock for '[0-9A-Z]{26}': Locked by .+ \(PID \d+\) until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?\+00:00\n$/,
  );
  const release = await cli('components', 'release', 'held');
  assert.equal(release.code, 3, "releasing another holder's live lock needs --force");
  assert.equal((await cli('components', 'release', 'held', '--force')).code, 0);
  holder.kill('SIGKILL');
  await exited(holder);
  // A lock whose holder ran here and died is abandoned, not live: no --force needed.
  assert.equal((await cli('components', 'resolve', 'crashed', '--type', 'node')).code, 0);
  const abandoned = await cli('components', 'release', 'crashed');
  assert.equal(abandoned.code, 0, abandoned.stderr);
});

test('a corrupt registry: the error names the file and the problem, and the file is untouched', async () => {
  const { cli, registry } = lab('{"entries": {"a": 1,}}');
  const r = await cli('components', 'resolve', 'x', '--type', 'node');
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    new RegExp(
      `^hubkeeper: ${registry.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not valid JSON: line 1, column 21: expected a string key, found '\\}'`,
    ),
  );
  assert.equal(fs.readFileSync(registry, 'utf8'), '{"entries": {"a": 1,}}');
});

test('rename, clean, export and import through the CLI', async () => {
  const { cli, dir } = lab(MADSCI_EXAMPLE);
  assert.equal((await cli('components', 'rename', '7', 'cell_7')).code, 0);
  assert.equal((await cli('components', 'lookup', 'cell_7')).stdout.trim(), '01JNQ8Z6T9K3M2V7X4C5B8D0EG');
  const dry = await cli('components', 'clean', '--older-than', '1d', '--dry-run');
  assert.match(dry.stdout, /^Would remove 2 stale entries: liquidhandler_1, cell_7$/m);
  const exportFile = path.join(dir, 'export.json');
  assert.equal((await cli('components', 'export', exportFile)).code, 0);
  assert.ok(fs.readFileSync(exportFile, 'utf8').includes('"serial": 12345678901234567890'));
  const unconfirmed = await cli('components', 'clean', '--older-than', '1d');
  assert.equal(unconfirmed.code, 2, 'clean deletes data: off a terminal it needs --yes');
  assert.match(unconfirmed.stderr, /refusing to remove 2 entries without confirmation: run it in a terminal, or pass --yes/);
  assert.equal((await cli('components', 'clean', '--older-than', '1d', '--yes')).code, 0);
  assert.match((await cli('components', 'list', '--include-stale')).stdout, /^No entries/);
  const imported = await cli('components', 'import', exportFile);
  assert.match(imported.stdout, /Merged 2 entries/);
  assert.equal((await cli('components', 'lookup', 'liquidhandler_1')).stdout.trim(), '01JNQ8Z6T9K3M2V7X4C5B8D0EF');
});

test('--hold keeps the lease alive and Ctrl-C (SIGINT) releases it', async () => {
  const { registry, dir } = lab();
  const child = track(
    spawn(process.execPath, [CLI, '--registry', registry, 'components', 'resolve', 'held', '--type', 'node', '--hold'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  await waitForLine(child, /^[0-7][0-9A-Z]{25}$/);
  const lockOf = () => JSON.parse(fs.readFileSync(registry, 'utf8')).entries.held.lock;
  await waitFor(() => lockOf()?.holder_pid === child.pid, 'the lock of the holding CLI');
  child.kill('SIGINT');
  const { code } = await exited(child);
  assert.equal(code, 0);
  assert.equal(lockOf(), null);
});

test('help, version, colour only when asked for or on a terminal', async () => {
  const help = await runCli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /components resolve NAME --type T/);
  assert.match((await runCli(['components', 'resolve', '--help'])).stdout, /--hold +keep the lease alive/);
  assert.match((await runCli(['--version'])).stdout, /^\d+\.\d+\.\d+\n$/);
  const { cli } = lab(MADSCI_EXAMPLE);
  assert.ok(!(await cli('components', 'list')).stdout.includes('\x1b['), 'NO_COLOR and a pipe: no escape codes');
  const colored = await runCli(['--registry', lab(MADSCI_EXAMPLE).registry, 'components', 'list'], {
    env: { NO_COLOR: '', FORCE_COLOR: '1' },
  });
  assert.ok(colored.stdout.includes('\x1b[1m'));
});

test('discovery through the environment, and registry path creates nothing', async () => {
  const dir = tempDir();
  const r = await runCli(['registry', 'path'], { cwd: dir, env: { HUBKEEPER_REGISTRY_PATH: path.join(dir, 'x', 'r.json'), HOME: dir } });
  assert.equal(r.stdout.split('\n')[0], path.join(dir, 'x', 'r.json'));
  assert.match(r.stdout, /from \$HUBKEEPER_REGISTRY_PATH; the file does not exist yet/);
  assert.deepEqual(fs.readdirSync(dir), []);
});
