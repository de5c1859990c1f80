import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ComponentRegistry } from '../../src/core/registry/component-registry';
import { LeaseHolder } from '../../src/core/lease-holder/lease-holder';
import { RegistryError, RegistryFormatError, RegistryLockError } from '../../src/core/registry/errors';
import { parseJson } from '../../src/core/json/parse-json';
import { isJsonObject } from '../../src/core/json/json-value';
import { Timestamp } from '../../src/core/time/timestamp';
import { tempDir } from '../support/helpers';
import { MADSCI_EXAMPLE } from '../support/samples';

/** A registry in a temp dir with its own holder and a clock the test moves. */
function setup(initial?: string) {
  const dir = tempDir();
  const file = path.join(dir, '.madsci', 'registry.json');
  if (initial !== undefined) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, initial);
  }
  const clock = { now: Date.parse('2026-11-23T12:00:00Z') };
  // A holder on another host is always "live" (its process cannot be checked from here).
  const holder = (id: string, hostname = 'lab-pc-01') => new LeaseHolder({ instanceId: id, hostname, pid: process.pid });
  const open = (h = holder('01JNQA3F5XG8E2D7W9R1C4HB6S')) => new ComponentRegistry(file, { holder: h, clock: () => clock.now });
  return { dir, file, clock, holder, open };
}

