import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { discoverRegistryPath, PathKind } from '../../src/core/registry/discovery';
import { tempDir } from '../support/helpers';

const HOME = '/home/ana';
function fakeFs(dirs: string[], files: string[] = []): (p: string) => PathKind {
  return (p) => (dirs.includes(p) ? 'dir' : files.includes(p) ? 'file' : 'missing');
}

test('explicit path, then HUBKEEPER_REGISTRY_PATH, then MADSCI_REGISTRY_PATH (with ~ expanded)', () => {
  const env = { HUBKEEPER_REGISTRY_PATH: '~/hk.json', MADSCI_REGISTRY_PATH: '/m/r.json' };
  assert.equal(discoverRegistryPath({ explicit: 'rel/r.json', env, cwd: '/w', home: HOME }).path, '/w/rel/r.json');
  assert.deepEqual(discoverRegistryPath({ env, cwd: '/w', home: HOME }).path, '/home/ana/hk.json');
  const madsci = discoverRegistryPath({ env: { MADSCI_REGISTRY_PATH: '/m/r.json' }, cwd: '/w', home: HOME });
  assert.equal(madsci.path, '/m/r.json');
  assert.equal(madsci.source, 'MADSCI_REGISTRY_PATH');
});

test('walk-up finds the first .madsci/ directory, a .madsci file does not count', () => {
  const kindOf = fakeFs(['/home/ana/lab/.madsci', '/home/ana/.madsci'], ['/home/ana/lab/cell/.madsci']);
  const found = discoverRegistryPath({ env: {}, cwd: '/home/ana/lab/cell/robot', home: HOME, kindOf });
  assert.equal(found.path, '/home/ana/lab/.madsci/registry.json');
  assert.deepEqual(found.searched, ['/home/ana/lab/cell/robot', '/home/ana/lab/cell', '/home/ana/lab']);
});

test('MADSCI_SETTINGS_DIR replaces the start directory', () => {
  const kindOf = fakeFs(['/etc/lab/.madsci']);
  assert.equal(
    discoverRegistryPath({ env: { MADSCI_SETTINGS_DIR: '/etc/lab' }, cwd: '/w', home: HOME, kindOf }).path,
    '/etc/lab/.madsci/registry.json',
  );
});

test('without .madsci/, the first git root seen wins (a .git file counts), else home', () => {
  const kindOf = fakeFs(['/home/ana/src/.git'], ['/home/ana/src/repo/.git']);
  const found = discoverRegistryPath({ env: {}, cwd: '/home/ana/src/repo/pkg', home: HOME, kindOf });
  assert.equal(found.path, '/home/ana/src/repo/.madsci/registry.json');
  assert.equal(found.source, 'git-root');
  const none = discoverRegistryPath({ env: {}, cwd: '/tmp/x', home: HOME, kindOf: fakeFs([]) });
  assert.equal(none.path, '/home/ana/.madsci/registry.json');
  assert.equal(none.source, 'home');
  assert.deepEqual(none.searched, ['/tmp/x', '/tmp', '/']);
});

test('the walk stops after the home directory and after 11 directories', () => {
  const kindOf = fakeFs(['/home/.madsci', '/.madsci']);
  const found = discoverRegistryPath({ env: {}, cwd: '/home/ana/a', home: HOME, kindOf });
  assert.equal(found.source, 'home', 'nothing above home is searched');
  assert.deepEqual(found.searched, ['/home/ana/a', '/home/ana']);
  const deep = '/' + Array.from({ length: 15 }, (_, i) => `d${i}`).join('/');
  const far = discoverRegistryPath({ env: {}, cwd: deep, home: HOME, kindOf: fakeFs(['/d0/.madsci']) });
  assert.equal(far.searched.length, 11);
  assert.equal(far.source, 'home');
});

test('on a real file system discovery creates nothing', () => {
  const root = tempDir();
  const cwd = path.join(root, 'a', 'b');
  fs.mkdirSync(cwd, { recursive: true });
  const before = fs.readdirSync(root, { recursive: true });
  const found = discoverRegistryPath({ env: {}, cwd, home: root });
  assert.equal(found.path, path.join(root, '.madsci', 'registry.json'));
  assert.deepEqual(fs.readdirSync(root, { recursive: true }), before);
});

test("walkUp: false (an untrusted workspace) skips the folder's own .madsci/ and git root; env and home still count", () => {
  const kindOf = fakeFs(['/home/ana/repo/.madsci', '/home/ana/repo/.git']);
  const off = discoverRegistryPath({ env: {}, cwd: '/home/ana/repo', home: HOME, kindOf, walkUp: false });
  assert.equal(off.path, '/home/ana/.madsci/registry.json');
  assert.equal(off.source, 'home');
  assert.deepEqual(off.searched, []);
  assert.match(off.reason, /walk-up discovery is off/);
  assert.equal(
    discoverRegistryPath({ env: {}, cwd: '/home/ana/repo', home: HOME, kindOf }).path,
    '/home/ana/repo/.madsci/registry.json',
    'on by default',
  );
  const env = discoverRegistryPath({
    env: { MADSCI_REGISTRY_PATH: '/srv/lab/registry.json' },
    cwd: '/home/ana/repo',
    home: HOME,
    kindOf,
    walkUp: false,
  });
  assert.equal(env.path, '/srv/lab/registry.json');
});
