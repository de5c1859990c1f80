import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ComponentRegistry } from '../../src/core/registry/component-registry';
import { RegistryError } from '../../src/core/registry/errors';
import { workspaceRegistryPathProblem } from '../../src/core/registry/registry-name';
import { LeaseHolder } from '../../src/core/lease-holder/lease-holder';
import { MADSCI_EXAMPLE } from '../support/samples';
import { tempDir } from '../support/helpers';

test('a registry is only created as a file named registry.json: no file, directory or lock file appears elsewhere', async () => {
  const home = tempDir();
  const aliases = path.join(home, 'sub', '.bash_aliases');
  const reg = new ComponentRegistry(aliases, { holder: new LeaseHolder() });
  await assert.rejects(reg.resolve('alias ls=rm', 'node', { acquireLock: false }), (e: unknown) => {
    assert.ok(e instanceof RegistryError);
    assert.equal(e.message, `${aliases}: not created: a new registry must be a file named registry.json`);
    return true;
  });
  assert.deepEqual(fs.readdirSync(home), [], 'nothing was created, not even the directory or a lock file');
  // A dangling link named registry.json that points at another name is refused the same way.
  const link = path.join(home, 'registry.json');
  fs.symlinkSync('.profile', link);
  await assert.rejects(
    new ComponentRegistry(link, { holder: new LeaseHolder() }).resolve('x', 'node', { acquireLock: false }),
    /not created \(the link's target .*\.profile\): a new registry must be a file named registry\.json|is a symbolic link to .*\.profile, which does not exist; refusing to create a file through it/,
  );
  assert.deepEqual(fs.readdirSync(home).sort(), ['registry.json']);
  // registry.json itself is created as before.
  const good = new ComponentRegistry(path.join(home, 'lab', '.madsci', 'registry.json'), { holder: new LeaseHolder() });
  await good.resolve('robot_1', 'node', { acquireLock: false });
  assert.ok(fs.existsSync(good.path));
});

test("an existing registry under another name is still used (a user's own --registry path)", async () => {
  const dir = tempDir();
  const file = path.join(dir, 'lab-registry.json');
  fs.writeFileSync(file, MADSCI_EXAMPLE);
  const reg = new ComponentRegistry(file, { holder: new LeaseHolder() });
  await reg.resolve('robot_1', 'node', { acquireLock: false });
  assert.ok((await reg.snapshot())?.entries.has('robot_1'));
});

test('a registry path from workspace settings must be an existing registry.json (through links too)', () => {
  const dir = tempDir();
  const real = path.join(dir, 'registry.json');
  fs.writeFileSync(real, MADSCI_EXAMPLE);
  assert.equal(workspaceRegistryPathProblem(real), undefined);
  assert.match(workspaceRegistryPathProblem(path.join(dir, '.bash_aliases')) ?? '', /its name is not registry\.json/);
  assert.match(workspaceRegistryPathProblem(path.join(dir, 'none', 'registry.json')) ?? '', /no such file/);
  fs.mkdirSync(path.join(dir, 'd', 'registry.json'), { recursive: true });
  assert.match(workspaceRegistryPathProblem(path.join(dir, 'd', 'registry.json')) ?? '', /not a regular file/);
  fs.writeFileSync(path.join(dir, '.bashrc'), '# mine');
  fs.mkdirSync(path.join(dir, 'l'));
  fs.symlinkSync(path.join(dir, '.bashrc'), path.join(dir, 'l', 'registry.json'));
  assert.match(
    workspaceRegistryPathProblem(path.join(dir, 'l', 'registry.json')) ?? '',
    /is a link to .*\.bashrc, whose name is not registry\.json/,
  );
});
