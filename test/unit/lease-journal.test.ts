import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { exited, FIXTURES, spawnNode, tempDir, waitFor } from '../support/helpers';
import { LeaseEvent } from '../../src/core/journal/lease-event';
import { JournalRecorder } from '../../src/core/journal/journal-recorder';
import { journalDir, JournalRefused, LocalJournal } from '../../src/core/journal/journal-file';
import { LeaseEventOutbox, MAX_PENDING_EVENTS } from '../../src/core/agent/lease-event-outbox';
import { ComponentsState } from '../../src/core/overview/components-state';
import { Timestamp } from '../../src/core/time/timestamp';

/**
 * The local lease journal on real files: bounded by rotation, whole lines under real concurrent
 * appenders (child processes), refusals of a symlink or FIFO at its path, corrupt lines skipped.
 */

const posix = process.platform !== 'win32';

function journalIn(home = tempDir('journal-')): { home: string; journal: LocalJournal } {
  return { home, journal: new LocalJournal({ env: { env: { HUBKEEPER_HOME: home } } }) };
}

function event(i: number, extra: Partial<LeaseEvent> = {}): LeaseEvent {
  return {
    atMs: 1_700_000_000_000 + i * 1000,
    kind: 'acquired',
    subject: { kind: 'component', name: `arm_${i}`, id: `ID${i}`, station: null },
    holder: { host: 'pc-01', pid: 100 + i, instance: `INST${i}` },
    expiresAtMs: 1_700_000_030_000 + i * 1000,
    source: 'local',
    ...extra,
  };
}

/** n running hubs w<from>…, as a hubs read has them: the outbox's hub events come from these. */
const hubsOf = (n: number, from = 0) => ({
  hubs: Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return {
      key: `hubkeeper:${i}`,
      id: String(i),
      name: `w${i}`,
      source: 'hubkeeper' as const,
      pid: 1000 + i,
      state: 'running' as const,
      dead: false,
    };
  }),
  staleHubLocks: [],
  unreadable: [],
});

