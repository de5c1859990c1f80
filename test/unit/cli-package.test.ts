import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { writeCliLaunchers } from '../../src/extension/cli-launcher';
import { ROOT, tempDir } from '../support/helpers';

/**
 * How the CLI reaches people: the launcher the extension puts on its terminals' PATH (it runs the
 * extension's own bundle), the `npm pack` tarball, and the VSIX's content. Real files, real npm.
 */

const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const bundle = path.join(ROOT, 'dist', 'extension.js');
const posix = process.platform !== 'win32';

test(
  'the terminal launcher runs the extension bundle as the CLI with the editor’s Node, even with no node on PATH',
  { skip: !posix },
  async () => {
    const { dir, files } = await writeCliLaunchers(path.join(tempDir(), 'bin'), bundle);
    assert.deepEqual(
      files.map((f) => path.basename(f)),
      ['hubkeeper', 'hubkeeper.cmd'],
    );
    assert.equal(fs.statSync(path.join(dir, 'hubkeeper')).mode & 0o777, 0o755);
    const run = spawnSync(path.join(dir, 'hubkeeper'), ['--version'], { encoding: 'utf8', env: { PATH: '/nonexistent' } });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), version);
  },
);

test(
  'the launcher quotes paths with spaces and quotes, and falls back to node from PATH when the baked Node is gone',
  { skip: !posix },
  async () => {
    const odd = path.join(tempDir(), `it's a "dir" $HOME`);
    fs.mkdirSync(odd);
    fs.copyFileSync(bundle, path.join(odd, 'extension.js'));
    const { dir } = await writeCliLaunchers(path.join(odd, 'bin'), path.join(odd, 'extension.js'), path.join(odd, 'gone', 'node'));
    const run = spawnSync(path.join(dir, 'hubkeeper'), ['--version'], {
      encoding: 'utf8',
      env: { PATH: path.dirname(process.execPath) },
    });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), version);
  },
);

test(
  'npm pack’s tarball installs offline with npm install -g --prefix, and its hubkeeper --version prints the version',
  { skip: !posix },
  () => {
    const tmp = tempDir();
    // An empty cache and --offline: the install can only succeed if the package needs nothing else.
    const env = { ...process.env, npm_config_cache: path.join(tmp, 'cache'), npm_config_update_notifier: 'false' };
    // --ignore-scripts: the tests run on the build made before them; prepack would rebuild dist/.
    const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: ROOT, encoding: 'utf8', env });
    assert.equal(pack.status, 0, pack.stderr);
    const [packed] = JSON.parse(pack.stdout) as [{ filename: string; files: { path: string }[] }];
    const files = packed.files.map((f) => f.path);
    for (const f of ['package.json', 'dist/cli.js', 'dist/redis-client.js']) assert.ok(files.includes(f), `${f} is packed: ${files}`);
    assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('test/') || f.endsWith('.map')), `only the bundles: ${files}`);
    const prefix = path.join(tmp, 'prefix');
    const install = spawnSync(
      'npm',
      ['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, path.join(tmp, packed.filename)],
      { cwd: tmp, encoding: 'utf8', env },
    );
    assert.equal(install.status, 0, install.stderr);
    const run = spawnSync(path.join(prefix, 'bin', 'hubkeeper'), ['--version'], { encoding: 'utf8', env });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), version);
  },
);

test('the VSIX holds the one bundle and the Lease Timeline page, packed by .vscodeignore (the npm package’s .npmignore does not reach it)', () => {
  const ls = spawnSync('npx', ['vsce', 'ls', '--no-dependencies'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(ls.status, 0, ls.stderr);
  const files = ls.stdout.trim().split('\n');
  const bundles = ['dist/extension.js', 'dist/timeline.js'];
  for (const f of [...bundles, 'media/timeline.css', 'package.nls.json']) assert.ok(files.includes(f), `${f}: ${files}`);
  assert.ok(!files.some((f) => f.startsWith('dist/') && !bundles.includes(f)), `only the bundles: ${files}`);
  assert.ok(files.includes('media/screenshots/workbench.png'), 'the README screenshots still ship');
  // The manifest's words (%key%) and the runtime strings' English bundle, for a translator's bundles beside it.
  assert.ok(files.includes('package.nls.json'), `the manifest's words ship: ${files}`);
  assert.ok(files.includes('l10n/bundle.l10n.json'), `the runtime strings' bundle ships: ${files}`);
});