test('resolve creates a ULID once and returns it again; lookup and getEntry see it', async () => {
  const { open, file } = setup();
  const reg = open();
  const id = await reg.resolve('robot_1', 'node', { metadata: parseJson('{"module_name": "pf400"}') as never, acquireLock: false });
  assert.match(id, /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
  assert.equal(await reg.resolve('robot_1', 'node', { acquireLock: false }), id);
  assert.equal(await reg.lookup('robot_1'), id);
  assert.equal(await reg.lookup('nope'), undefined);
  const entry = await reg.getEntry('robot_1');
  assert.equal(entry?.kind === 'entry' && entry.lock, null);
  assert.ok(!fs.readFileSync(file, 'utf8').endsWith('\n'), 'no trailing newline, like json.dump');
});

test('resolving an existing name with another type is an error, not the old id', async () => {
  const reg = setup().open();
  await reg.resolve('x', 'node', { acquireLock: false });
  await assert.rejects(
    reg.resolve('x', 'module'),
    (e: unknown) => e instanceof RegistryError && e.message === "Entry 'x' is a node, not a module",
  );
});

test("contention uses MADSci's message with Python's time form, and retries until the lock expires", async () => {
  const { open, holder, clock } = setup();
  const a = open(holder('01JNQA3F5XG8E2D7W9R1C4HB6S'));
  const b = open(holder('01JNQA3F5XG8E2D7W9R1C4HB6T'));
  const id = await a.resolve('lh', 'node');
  await assert.rejects(
    b.resolve('lh', 'node'),
    (e: unknown) =>
      e instanceof RegistryLockError &&
      e.message === `Cannot acquire lock for '${id}': Locked by lab-pc-01 (PID ${process.pid}) until 2026-11-23 12:00:30+00:00`,
  );
  const entry = await b.getEntry('lh');
  assert.ok(entry?.kind === 'entry');
  assert.deepEqual(b.canAcquire(entry), { ok: false, reason: `Locked by lab-pc-01 (PID ${process.pid}) until 2026-11-23 12:00:30+00:00` });
  assert.deepEqual(a.canAcquire(entry), { ok: true, reason: 'Already locked by this instance' });
  a.holder.stopTimer();
  setTimeout(() => (clock.now += 31_000), 30);
  assert.equal(await b.resolve('lh', 'node', { retryTimeoutMs: 5000, retryIntervalMs: 20 }), id);
  const taken = await b.getEntry('lh');
  assert.ok(taken?.kind === 'entry' && taken.lock?.holderInstance === '01JNQA3F5XG8E2D7W9R1C4HB6T');
  assert.deepEqual(b.canAcquire({ lock: null }), { ok: true, reason: 'No existing lock' });
  clock.now += 40_000;
  assert.deepEqual(a.canAcquire(taken), { ok: true, reason: 'Lock expired at 2026-11-23 12:01:01+00:00' });
});

test('rename keeps the id, moves the entry to the end, and respects live locks', async () => {
  const { open, holder, file } = setup();
  const other = open(holder('01JNQA3F5XG8E2D7W9R1C4HB6T'));
  const reg = open();
  const id = await other.resolve('a', 'node');
  await reg.resolve('b', 'node', { acquireLock: false });
  await assert.rejects(
    reg.rename('a', 'a2'),
    (e: unknown) => e instanceof RegistryLockError && e.message === `Cannot rename 'a': currently locked by lab-pc-01 (PID ${process.pid})`,
  );
  await assert.rejects(reg.rename('zz', 'q'), /^RegistryError: Entry 'zz' not found$/);
  await assert.rejects(reg.rename('a', 'b'), /Entry 'b' already exists/);
  await assert.rejects(reg.rename('a', ''), /a component name cannot be empty/);
  assert.equal(await reg.rename('a', 'a2', { force: true }), id);
  const doc = parseJson(fs.readFileSync(file, 'utf8'));
  assert.ok(isJsonObject(doc));
  const entries = doc.get('entries');
  assert.ok(isJsonObject(entries));
  assert.deepEqual([...entries.keys()], ['b', 'a2']);
  const a2 = entries.get('a2');
  assert.ok(isJsonObject(a2) && a2.get('lock') === null && a2.get('id') === id, 'force cleared the lock');
  other.holder.stopTimer();
});

test('renaming an entry this holder locks keeps the lease under the new name', async () => {
  const reg = setup().open();
  await reg.resolve('mine', 'node');
  await reg.rename('mine', 'mine2');
  assert.ok(reg.holder.isHolding(reg.file, 'mine2'));
  assert.ok(!reg.holder.isHolding(reg.file, 'mine'));
  await reg.holder.releaseAll();
  const e = await reg.getEntry('mine2');
  assert.ok(e?.kind === 'entry' && e.lock === null);
});

test("release clears our lock, refuses another live holder's lock unless forced", async () => {
  const { open, holder } = setup();
  const other = open(holder('01JNQA3F5XG8E2D7W9R1C4HB6T', 'lab-pc-02'));
  const reg = open();
  await reg.resolve('mine', 'node');
  await other.resolve('theirs', 'node');
  assert.equal(await reg.release('mine'), true);
  assert.equal(await reg.release('mine'), false);
  await assert.rejects(reg.release('theirs'), /Cannot release 'theirs': Locked by lab-pc-02/);
  assert.equal(await reg.release('theirs', { force: true }), true);
  await assert.rejects(reg.release('ghost'), /Entry 'ghost' not found/);
  other.holder.stopTimer();
});

test('list hides entries with expired locks unless asked, and filters by type', async () => {
  const { open, holder, clock } = setup();
  const gone = open(holder('01JNQA3F5XG8E2D7W9R1C4HB6T'));
  const reg = open();
  await gone.resolve('crashed', 'node');
  gone.holder.stopTimer();
  await reg.resolve('free', 'module', { acquireLock: false });
  clock.now += 60_000;
  assert.deepEqual(
    (await reg.list()).map((e) => e.name),
    ['free'],
  );
  assert.deepEqual(
    (await reg.list({ includeStale: true })).map((e) => e.name),
    ['crashed', 'free'],
  );
  assert.deepEqual(
    (await reg.list({ type: 'node', includeStale: true })).map((e) => e.name),
    ['crashed'],
  );
});

test('clean removes old unlocked entries only, and a dry run removes nothing', async () => {
  const { open, clock } = setup();
  const reg = open();
  await reg.resolve('old', 'node', { acquireLock: false });
  await reg.resolve('old-locked', 'node');
  clock.now += 8 * 86_400_000;
  await reg.resolve('old-locked', 'node'); // still held: refreshes last_seen too
  await reg.resolve('new', 'node', { acquireLock: false });
  assert.deepEqual(await reg.cleanStale({ dryRun: true }), ['old']);
  assert.ok(await reg.lookup('old'));
  assert.deepEqual(await reg.cleanStale(), ['old']);
  assert.equal(await reg.lookup('old'), undefined);
  await assert.rejects(reg.cleanStale({ olderThanDays: -1 }), /olderThanDays must be a number ≥ 0/);
  reg.holder.stopTimer();
});

test('export and import: merge adds only new names, replace swaps all, bad data imports nothing', async () => {
  const a = setup(MADSCI_EXAMPLE).open();
  const b = setup().open();
  await b.resolve('local', 'node', { acquireLock: false });
  await b.resolve('7', 'node', { acquireLock: false });
  const exported = await a.export();
  assert.deepEqual(await b.import(exported), ['liquidhandler_1']);
  assert.deepEqual(
    (await b.list({ includeStale: true })).map((e) => e.name),
    ['local', '7', 'liquidhandler_1'],
  );
  assert.deepEqual(await b.import(exported, { merge: false }), ['liquidhandler_1', '7']);
  assert.equal((await b.getEntry('7'))?.kind === 'entry' && (await b.lookup('7')), '01JNQ8Z6T9K3M2V7X4C5B8D0EG');
  await assert.rejects(
    b.import(parseJson('{"entries": {"x": {"id": "bad", "component_type": "node"}}}'), { source: 'x.json' }),
    /x\.json: nothing imported: entries\.x\.id: not a ULID/,
  );
});

test('a bad entry does not block the others, and is written back unchanged', async () => {
  const broken = MADSCI_EXAMPLE.replace('"component_type": "workcell"', '"component_type": "robot"');
  const { open, file } = setup(broken);
  const reg = open();
  await reg.resolve('new_one', 'node', { acquireLock: false });
  await assert.rejects(reg.resolve('7', 'workcell'), /Entry '7' cannot be used until it is fixed: entries\["7"\]\.component_type/);
  assert.ok(fs.readFileSync(file, 'utf8').includes('"component_type": "robot"'));
});

test('a corrupt file is never overwritten: writes refuse with a way out, reads report the problem', async () => {
  const { open, file } = setup('{"entries": {"a": ');
  const reg = open();
  await assert.rejects(
    reg.resolve('x', 'node'),
    (e: unknown) =>
      e instanceof RegistryFormatError &&
      e.message.startsWith(`${file}: not valid JSON: line 1, column 19`) &&
      /left untouched/.test(e.message),
  );
  await assert.rejects(reg.lookup('x'), RegistryFormatError);
  assert.equal(fs.readFileSync(file, 'utf8'), '{"entries": {"a": ');
});

test('reads never create anything', async () => {
  const { open, dir } = setup();
  const reg = open();
  assert.equal(await reg.lookup('x'), undefined);
  assert.deepEqual(await reg.list(), []);
  assert.equal(await reg.snapshot(), undefined);
  assert.deepEqual(fs.readdirSync(dir), []);
});

test('times written by resolve are canonical UTC with microseconds', async () => {
  const { open, clock, file } = setup();
  clock.now = Date.parse('2026-11-23T12:00:00.120Z');
  await open().resolve('t', 'node', { acquireLock: false });
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text.includes('"created_at": "2026-11-23T12:00:00.120000Z"'), text);
  assert.ok(Timestamp.parse('2026-11-23T12:00:00.120000Z'));
});
