import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { RegistryFile } from '../../src/core/registry/registry-file';
import { RegistryFormatError } from '../../src/core/registry/errors';
import { ComponentRegistry } from '../../src/core/registry/component-registry';
import { LeaseHolder } from '../../src/core/lease-holder/lease-holder';
import { MADSCI_EXAMPLE } from '../support/samples';
import { exited, FIXTURES, spawnNode, tempDir, track, waitFor, waitForLine, which } from '../support/helpers';

function registryIn(dir: string) {
  const file = path.join(dir, 'registry.json');
  return { file, reg: new ComponentRegistry(file, { holder: new LeaseHolder() }) };
}

test('a half-written file is re-read until the writer finishes', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'registry.json');
  fs.writeFileSync(file, MADSCI_EXAMPLE.slice(0, 300)); // a non-atomic writer midway
  setTimeout(() => fs.writeFileSync(file, MADSCI_EXAMPLE), 100);
  const doc = await new RegistryFile(file).read();
  assert.deepEqual([...(doc?.entries.keys() ?? [])], ['liquidhandler_1', '7']);
});

test('a file that stays broken is reported as corrupt after the retry window', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'registry.json');
  fs.writeFileSync(file, MADSCI_EXAMPLE.slice(0, 300));
  await assert.rejects(
    new RegistryFile(file, { tornReadRetryMs: 100 }).read(),
    (e: unknown) => e instanceof RegistryFormatError && e.message.startsWith(`${file}: not valid JSON: line`),
  );
  assert.equal(fs.readFileSync(file, 'utf8'), MADSCI_EXAMPLE.slice(0, 300));
});

test('oversized, non-UTF-8, BOM-prefixed and non-regular files get clear errors and are not read', async () => {
  const dir = tempDir();
  const big = path.join(dir, 'big.json');
  fs.writeFileSync(big, '{"entries": {}}' + ' '.repeat(2048));
  await assert.rejects(
    new RegistryFile(big, { maxBytes: 1024 }).read(),
    /big\.json: is larger \(2063 bytes\) than the 1024 bytes a registry may have; it was not read/,
  );
  const bad = path.join(dir, 'bad.json');
  fs.writeFileSync(bad, Buffer.from([0x7b, 0xff, 0x7d]));
  await assert.rejects(new RegistryFile(bad).read(), /bad\.json: is not valid UTF-8 text/);
  const bom = path.join(dir, 'bom.json');
  fs.writeFileSync(bom, '\ufeff{"entries": {}}');
  await assert.rejects(new RegistryFile(bom).read(), /bom\.json: starts with a UTF-8 byte order mark/);
  await assert.rejects(new RegistryFile(dir).read(), /is not a regular file/);
});

test('writes are atomic, keep the file mode, leave no temp files, and never touch registry.json.lock as a directory', async () => {
  const dir = tempDir();
  const { file, reg } = registryIn(dir);
  fs.writeFileSync(file, MADSCI_EXAMPLE, { mode: 0o640 });
  fs.chmodSync(file, 0o640);
  const inoBefore = fs.statSync(file).ino;
  await reg.resolve('n', 'node', { acquireLock: false });
  const st = fs.statSync(file);
  assert.equal(st.mode & 0o777, 0o640);
  assert.notEqual(st.ino, inoBefore, 'replaced by rename, not written in place');
  assert.deepEqual(fs.readdirSync(dir).sort(), ['registry.json', 'registry.json.lock']);
  assert.ok(fs.statSync(path.join(dir, 'registry.json.lock')).isFile(), "MADSci's lock path stays a file");
});

test('a registry.json.lock that is a symlink or a directory is refused, never followed or replaced', async () => {
  const dir = tempDir();
  const { file, reg } = registryIn(dir);
  fs.writeFileSync(file, MADSCI_EXAMPLE);
  fs.symlinkSync(path.join(dir, 'elsewhere'), `${file}.lock`);
  await assert.rejects(reg.resolve('n', 'node'), /cannot lock the registry/);
  assert.ok(!fs.existsSync(path.join(dir, 'elsewhere')));
  fs.unlinkSync(`${file}.lock`);
  fs.mkdirSync(`${file}.lock`);
  await assert.rejects(reg.resolve('n', 'node'), /cannot lock the registry/);
  assert.equal(fs.readFileSync(file, 'utf8'), MADSCI_EXAMPLE);
});

test('the cache serves repeated reads and notices every external change', async () => {
  const dir = tempDir();
  const { file, reg } = registryIn(dir);
  fs.writeFileSync(file, MADSCI_EXAMPLE);
  const first = await reg.snapshot();
  assert.equal(await reg.snapshot(), first, 'same object while the file is unchanged');
  const changed = MADSCI_EXAMPLE.replace('liquidhandler_1', 'liquidhandler_2');
  fs.writeFileSync(file, changed); // same size, written in place
  assert.deepEqual([...((await reg.snapshot())?.entries.keys() ?? [])], ['liquidhandler_2', '7']);
});

test(
  "writes wait for MADSci's flock on registry.json.lock (held here by util-linux flock)",
  { skip: !which('flock') && 'flock(1) is not installed' },
  async () => {
    const dir = tempDir();
    const { file, reg } = registryIn(dir);
    fs.writeFileSync(file, MADSCI_EXAMPLE);
    const holder = track(
      spawn('flock', ['--exclusive', `${file}.lock`, 'sh', '-c', 'echo locked; read line'], { stdio: ['pipe', 'pipe', 'inherit'] }),
    );
    await waitForLine(holder, 'locked');
    let done = false;
    const write = reg.resolve('waited', 'node', { acquireLock: false }).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(done, false, 'the write waits while the flock is held');
    holder.stdin?.end('\n');
    await exited(holder);
    await write;
    assert.ok(await reg.lookup('waited'));
  },
);