describe('lease journal', () => {
  test('appends under HUBKEEPER_HOME/journal (0700, .gitignore) and reads back by time range', async () => {
    const { home, journal } = journalIn();
    await journal.append([event(1), event(2), event(3)]);
    assert.equal(journal.file, path.join(home, 'journal', 'leases.jsonl'));
    if (posix) assert.equal(fs.statSync(journal.dir).mode & 0o777, 0o700);
    assert.match(fs.readFileSync(path.join(journal.dir, '.gitignore'), 'utf8'), /^\*$/m);
    const all = await journal.events({ sinceMs: 0, untilMs: Number.MAX_SAFE_INTEGER });
    assert.deepEqual(all, [event(1), event(2), event(3)]);
    const middle = await journal.events({ sinceMs: event(2).atMs, untilMs: event(2).atMs });
    assert.deepEqual(
      middle.map((e) => e.subject.name),
      ['arm_2'],
    );
  });

  test('without HUBKEEPER_HOME the journal is ~/.hubkeeper/journal', () => {
    assert.equal(journalDir({ env: {}, home: '/home/ana' }), path.join('/home/ana', '.hubkeeper', 'journal'));
    assert.equal(new LocalJournal({ env: { env: {}, home: '/home/ana' } }).label, 'local journal (~/.hubkeeper/journal)');
  });

  test('several windows writing one transition: read once (same kind, subject, holder and second)', async () => {
    const { journal } = journalIn();
    await journal.append([event(1), { ...event(1), atMs: event(1).atMs + 400 }, { ...event(1), kind: 'released' }]);
    assert.deepEqual(
      (await journal.events({ sinceMs: 0, untilMs: Number.MAX_SAFE_INTEGER })).map((e) => e.kind),
      ['acquired', 'released'],
    );
  });

  test('rotation keeps it bounded: 3 rotated files of at most the limit, the oldest dropped', async () => {
    const home = tempDir('journal-');
    const journal = new LocalJournal({ env: { env: { HUBKEEPER_HOME: home } }, rotateBytes: 64 * 1024 });
    for (let i = 0; i < 2000; i++) await journal.append([event(i, { detail: 'x'.repeat(100) })]);
    const files = fs
      .readdirSync(journal.dir)
      .filter((f) => f.endsWith('.jsonl'))
      .sort();
    assert.deepEqual(files, ['leases.1.jsonl', 'leases.2.jsonl', 'leases.3.jsonl', 'leases.jsonl']);
    const sizes = files.map((f) => fs.statSync(path.join(journal.dir, f)).size);
    assert.ok(
      sizes.every((s) => s <= 64 * 1024),
      `each file at most the limit: ${sizes}`,
    );
    const { events, corrupt } = await journal.read();
    assert.equal(corrupt, 0);
    assert.equal(events[events.length - 1].subject.name, 'arm_1999', 'the newest is kept');
    assert.ok(events[0].subject.name !== 'arm_0', 'the oldest were dropped');
  });

  test('4 real processes appending at once: every line whole, none lost, rotation included', { skip: !posix }, async () => {
    const home = tempDir('journal-');
    const writers = ['w1', 'w2', 'w3', 'w4'].map((w) => spawnNode(path.join(FIXTURES, 'journal-writer.js'), [home, w, '300']));
    for (const w of writers) assert.equal((await exited(w)).code, 0);
    const journal = new LocalJournal({ env: { env: { HUBKEEPER_HOME: home } }, rotateBytes: 256 * 1024, keep: 50 });
    const { events, corrupt } = await journal.read();
    assert.equal(corrupt, 0, 'no line was torn or interleaved');
    for (const w of ['w1', 'w2', 'w3', 'w4']) {
      const mine = events.filter((e) => e.holder?.instance === w);
      assert.equal(new Set(mine.map((e) => e.subject.name)).size, 300, `every line of ${w}`);
      assert.ok(mine.every((e) => e.detail?.startsWith(`${w}:`) && e.detail.length === 480));
    }
    assert.ok(fs.existsSync(path.join(journal.dir, 'leases.1.jsonl')), 'it rotated while they wrote');
  });

  test('a symlink at the journal path is refused with one line naming it; its target is untouched', { skip: !posix }, async () => {
    const { journal } = journalIn();
    fs.mkdirSync(journal.dir, { recursive: true, mode: 0o700 });
    const target = path.join(tempDir('elsewhere-'), 'bashrc');
    fs.writeFileSync(target, 'precious\n');
    fs.symlinkSync(target, journal.file);
    await assert.rejects(journal.append([event(1)]), (err: Error) => {
      assert.ok(err instanceof JournalRefused);
      assert.ok(!err.message.includes('\n'));
      assert.ok(err.message.startsWith(journal.file), err.message);
      assert.match(err.message, /symbolic link/);
      return true;
    });
    assert.equal(fs.readFileSync(target, 'utf8'), 'precious\n');
    const read = await journal.read();
    assert.deepEqual(read.events, []);
    assert.match(read.problems[0], /symlink/);
  });

  test('a FIFO at the journal path: append refused and read skipped, neither hangs', { skip: !posix }, async () => {
    const { journal } = journalIn();
    fs.mkdirSync(journal.dir, { recursive: true, mode: 0o700 });
    execFileSync('mkfifo', [journal.file]);
    await assert.rejects(journal.append([event(1)]), (err: Error) => err instanceof JournalRefused && err.message.startsWith(journal.file));
    const read = await journal.read();
    assert.deepEqual(read.events, []);
    assert.match(read.problems[0], /not a regular file/);
  });

  test('a journal directory others can write is refused', { skip: !posix }, async () => {
    const { journal } = journalIn();
    fs.mkdirSync(journal.dir, { recursive: true });
    fs.chmodSync(journal.dir, 0o777);
    await assert.rejects(journal.append([event(1)]), /writable by every user.*not written/);
  });

  test('a corrupt line is skipped and counted, and never rewritten', async () => {
    const { journal } = journalIn();
    await journal.append([event(1)]);
    fs.appendFileSync(journal.file, '{"atMs": "soon", "kind": "acquired"}\nnot json at all\n{"atMs":1,"kind":"exploded","subject":{}}\n');
    await journal.append([event(2)]);
    const before = fs.readFileSync(journal.file, 'utf8');
    const { events, corrupt } = await journal.read();
    assert.deepEqual(
      events.map((e) => e.subject.name),
      ['arm_1', 'arm_2'],
    );
    assert.equal(corrupt, 3);
    assert.equal(fs.readFileSync(journal.file, 'utf8'), before);
  });

  test('recordLost writes a lost event for the holder', async () => {
    const { journal } = journalIn();
    await journal.recordLost({
      name: 'arm',
      id: 'ID',
      holder: { host: 'pc', pid: 1, instance: 'I' },
      reason: 'taken by pc-02',
      atMs: 5000,
    });
    const [lost] = await journal.events({ sinceMs: 0, untilMs: 10_000 });
    assert.equal(lost.kind, 'lost');
    assert.equal(lost.detail, 'taken by pc-02');
  });

  test('the recorder journals what changed, logs a refusal once and never throws into the refresh', async () => {
    const { journal } = journalIn();
    const logged: string[] = [];
    const recorder = new JournalRecorder((e) => journal.append(e), { hostname: 'pc-01', log: (l) => logged.push(l) });
    const lock = {
      holderPid: 1,
      holderHost: 'pc-01',
      holderInstance: 'I',
      acquiredAt: Timestamp.fromMillis(Date.now()),
      heartbeatAt: Timestamp.fromMillis(Date.now()),
      expiresAt: Timestamp.fromMillis(Date.now() + 30_000),
      extra: new Map(),
    };
    const entry = {
      kind: 'entry' as const,
      name: 'arm',
      id: 'ID',
      componentType: 'node' as const,
      createdAt: lock.acquiredAt,
      lastSeen: lock.acquiredAt,
      metadata: new Map(),
      workcellId: null,
      extra: new Map(),
    };
    const state = (locked: boolean): ComponentsState => ({
      path: '/r.json',
      exists: true,
      invalid: [],
      entries: [{ entry: { ...entry, lock: locked ? lock : null }, status: { state: locked ? 'held' : 'free', reason: '' } }],
    });
    recorder.observeComponents(state(false));
    recorder.observeComponents(state(true));
    recorder.observeComponents(state(false));
    await recorder.flush();
    assert.deepEqual(
      (await journal.read()).events.map((e) => e.kind),
      ['acquired', 'released'],
    );
    fs.rmSync(journal.file);
    fs.symlinkSync('/dev/null', journal.file);
    recorder.observeComponents(state(true));
    recorder.observeComponents(state(false));
    await recorder.flush();
    assert.equal(logged.length, 1, `said once: ${logged}`);
    assert.match(logged[0], /leases\.jsonl: is a symbolic link/);
  });

  test("the agent's outbox keeps events until the lab stored them, bounded while it is away", () => {
    const logged: string[] = [];
    const outbox = new LeaseEventOutbox('pc-01', (l) => logged.push(l));
    const none: ComponentsState = { path: '/r.json', exists: true, entries: [], invalid: [] };
    outbox.observe(none, hubsOf(3));
    assert.equal(outbox.size, 3);
    const sent = outbox.peek(2);
    assert.deepEqual(
      sent.events.map((e) => e.subject.name),
      ['w0', 'w1'],
    );
    outbox.done(sent.through);
    assert.deepEqual(
      outbox.peek(5).events.map((e) => e.subject.name),
      ['w2'],
    );
    outbox.observe(none, hubsOf(0)); // w0…w2 stopped
    outbox.observe(none, hubsOf(MAX_PENDING_EVENTS + 10));
    assert.equal(outbox.size, MAX_PENDING_EVENTS);
    assert.equal(logged.length, 1);
    assert.match(logged[0], /oldest were dropped/);
  });

  test("the agent's outbox never drops unsent events when the cap trims between peek() and done()", () => {
    const outbox = new LeaseEventOutbox('pc-01');
    const none: ComponentsState = { path: '/r.json', exists: true, entries: [], invalid: [] };
    outbox.observe(none, hubsOf(10));
    const sent = outbox.peek(5); // w0…w4 go out with a heartbeat…
    // …while the lab is slow, MAX_PENDING_EVENTS more hubs start: the cap drops w0…w9.
    outbox.observe(none, { ...hubsOf(MAX_PENDING_EVENTS, 10), hubs: [...hubsOf(10).hubs, ...hubsOf(MAX_PENDING_EVENTS, 10).hubs] });
    assert.equal(outbox.size, MAX_PENDING_EVENTS);
    const first = outbox.peek(1).events[0].subject.name;
    outbox.done(sent.through); // the lab stored w0…w4: none of those is still pending
    assert.equal(outbox.size, MAX_PENDING_EVENTS, 'no unsent event was taken off');
    assert.equal(outbox.peek(1).events[0].subject.name, first);
  });

  test("the agent's reads are observed in the order they were made, and a burst of changes costs one read", async () => {
    const outbox = new LeaseEventOutbox('pc-01');
    const none: ComponentsState = { path: '/r.json', exists: true, entries: [], invalid: [] };
    const hubState = (running: boolean) => ({
      hubs: running
        ? [{ key: 'hubkeeper:w', id: 'w', name: 'w', source: 'hubkeeper' as const, pid: 7, state: 'running' as const, dead: false }]
        : [],
      staleHubLocks: [],
      unreadable: [],
    });
    let releaseFirst!: () => void;
    const slow = new Promise<void>((r) => (releaseFirst = r));
    let reads = 0;
    // The first read (no hub) is slow; the second (hub running) was made after it and must be observed after it.
    const first = outbox.readAndObserve(async () => {
      reads++;
      await slow;
      return { components: none, hubs: hubState(false) };
    });
    await waitFor(() => reads === 1, 'the first read to start');
    const second = outbox.readAndObserve(async () => {
      reads++;
      return { components: none, hubs: hubState(true) };
    });
    const third = outbox.readAndObserve(async () => {
      reads++;
      return { components: none, hubs: hubState(true) };
    });
    assert.equal(third, second, 'a read already waiting to start is shared');
    releaseFirst();
    await Promise.all([first, second]);
    assert.equal(reads, 2);
    assert.deepEqual(
      outbox.peek(10).events.map((e) => e.kind),
      ['hub-started'],
      'no transition backwards',
    );
  });
});
