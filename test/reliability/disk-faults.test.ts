import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ComponentRegistry } from '../../src/core/registry/component-registry';
import { LeaseHolder } from '../../src/core/lease-holder/lease-holder';
import { RegistryError } from '../../src/core/registry/errors';
import { writeHubEntry } from '../../src/core/hubs/hub-registry';
import * as os from 'node:os';
import { CLI } from '../support/helpers';
import { figure } from './profile';

/**
 * A full disk, a read-only file system and a directory the writer may not write: each write
 * fails with a clear error naming the file and the cause, and the previous file is intact.
 * Uses a small tmpfs (needs root and mount); says so and skips where that is not possible.
 */

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'hubkeeper-disk-'));
const mnt = path.join(base, 'mnt');
const roMnt = path.join(base, 'ro');
fs.mkdirSync(mnt);
fs.mkdirSync(roMnt);
// mode=0755: a tmpfs root is 1777 by default, like /tmp, where registry writes are refused.
const mount = (dir: string) =>
  process.getuid?.() === 0 && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0755', 'tmpfs', dir]).status === 0;
const mounted = mount(mnt) && mount(roMnt);
after(() => {
  // Lock helpers may still hold files open on the mounts: detach lazily, then remove.
  spawnSync('umount', ['-l', mnt]);
  spawnSync('umount', ['-l', roMnt]);
  fs.rmSync(base, { recursive: true, force: true });
});
const skip = mounted ? false : 'needs root and mount(8) to make a small tmpfs';

function seeded(dir: string) {
  const file = path.join(dir, 'registry.json');
  fs.mkdirSync(dir, { recursive: true });
  const registry = new ComponentRegistry(file, { holder: new LeaseHolder() });
  return { file, registry };
}

test(
  'disk full: ENOSPC is reported with the file, the previous registry and hub entry are intact, no temp file left',
  { skip },
  async () => {
    const { file, registry } = seeded(path.join(mnt, 'full'));
    for (let i = 0; i < 40; i++)
      await registry.resolve(`n${i}`, 'node', { acquireLock: false, metadata: new Map([['pad', 'x'.repeat(1000)]]) });
    const hubRoot = { kind: 'hubkeeper' as const, dir: path.join(mnt, 'full', 'home') };
    await writeHubEntry(hubRoot, { cwd: '/w', name: 'w', hubUrl: '', natsUrl: '', hubPid: 0, startedAt: '2026-01-01T00:00:00Z' });
    const before = fs.readFileSync(file);
    const entryFile = path.join(hubRoot.dir, 'workspaces', fs.readdirSync(path.join(hubRoot.dir, 'workspaces'))[0]);
    const entryBefore = fs.readFileSync(entryFile);
    // Fill the rest of the file system.
    const filler = path.join(mnt, 'filler');
    const fd = fs.openSync(filler, 'w');
    try {
      for (;;) fs.writeSync(fd, Buffer.alloc(4096));
    } catch {
      /* ENOSPC: full now */
    }
    fs.closeSync(fd);
    let message = '';
    await assert.rejects(registry.resolve('one_more', 'node', { acquireLock: false }), (e: unknown) => {
      message = (e as Error).message;
      return (
        e instanceof RegistryError &&
        e.message.startsWith(`${file}: cannot write the registry (the previous file is intact): no space left on the device (ENOSPC)`)
      );
    });
    assert.ok(before.equals(fs.readFileSync(file)), 'registry unchanged');
    await assert.rejects(
      writeHubEntry(hubRoot, {
        cwd: '/w',
        name: 'w2',
        hubUrl: '',
        natsUrl: '',
        hubPid: 0,
        startedAt: '2026-01-01T00:00:00Z'.padEnd(4000, ' '),
      }),
      /ENOSPC/,
    );
    assert.ok(entryBefore.equals(fs.readFileSync(entryFile)), 'hub entry unchanged');
    const temps = [...fs.readdirSync(path.dirname(file)), ...fs.readdirSync(path.dirname(entryFile))].filter((n) => n.includes('tmp'));
    fs.rmSync(filler);
    await registry.resolve('after_space_freed', 'node', { acquireLock: false });
    figure('disk-full', {
      error: JSON.stringify(message.slice(message.indexOf('cannot'))),
      registry_intact: 1,
      entry_intact: 1,
      temp_files_left: temps.length,
    });
    assert.deepEqual(temps, []);
  },
);

test('read-only file system: the error says so and names the file, the registry is intact, reads still work', { skip }, async () => {
  // Written by hand (no Hubkeeper process keeps files open there), then made read-only.
  const file = path.join(roMnt, 'registry.json');
  fs.writeFileSync(file, JSON.stringify({ entries: { kept: { id: '01JNQ8Z6T9K3M2V7X4C5B8D0EF', component_type: 'node' } } }, null, 2));
  const before = fs.readFileSync(file);
  assert.equal(spawnSync('mount', ['-o', 'remount,ro', roMnt]).status, 0);
  const registry = new ComponentRegistry(file, { holder: new LeaseHolder() });
  let message = '';
  await assert.rejects(registry.resolve('nope', 'node', { acquireLock: false }), (e: unknown) => {
    message = (e as Error).message;
    return e instanceof RegistryError && message.startsWith(file) && /read-only file system/i.test(message);
  });
  assert.ok(await registry.lookup('kept'), 'reads still work');
  assert.ok(before.equals(fs.readFileSync(file)));
  figure('read-only', { error: JSON.stringify(message.slice(file.length + 2, file.length + 120)), registry_intact: 1, reads_ok: 1 });
});

test(
  'permission denied (a user who may not write the directory): EACCES named, file intact',
  { skip: process.getuid?.() !== 0 && 'needs root to run a process as another user' },
  async () => {
    const dir = path.join(base, 'perm');
    const { file, registry } = seeded(dir);
    await registry.resolve('kept', 'node', { acquireLock: false });
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(base, 0o755);
    const before = fs.readFileSync(file);
    const r = spawnSync(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        CLI,
        '--registry',
        file,
        'components',
        'resolve',
        'x',
        '--type',
        'node',
        '--no-lock',
      ],
      { encoding: 'utf8' },
    );
    figure('permission-denied', { exit: r.status ?? -1, error: JSON.stringify(r.stderr.trim().slice(0, 120)) });
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`^hubkeeper: ${file.replace(/[.]/g, '\\.')}: .*permission denied`, 'i'));
    assert.ok(before.equals(fs.readFileSync(file)));
  },
);
