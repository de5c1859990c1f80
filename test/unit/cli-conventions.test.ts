import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseArgs, UsageError } from '../../src/cli/args';
import { LAB_COMMANDS } from '../../src/cli/commands-lab';
import { LOCAL_COMMANDS } from '../../src/cli/commands-local';
import { closest } from '../../src/cli/suggest';
import { CLI, runCli, tempDir, which } from '../support/helpers';
import { MADSCI_EXAMPLE } from '../support/samples';

/** CLI conventions: Node's parseArgs underneath, "did you mean", examples, confirmations, JSON errors, completion. */

function lab(registryText?: string) {
  const dir = tempDir();
  const registry = path.join(dir, '.madsci', 'registry.json');
  if (registryText !== undefined) {
    fs.mkdirSync(path.dirname(registry), { recursive: true });
    fs.writeFileSync(registry, registryText);
  }
  const env = { HOME: dir, HUBKEEPER_HOME: '', HUBKEEPER_REGISTRY_PATH: registry };
  return { dir, registry, env, cli: (...args: string[]) => runCli(args, { cwd: dir, env }) };
}

test('the parser: --x=v and --x v, short options, -- ends options, and our own messages', () => {
  const specs = { type: { type: 'string' as const }, json: { type: 'boolean' as const }, help: { type: 'boolean' as const, short: 'h' } };
  assert.deepEqual(parseArgs(['a', '--type=node', '-h', '--json', '--', '--type', 'b'], specs), {
    options: { type: 'node', help: true, json: true },
    positionals: ['a', '--type', 'b'],
  });
  assert.deepEqual(parseArgs(['--type', 'module', '-'], specs).options.type, 'module');
  assert.deepEqual(parseArgs(['-'], specs).positionals, ['-'], 'a lone - is stdin, a positional');
  const usage = (argv: string[], message: string) =>
    assert.throws(
      () => parseArgs(argv, specs),
      (err: unknown) => err instanceof UsageError && err.message === message,
    );
  usage(['--tpye', 'node'], 'unknown option --tpye; did you mean --type?');
  usage(['-x'], 'unknown option -x');
  usage(['--json=1'], '--json takes no value');
  usage(['--type'], '--type needs a value');
  assert.equal(closest('reap', ['reap', 'prune']), 'reap');
  assert.equal(closest('includ', ['include-stale', 'type']), 'include-stale', 'a unique prefix');
  assert.equal(closest('zzz', ['list', 'show']), undefined);
});

test('unknown commands and options suggest the closest one; every command has examples in its --help', async () => {
  const { cli } = lab();
  const typo = await cli('componets', 'list');
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /^hubkeeper: unknown command 'componets list'; did you mean 'components list'\?$/m);
  const option = await cli('hubs', 'list', '--al');
  assert.equal(option.code, 2);
  assert.match(option.stderr, /unknown option --al; did you mean --all\?/);
  for (const c of [...LOCAL_COMMANDS, ...LAB_COMMANDS]) {
    assert.ok(c.examples.length > 0, `${c.words.join(' ')} has examples`);
    for (const e of c.examples) assert.ok(e.includes(c.words.join(' ')), `an example of ${c.words.join(' ')} uses it: ${e}`);
  }
  const help = await cli('components', 'resolve', '--help');
  assert.match(help.stdout, /\nExamples:\n {2}hubkeeper components resolve liquidhandler_1 --type node\n/);
});

test('with --json, errors are JSON on stderr with the same exit codes', async () => {
  const { cli } = lab(MADSCI_EXAMPLE);
  const missing = await cli('--json', 'components', 'show', 'nope');
  assert.equal(missing.code, 1);
  const { error } = JSON.parse(missing.stderr);
  assert.deepEqual([error.code, error.message], ['not-found', "Entry 'nope' not found"]);
  assert.match(error.file, /\.madsci\/registry\.json$/);
  const usage = await cli('components', 'list', '--json', '--type', 'robot');
  assert.equal(usage.code, 2);
  assert.equal(JSON.parse(usage.stderr).error.code, 'usage');
  assert.equal(usage.stdout, '', 'nothing on stdout');
});

test('clean and import --replace delete data: they need --yes off a terminal, ask on one, and a "no" does nothing (exit 0)', async (t) => {
  const { cli, registry, dir } = lab(MADSCI_EXAMPLE);
  const before = fs.readFileSync(registry, 'utf8');
  const exportFile = path.join(dir, 'export.json');
  assert.equal((await cli('components', 'export', exportFile)).code, 0);
  for (const argv of [
    ['components', 'clean', '--older-than', '1d'],
    ['components', 'import', exportFile, '--replace'],
  ]) {
    const r = await cli(...argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.stderr, /without confirmation: run it in a terminal, or pass --yes/);
    assert.equal(fs.readFileSync(registry, 'utf8'), before, 'nothing changed');
  }
  // On a terminal (a real pty through util-linux `script`): the entries are listed, "n" does nothing.
  if (!which('script')) return t.skip('no `script` to give the CLI a terminal');
  const pty = spawnSync('script', ['-qec', `${process.execPath} ${CLI} components clean --older-than 1d`, '/dev/null'], {
    input: 'n\n',
    env: { ...process.env, HUBKEEPER_REGISTRY_PATH: registry, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(pty.status, 0, pty.stdout + pty.stderr);
  assert.match(pty.stdout, /liquidhandler_1/);
  assert.match(pty.stdout, /Remove these 2 entries from .*registry\.json\? \[y\/N\]/);
  assert.match(pty.stdout, /Nothing done\./);
  assert.equal(fs.readFileSync(registry, 'utf8'), before, 'declined: nothing changed');
  assert.equal((await cli('components', 'import', exportFile, '--replace', '--yes')).code, 0);
});

test('completion: scripts for bash, zsh and fish; bash completes commands, options and live component names', async (t) => {
  const { cli, registry, env } = lab(MADSCI_EXAMPLE);
  for (const shell of ['bash', 'zsh', 'fish']) {
    const r = await cli('completion', shell);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /hubkeeper __complete --/, shell);
  }
  assert.equal((await cli('completion', 'tcsh')).code, 2);
  assert.deepEqual((await cli('__complete', '--', 'components', 'show', 'liq')).stdout.split('\n').filter(Boolean), ['liquidhandler_1']);
  assert.deepEqual((await cli('__complete', '--', '--json', 'components', 're')).stdout.split('\n').filter(Boolean), [
    'release',
    'rename',
    'resolve',
  ]);
  assert.deepEqual((await cli('__complete', '--', 'components', 'resolve', 'x', '--type', 'wo')).stdout.split('\n').filter(Boolean), [
    'workcell',
  ]);
  if (!which('bash')) return t.skip('no bash');
  // The real script in a real bash, with `hubkeeper` on PATH.
  const bin = path.join(tempDir(), 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'hubkeeper'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`, { mode: 0o755 });
  const script = (await cli('completion', 'bash')).stdout;
  const run = (words: string[]) =>
    spawnSync(
      'bash',
      [
        '-c',
        `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _hubkeeper; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ],
      {
        env: { ...process.env, ...env, PATH: `${bin}:${process.env.PATH}`, HUBKEEPER_REGISTRY_PATH: registry },
        encoding: 'utf8',
      },
    )
      .stdout.split('\n')
      .filter(Boolean);
  assert.deepEqual(run(['hubkeeper', 'hu']), ['hub', 'hubs']);
  assert.deepEqual(run(['hubkeeper', 'components', 'release', 'li']), ['liquidhandler_1']);
  assert.ok(run(['hubkeeper', 'hubs', 'reap', '--']).includes('--orphans'));
});