test(
  "a flock held past the timeout gives MADSci's timeout message and leaves the file alone",
  { skip: !which('flock') && 'flock(1) is not installed' },
  async () => {
    const dir = tempDir();
    const file = path.join(dir, 'registry.json');
    fs.writeFileSync(file, MADSCI_EXAMPLE);
    const reg = new ComponentRegistry(file, { holder: new LeaseHolder(), lockTimeoutMs: 200 });
    const holder = track(
      spawn('flock', ['--exclusive', `${file}.lock`, 'sh', '-c', 'echo locked; read line'], { stdio: ['pipe', 'pipe', 'inherit'] }),
    );
    await waitForLine(holder, 'locked');
    await assert.rejects(
      reg.resolve('x', 'node'),
      /^RegistryError: Timeout acquiring file lock for registry\. Another process may be holding the lock\.$/,
    );
    holder.stdin?.end('\n');
    await exited(holder);
    assert.equal(fs.readFileSync(file, 'utf8'), MADSCI_EXAMPLE);
    await waitFor(async () => (await reg.resolve('x', 'node', { acquireLock: false })) !== undefined, 'a write after the lock is free');
  },
);

test(
  'a read-only directory gives a clear error and keeps the previous file',
  { skip: process.getuid?.() === 0 && 'root ignores directory permissions' },
  async () => {
    const dir = tempDir();
    const { file, reg } = registryIn(dir);
    fs.writeFileSync(file, MADSCI_EXAMPLE);
    fs.chmodSync(dir, 0o555);
    try {
      await assert.rejects(reg.resolve('x', 'node'), /permission denied \(EACCES\)/);
    } finally {
      fs.chmodSync(dir, 0o755);
    }
    assert.equal(fs.readFileSync(file, 'utf8'), MADSCI_EXAMPLE);
  },
);

test('a registry reached through a symlink and by its real path: writers of both lose nothing', async () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'real'));
  fs.mkdirSync(path.join(dir, 'links'));
  const real = path.join(dir, 'real', 'registry.json');
  const link = path.join(dir, 'links', 'registry.json');
  fs.writeFileSync(real, '{"entries": {}}');
  fs.symlinkSync(real, link);
  const worker = path.join(FIXTURES, 'registry-worker.js');
  const a = spawnNode(worker, ['resolve-many', real, 'a', '40']);
  const b = spawnNode(worker, ['resolve-many', link, 'b', '40']);
  await Promise.all([waitForLine(a, /^\{/, 120_000), waitForLine(b, /^\{/, 120_000)]);
  assert.equal((await new ComponentRegistry(real, { holder: new LeaseHolder() }).list()).length, 80);
  assert.ok(fs.lstatSync(link).isSymbolicLink(), 'the link survives');
});

test('a top-level field Hubkeeper cannot read: the entries show, writes refuse', async () => {
  const dir = tempDir();
  const { file, reg } = registryIn(dir);
  const text = MADSCI_EXAMPLE.replace('"version": 1', '"version": "1"');
  fs.writeFileSync(file, text);
  assert.equal((await reg.list({ includeStale: true })).length, 2);
  await assert.rejects(
    reg.resolve('x', 'node'),
    new RegExp(
      `^RegistryFormatError: ${file.replace(/[.]/g, '\\.')}: version: expected an integer, found a string\\. The file was left untouched`,
    ),
  );
  assert.equal(fs.readFileSync(file, 'utf8'), text);
});

test("temp files of writers that died are removed by the next write; a live writer's are not", async () => {
  const dir = tempDir();
  const { file, reg } = registryIn(dir);
  fs.writeFileSync(file, MADSCI_EXAMPLE);
  const live = track(spawn('sleep', ['60'], { stdio: 'ignore' }));
  const dead = `registry.json.hubkeeper-tmp-${2 ** 22 + 11}-deadbeef`;
  const alive = `registry.json.hubkeeper-tmp-${live.pid}-cafebabe`;
  fs.writeFileSync(path.join(dir, dead), 'partial');
  fs.writeFileSync(path.join(dir, alive), 'in progress');
  await reg.resolve('n', 'node', { acquireLock: false });
  assert.ok(!fs.existsSync(path.join(dir, dead)));
  assert.ok(fs.existsSync(path.join(dir, alive)));
  live.kill('SIGKILL');
});

test("a new registry file gets the umask's mode, as Python's open() gives it", async () => {
  const dir = tempDir();
  const { file, reg } = registryIn(dir);
  const old = process.umask(0o077);
  try {
    await reg.resolve('n', 'node', { acquireLock: false });
  } finally {
    process.umask(old);
  }
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
});

test('retries run until the deadline, even when it is shorter than the retry interval', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'registry.json');
  const a = new ComponentRegistry(file, { holder: new LeaseHolder({ ttlMs: 1000, heartbeatMs: 3_600_000 }) });
  const b = new ComponentRegistry(file, { holder: new LeaseHolder() });
  await a.resolve('short', 'node');
  a.holder.stopTimer();
  // The lease expires after 1 s; one retry interval is 2 s, the deadline 1.5 s: the final try at the deadline wins.
  assert.ok(await b.resolve('short', 'node', { retryTimeoutMs: 1500 }));
  await b.holder.releaseAll();
});
