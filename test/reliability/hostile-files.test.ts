import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { ComponentRegistry } from '../../src/core/registry/component-registry';
import { RegistryError, RegistryFormatError } from '../../src/core/registry/errors';
import { parseRegistryDocument } from '../../src/core/registry/parse-document';
import { EntryRecord, RegistryDocument, RegistryEntry } from '../../src/core/registry/types';
import { LeaseHolder } from '../../src/core/lease-holder/lease-holder';
import { toPlain } from '../../src/core/json/json-value';
import { pythonJson } from '../../src/core/json/python-json';
import { Timestamp } from '../../src/core/time/timestamp';
import { goTime, HubEntryError } from '../../src/core/hubs/hub-entry';
import { registerIdleWorkspace } from '../../src/core/hubs/hub-registry';
import { describeArgv, HubInfo, HubListing, listHubs } from '../../src/core/hubs/hub-status';
import { defaultHubRoots, HubRoot } from '../../src/core/hubs/hub-paths';
import { workspaceId } from '../../src/core/hubs/workspace-id';
import { isLoopbackUrl, probeHubUrl, ProbeResult } from '../../src/core/hubs/liveness';
import { getProcess, listProcesses } from '../../src/core/processes/process-table';
import { ROOT, spawnNode, tempDir, waitForLine } from '../support/helpers';
import { MADSCI_EXAMPLE } from '../support/samples';
import { figure } from './profile';

/**
 * Hostile files (issue 7): a table of registry and hub-entry files that are broken, oversized,
 * mistyped, misleading or booby-trapped, each with its exact outcome: the error text (file, JSON
 * path, problem), the file unchanged byte for byte after a write attempt, and the other entries
 * still usable (a new name resolves when the problem is one entry's, every write refuses when it
 * is the document's). Everything runs on real files in temp directories.
 *
 * Figure: cases tried, cases whose error or problem text matched exactly ("clear errors"), cases
 * whose file was checked unchanged after a write attempt, and crashes (anything thrown that is
 * not an assertion: a TypeError, a RangeError, a stack overflow...).
 */

const tally = { tried: 0, clearErrors: 0, unchanged: 0, crashes: 0, failed: 0 };
after(() =>
  figure('hostile-files', {
    cases: tally.tried,
    clear_errors: tally.clearErrors,
    files_unchanged: tally.unchanged,
    crashes: tally.crashes,
    failed: tally.failed,
  }),
);

function hostile(name: string, run: () => Promise<void>, options: { todo?: string; skip?: string | false } = {}): void {
  test(name, { todo: options.todo, skip: options.skip }, async () => {
    tally.tried++;
    try {
      await run();
    } catch (err) {
      if (!(err instanceof assert.AssertionError)) tally.crashes++;
      if (!options.todo) tally.failed++;
      throw err;
    }
  });
}

/** Asserts that the error is exactly `message` (and of `type`), and counts a clear error. */
function exactly(type: new (...args: never[]) => Error, message: string, file?: string) {
  return (err: unknown): boolean => {
    if (!(err instanceof Error)) assert.fail(`threw a non-Error: ${String(err)}`);
    if (!(err instanceof type)) throw err; // a crash: surfaces as itself
    assert.equal(err.message, message);
    if (file !== undefined) assert.equal((err as RegistryError | HubEntryError).file, file);
    tally.clearErrors++;
    return true;
  };
}

/**
 * What a file is, without following a link or opening anything that could block: a regular file
 * up to 1 MiB by its bytes, a larger one by size, mtime and inode, a link by its target.
 */
function fingerprint(file: string): string {
  const st = fs.lstatSync(file, { bigint: true });
  if (st.isSymbolicLink()) return `link -> ${fs.readlinkSync(file)}`;
  if (st.isFile() && st.size < 1024n * 1024n) return `file ${fs.readFileSync(file).toString('base64')}`;
  return `${st.isFile() ? 'file' : st.isDirectory() ? 'directory' : st.isFIFO() ? 'fifo' : 'other'} mode=${st.mode} size=${st.size} mtime=${st.mtimeNs} ino=${st.ino}`;
}

function assertUnchanged(file: string, before: string): void {
  assert.equal(fingerprint(file), before, `${file} changed`);
  tally.unchanged++;
}

// ---------------------------------------------------------------------------------------------
// The component registry

const NOW = Timestamp.parse('2026-11-23T12:00:00Z') as Timestamp;
const UNTOUCHED = 'The file was left untouched: fix it by hand (or restore a backup, or move it aside to start afresh) and try again.';
const GOOD_ID = '01JNQ8Z6T9K3M2V7X4C5B8D0EF';
const VICTIM_ID = '01JNQ8Z6T9K3M2V7X4C5B8D0EG';
const TOP = '"version": 1, "created_at": "2026-03-05T14:00:00.120000Z", "updated_at": "2026-03-05T14:02:10.004211Z"';
const GOOD = `"good_1": {"id": "${GOOD_ID}", "component_type": "node", "created_at": "2026-03-05T14:00:00.130000Z", "last_seen": "2026-03-05T14:02:10.004100Z", "metadata": {"volume": 200.0, "tolerance": 1e-07}, "lock": null, "workcell_id": null}`;

/** Raw JSON text per key; undefined leaves the key out. */
type Fields = Record<string, string | undefined>;
const LOCK: Fields = {
  holder_pid: '4242',
  holder_host: '"lab-pc-01"',
  holder_instance: '"01JNQA3F5XG8E2D7W9R1C4HB6S"',
  acquired_at: '"2026-03-05T14:00:00.140000Z"',
  heartbeat_at: '"2026-03-05T14:02:10.004100Z"',
  expires_at: '"2026-03-05T14:02:40.004100Z"',
};
const ENTRY: Fields = {
  id: `"${VICTIM_ID}"`,
  component_type: '"module"',
  created_at: '"2026-03-05T14:00:00.130000Z"',
  last_seen: '"2026-03-05T14:02:10.004100Z"',
  metadata: '{"unit": "\\u00b5L"}',
  lock: object(LOCK),
  workcell_id: 'null',
};

function object(fields: Fields): string {
  const members = Object.entries(fields).filter((kv): kv is [string, string] => kv[1] !== undefined);
  return '{' + members.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(', ') + '}';
}
const entry = (over: Fields = {}): string => object({ ...ENTRY, ...over });
const withLock = (over: Fields): string => entry({ lock: object({ ...LOCK, ...over }) });
function registryText(victim: string, name = 'victim', top = TOP): string {
  return `{${top}${top ? ', ' : ''}"entries": {${GOOD}, ${JSON.stringify(name)}: ${victim}}}`;
}

function registryIn(content?: string | Buffer) {
  const dir = tempDir('hubkeeper-hostile-');
  const file = path.join(dir, '.madsci', 'registry.json');
  fs.mkdirSync(path.dirname(file));
  if (content !== undefined) fs.writeFileSync(file, content);
  const reg = new ComponentRegistry(file, { holder: new LeaseHolder(), tornReadRetryMs: 0, lockTimeoutMs: 3000 });
  return { dir, file, reg };
}

function reparse(file: string): RegistryDocument {
  return parseRegistryDocument(fs.readFileSync(file, 'utf8'), file, NOW);
}

function invalid(record: EntryRecord | undefined): Extract<EntryRecord, { kind: 'invalid' }> {
  assert.equal(record?.kind, 'invalid', 'the entry is kept as an invalid entry');
  return record as Extract<EntryRecord, { kind: 'invalid' }>;
}

/**
 * One entry is bad: it is reported with its JSON paths, a write to it is refused (file untouched),
 * the good entry still resolves, a new name can be added, and the bad entry is written back as it was.
 */
function entryCase(title: string, victim: string, problems: string[], name = 'victim'): void {
  hostile(`registry entry: ${title}`, async () => {
    const { file, reg } = registryIn(registryText(victim, name));
    const before = fingerprint(file);
    const doc = await reg.snapshot();
    assert.deepEqual(doc?.problems, [], 'no document-level problem');
    const bad = invalid(doc?.entries.get(name));
    assert.deepEqual(bad.problems, problems);
    await assert.rejects(
      reg.release(name),
      exactly(RegistryError, `${file}: Entry '${name}' cannot be used until it is fixed: ${problems.join('; ')}`, file),
    );
    assertUnchanged(file, before);
    assert.equal(await reg.lookup('good_1'), GOOD_ID, 'the other entry is still usable');
    assert.equal(await reg.lookup(name), undefined, 'an invalid entry has no usable id');
    const id = await reg.resolve('fresh_name', 'experiment', { acquireLock: false });
    const written = reparse(file);
    assert.equal((written.entries.get('fresh_name') as { id?: string }).id, id);
    assert.equal((written.entries.get('good_1') as { id?: string }).id, GOOD_ID);
    const kept = invalid(written.entries.get(name));
    assert.deepEqual(kept.problems, problems);
    assert.equal(pythonJson(kept.raw), pythonJson(bad.raw), 'the invalid entry is written back unchanged');
  });
}

/** Hostile but valid: the entry is usable, can be written, and keeps `survives` byte for byte. */
function validCase(title: string, victim: string, survives: string[], name = 'victim', check?: (doc: RegistryDocument) => void): void {
  hostile(`registry valid: ${title}`, async () => {
    const { dir, file, reg } = registryIn(registryText(victim, name));
    const outside = fs.readdirSync(path.dirname(dir)).length;
    const doc = await reg.snapshot();
    assert.deepEqual(doc?.problems, []);
    assert.equal(doc?.entries.get(name)?.kind, 'entry', JSON.stringify((doc?.entries.get(name) as { problems?: string[] }).problems));
    check?.(doc as RegistryDocument);
    assert.equal(await reg.resolve(name, 'module', { acquireLock: false }), VICTIM_ID);
    assert.equal(await reg.resolve('fresh_name', 'node', { acquireLock: false }).then((id) => id.length), 26);
    const text = fs.readFileSync(file, 'utf8');
    for (const s of survives) assert.ok(text.includes(s), `${s} survives the rewrite`);
    assert.equal(await reg.lookup('good_1'), GOOD_ID);
    assert.deepEqual(
      fs.readdirSync(path.dirname(file)).sort(),
      ['registry.json', 'registry.json.hubkeeper-lock', 'registry.json.lock']
        .filter((f) => fs.existsSync(path.join(path.dirname(file), f)))
        .sort(),
      'nothing else was created',
    );
    assert.equal(fs.readdirSync(path.dirname(dir)).length, outside, 'nothing was created outside the registry folder');
  });
}

/** The document cannot be read: reads and writes throw the same text, the file is untouched. */
function documentCase(
  title: string,
  content: string | Buffer | ((file: string) => void),
  problem: string,
  options: { writeProblem?: string; type?: typeof RegistryError } = {},
): void {
  hostile(`registry document: ${title}`, async () => {
    const { file, reg } = registryIn(typeof content === 'function' ? undefined : content);
    if (typeof content === 'function') content(file);
    const before = fingerprint(file);
    const type = options.type ?? RegistryFormatError;
    await assert.rejects(reg.snapshot(), exactly(type, `${file}: ${problem}`, file));
    await assert.rejects(reg.lookup('good_1'), exactly(type, `${file}: ${problem}`, file));
    await assert.rejects(
      reg.resolve('fresh_name', 'node', { acquireLock: false }),
      exactly(type, `${file}: ${options.writeProblem ?? `${problem}. ${UNTOUCHED}`}`, file),
    );
    assertUnchanged(file, before);
  });
}

/** The document is readable but has a document-level problem: reads work, every write refuses. */
function documentProblemCase(title: string, text: string, problems: string[], check?: (reg: ComponentRegistry) => Promise<void>): void {
  hostile(`registry document problem: ${title}`, async () => {
    const { file, reg } = registryIn(text);
    const before = fingerprint(file);
    const doc = await reg.snapshot();
    assert.deepEqual(doc?.problems, problems);
    tally.clearErrors++;
    await check?.(reg);
    const [where, ...rest] = problems[0].split(': ');
    await assert.rejects(
      reg.resolve('fresh_name', 'node', { acquireLock: false }),
      exactly(RegistryFormatError, `${file}: ${where}: ${rest.join(': ')}. ${UNTOUCHED}`, file),
    );
    await assert.rejects(reg.remove('good_1'), (e: unknown) => e instanceof RegistryFormatError);
    assertUnchanged(file, before);
  });
}

// --- truncated and malformed JSON -------------------------------------------------------------

const FULL = registryText(entry());
const truncations: [string, number, string][] = [
  ['after the opening brace', 1, 'unexpected end of file, expected a string key (the file is truncated)'],
  ['inside a key', 5, 'unexpected end of file inside a string (the file is truncated)'],
  ['after a colon', FULL.indexOf(':') + 1, 'unexpected end of file (the file is truncated)'],
  ['inside a number', FULL.indexOf('200.0') + 3, "unexpected end of file, expected ',' or '}' (the file is truncated)"],
  ['inside a \\u escape', FULL.indexOf('\\u00b5') + 4, 'invalid \\u escape'],
  ['inside a literal', FULL.indexOf('null') + 2, 'unexpected end of file inside null (the file is truncated)'],
  ['inside a literal, then garbage', -1, "unexpected character 'n'"],
  ['one byte short', FULL.length - 1, "unexpected end of file, expected ',' or '}' (the file is truncated)"],
];
for (const [where, at, problem] of truncations) {
  // A prefix is reported at its end; a wrong character where it is.
  const text = at < 0 ? FULL.replace('null', 'nul!') : FULL.slice(0, at);
  const column = problem.startsWith('invalid \\u')
    ? FULL.indexOf('\\u00b5') + 1
    : problem.startsWith('unexpected character')
      ? FULL.indexOf('null') + 1
      : at + 1;
  documentCase(`truncated ${where}`, text, `not valid JSON: line 1, column ${column}: ${problem}`);
}
/** Line and column just past the end of `text`, as the parser counts them. */
function endOf(text: string): string {
  const lines = text.split('\n');
  return `line ${lines.length}, column ${lines[lines.length - 1].length + 1}`;
}
{
  const cut = MADSCI_EXAMPLE.slice(0, MADSCI_EXAMPLE.indexOf('"last_seen"') + '"last_seen": "2026-03-05T14:02:10.004100Z"'.length);
  documentCase(
    'MADSci layout truncated at a line end',
    cut,
    `not valid JSON: ${endOf(cut)}: unexpected end of file, expected ',' or '}' (the file is truncated)`,
  );
  assert.equal(endOf(cut), 'line 10, column 49');
}
documentCase('an empty file', '', 'not valid JSON: line 1, column 1: the file is empty');
documentCase('only whitespace', ' \n\t\n', 'not valid JSON: line 3, column 1: the file is empty');
documentCase('a trailing comma', '{"entries": {},}', "not valid JSON: line 1, column 16: expected a string key, found '}'");
documentCase('single quotes', "{'entries': {}}", "not valid JSON: line 1, column 2: expected a string key, found '''");
documentCase('a comment', '// registry\n{"entries": {}}', "not valid JSON: line 1, column 1: unexpected character '/'");
documentCase(
  'text after the document',
  '{"entries": {}}\n{"entries": {}}',
  'not valid JSON: line 2, column 1: unexpected text after the end of the JSON document',
);
documentCase(
  'a NUL byte inside a string',
  '{"entries": {"a\u0000b": {}}}',
  'not valid JSON: line 1, column 16: control character U+0000 inside a string',
);
documentCase(
  'a UTF-8 byte order mark',
  '\ufeff{"entries": {}}',
  'starts with a UTF-8 byte order mark, which JSON readers such as Python reject',
);
documentCase(
  'invalid UTF-8',
  Buffer.concat([Buffer.from('{"entries": {"caf'), Buffer.from([0xe9]), Buffer.from('": {}}}')]),
  'is not valid UTF-8 text',
);

// --- wrong types at the top level -------------------------------------------------------------

documentCase('the root is an array', '[{"entries": {}}]', 'expected a JSON object, found an array');
documentCase('the root is a string', '"registry"', 'expected a JSON object, found a string');
documentCase('the root is a number', '1', 'expected a JSON object, found a number');
documentCase('the root is null', 'null', 'expected a JSON object, found null');
documentCase('entries is an array', `{${TOP}, "entries": [${JSON.stringify(entry())}]}`, 'entries: expected an object, found an array');
documentCase('entries is a string', `{${TOP}, "entries": "none"}`, 'entries: expected an object, found a string');
documentCase('entries is a number', `{${TOP}, "entries": 0}`, 'entries: expected an object, found a number');
documentCase('entries is true', `{${TOP}, "entries": true}`, 'entries: expected an object, found a boolean');
const readsGood = async (reg: ComponentRegistry) => assert.equal(await reg.lookup('good_1'), GOOD_ID, 'entries are still readable');
documentProblemCase(
  'version is a string',
  registryText(entry(), 'victim', TOP.replace('"version": 1', '"version": "1"')),
  ['version: expected an integer, found a string'],
  readsGood,
);
documentProblemCase(
  'version is 1.0',
  registryText(entry(), 'victim', TOP.replace('"version": 1', '"version": 1.0')),
  ['version: expected an integer, found 1.0'],
  readsGood,
);
documentProblemCase(
  'version is an object',
  registryText(entry(), 'victim', TOP.replace('"version": 1', '"version": {"major": 1}')),
  ['version: expected an integer, found an object'],
  readsGood,
);
documentProblemCase(
  'created_at is a number',
  registryText(entry(), 'victim', TOP.replace('"created_at": "2026-03-05T14:00:00.120000Z"', '"created_at": 1772719200')),
  ['created_at: not an ISO-8601 time'],
  readsGood,
);
documentProblemCase(
  'updated_at is null',
  registryText(entry(), 'victim', TOP.replace('"updated_at": "2026-03-05T14:02:10.004211Z"', '"updated_at": null')),
  ['updated_at: not an ISO-8601 time'],
  readsGood,
);
documentProblemCase(
  'created_at is a date only',
  registryText(entry(), 'victim', TOP.replace('"created_at": "2026-03-05T14:00:00.120000Z"', '"created_at": "2026-03-05"')),
  ['created_at: not an ISO-8601 time'],
  readsGood,
);

// --- wrong types in an entry ------------------------------------------------------------------

const TYPES = 'expected one of node, module, manager, experiment, workcell';
entryCase('the entry is an array', '[1, 2]', ['entries.victim: expected an object, found an array']);
entryCase('the entry is a string', '"node"', ['entries.victim: expected an object, found a string']);
entryCase('the entry is null', 'null', ['entries.victim: expected an object, found null']);
entryCase('id is a number', entry({ id: '42' }), ['entries.victim.id: expected a ULID string, found a number']);
entryCase('id is missing', entry({ id: undefined }), ['entries.victim.id: expected a ULID string, found missing']);
entryCase('component_type is a number', entry({ component_type: '3' }), [`entries.victim.component_type: ${TYPES}, found a number`]);
entryCase('component_type is null', entry({ component_type: 'null' }), [`entries.victim.component_type: ${TYPES}, found null`]);
entryCase('component_type is unknown', entry({ component_type: '"robot_arm"' }), [
  `entries.victim.component_type: ${TYPES}, found "robot_arm"`,
]);
entryCase('component_type has the wrong case', entry({ component_type: '"Node"' }), [
  `entries.victim.component_type: ${TYPES}, found "Node"`,
]);
entryCase('created_at is a number', entry({ created_at: '1772719200' }), [
  'entries.victim.created_at: expected an ISO-8601 time string, found a number',
]);
entryCase('last_seen is a boolean', entry({ last_seen: 'true' }), [
  'entries.victim.last_seen: expected an ISO-8601 time string, found a boolean',
]);
entryCase('metadata is an array', entry({ metadata: '[["unit", "uL"]]' }), ['entries.victim.metadata: expected an object, found an array']);
entryCase('metadata is a string', entry({ metadata: '"{}"' }), ['entries.victim.metadata: expected an object, found a string']);
entryCase('lock is a string', entry({ lock: '"locked"' }), ['entries.victim.lock: expected an object or null, found a string']);
entryCase('lock is an array', entry({ lock: '[]' }), ['entries.victim.lock: expected an object or null, found an array']);
entryCase('workcell_id is a number', entry({ workcell_id: '7' }), [
  'entries.victim.workcell_id: expected a string or null, found a number',
]);
entryCase('workcell_id is an object', entry({ workcell_id: '{"id": "wc-1"}' }), [
  'entries.victim.workcell_id: expected a string or null, found an object',
]);
entryCase(
  'every field wrong at once',
  '{"id": true, "component_type": [], "created_at": {}, "last_seen": 0, "metadata": 1, "lock": 2, "workcell_id": false}',
  [
    'entries.victim.id: expected a ULID string, found a boolean',
    `entries.victim.component_type: ${TYPES}, found an array`,
    'entries.victim.created_at: expected an ISO-8601 time string, found an object',
    'entries.victim.last_seen: expected an ISO-8601 time string, found a number',
    'entries.victim.metadata: expected an object, found a number',
    'entries.victim.lock: expected an object or null, found a number',
    'entries.victim.workcell_id: expected a string or null, found a boolean',
  ],
);

// --- wrong types in a lock --------------------------------------------------------------------

entryCase('holder_pid is a string', withLock({ holder_pid: '"4242"' }), [
  'entries.victim.lock.holder_pid: expected an integer, found a string',
]);
entryCase('holder_pid is 4242.0', withLock({ holder_pid: '4242.0' }), [
  'entries.victim.lock.holder_pid: expected an integer, found 4242.0',
]);
entryCase('holder_pid is beyond 2^53', withLock({ holder_pid: '99999999999999999999' }), [
  'entries.victim.lock.holder_pid: 99999999999999999999 is out of range',
]);
entryCase('holder_pid is null', withLock({ holder_pid: 'null' }), ['entries.victim.lock.holder_pid: expected an integer, found null']);
entryCase('holder_host is a number', withLock({ holder_host: '10' }), [
  'entries.victim.lock.holder_host: expected a string, found a number',
]);
entryCase('holder_instance is missing', withLock({ holder_instance: undefined }), [
  'entries.victim.lock.holder_instance: expected a string, found missing',
]);
entryCase('acquired_at is a number', withLock({ acquired_at: '1772719200.14' }), [
  'entries.victim.lock.acquired_at: expected an ISO-8601 time string, found a number',
]);
entryCase('heartbeat_at is null', withLock({ heartbeat_at: 'null' }), [
  'entries.victim.lock.heartbeat_at: expected an ISO-8601 time string, found null',
]);
entryCase('expires_at is an object', withLock({ expires_at: '{"seconds": 30}' }), [
  'entries.victim.lock.expires_at: expected an ISO-8601 time string, found an object',
]);

// --- invalid ULIDs ------------------------------------------------------------------------------

const notUlid = (v: string) => `entries.victim.id: not a ULID (26 characters of Crockford base32): ${JSON.stringify(v)}`;
for (const [what, id] of [
  ['lowercase', VICTIM_ID.toLowerCase()],
  ['25 characters', VICTIM_ID.slice(1)],
  ['27 characters', VICTIM_ID + 'A'],
  ['a letter Crockford excludes (U)', VICTIM_ID.slice(0, 25) + 'U'],
  ['a dash', VICTIM_ID.slice(0, 10) + '-' + VICTIM_ID.slice(11)],
  ['first character 8 (beyond 48 bits)', '8' + VICTIM_ID.slice(1)],
  ['empty', ''],
]) {
  entryCase(`id ${what}`, entry({ id: JSON.stringify(id) }), [notUlid(id)]);
}

// --- times in other formats and zones ---------------------------------------------------------

validCase('a time without a zone is read as UTC and kept as written', entry({ created_at: '"2026-03-05T14:00:00.130000"' }), [
  '"created_at": "2026-03-05T14:00:00.130000"',
]);
validCase(
  'a +02:00 time is kept as written',
  withLock({ expires_at: '"2026-03-05T16:02:40.004100+02:00"' }),
  ['"expires_at": "2026-03-05T16:02:40.004100+02:00"'],
  'victim',
  (doc) => {
    const lock = (doc.entries.get('victim') as { lock: { expiresAt: Timestamp } }).lock;
    assert.equal(lock.expiresAt.micros, (Timestamp.parse('2026-03-05T14:02:40.004100Z') as Timestamp).micros);
  },
);
validCase('+00:00 is read and written back as Z', entry({ created_at: '"2026-03-05T14:00:00.130000+00:00"' }), [
  '"created_at": "2026-03-05T14:00:00.130000Z"',
]);
entryCase('a date without a time', entry({ created_at: '"2026-03-05"' }), [
  'entries.victim.created_at: not an ISO-8601 time: "2026-03-05"',
]);
entryCase('an epoch number as a string', entry({ last_seen: '"1772719200"' }), [
  'entries.victim.last_seen: not an ISO-8601 time: "1772719200"',
]);
entryCase('garbage', withLock({ expires_at: '"in 30 seconds"' }), [
  'entries.victim.lock.expires_at: not an ISO-8601 time: "in 30 seconds"',
]);
entryCase('February 30th', entry({ created_at: '"2026-02-30T00:00:00Z"' }), [
  'entries.victim.created_at: not an ISO-8601 time: "2026-02-30T00:00:00Z"',
]);
entryCase('hour 24', entry({ last_seen: '"2026-03-05T24:00:00Z"' }), [
  'entries.victim.last_seen: not an ISO-8601 time: "2026-03-05T24:00:00Z"',
]);
entryCase('an RFC 2822 date', withLock({ acquired_at: '"Thu, 05 Mar 2026 14:00:00 GMT"' }), [
  'entries.victim.lock.acquired_at: not an ISO-8601 time: "Thu, 05 Mar 2026 14:00:00 GMT"',
]);
entryCase('a zone offset of +25:00', entry({ created_at: '"2026-03-05T14:00:00+25:00"' }), [
  'entries.victim.created_at: not an ISO-8601 time: "2026-03-05T14:00:00+25:00"',
]);

// --- duplicate keys -------------------------------------------------------------------------

const DUP = 'only its last value is read (as Python does), and rewriting the file would drop the others';
{
  const other = entry({ id: '"01JNQ8Z6T9K3M2V7X4C5B8D0EH"' });
  const text = `{${TOP}, "entries": {${GOOD}, "victim": ${entry()}, "victim": ${other}}}`;
  documentProblemCase(
    'an entry name twice',
    text,
    [`entries.victim: duplicate key at line 1, column ${text.lastIndexOf('"victim"') + 1}: ${DUP}`],
    async (reg) => {
      assert.equal(await reg.lookup('victim'), '01JNQ8Z6T9K3M2V7X4C5B8D0EH', 'the last one is read, as Python does');
      await readsGood(reg);
    },
  );
  const meta = registryText(entry({ metadata: '{"volume": 1, "volume": 2}' }));
  documentProblemCase(
    'a metadata key twice',
    meta,
    [`entries.victim.metadata.volume: duplicate key at line 1, column ${meta.lastIndexOf('"volume"') + 1}: ${DUP}`],
    readsGood,
  );
  const top = `{"version": 1, ${TOP}, "entries": {${GOOD}}}`;
  documentProblemCase(
    'a top-level key twice',
    top,
    [`version: duplicate key at line 1, column ${top.lastIndexOf('"version"') + 1}: ${DUP}`],
    readsGood,
  );
  const lockDup = registryText(withLock({ holder_pid: '4242, "holder_pid": 4343' }));
  documentProblemCase(
    'a lock key twice',
    lockDup,
    [`entries.victim.lock.holder_pid: duplicate key at line 1, column ${lockDup.lastIndexOf('"holder_pid"') + 1}: ${DUP}`],
    readsGood,
  );
  const many = `{${TOP}, "entries": {${GOOD}}, "x": {${Array.from({ length: 5000 }, () => '"k": 0').join(', ')}}}`;
  hostile('registry document problem: 5,000 repeated keys are listed briefly, in linear time', async () => {
    const { file, reg } = registryIn(many);
    const before = fingerprint(file);
    const doc = await reg.snapshot();
    assert.equal(doc?.problems?.length, 11);
    assert.equal(doc?.problems?.[10], '(top level): 4989 more duplicate keys');
    tally.clearErrors++;
    await assert.rejects(
      reg.resolve('fresh_name', 'node', { acquireLock: false }),
      (e: unknown) => e instanceof RegistryFormatError && e.message.startsWith(`${file}: x.k: duplicate key at line 1, column`),
    );
    assertUnchanged(file, before);
  });
}

// --- deep nesting -----------------------------------------------------------------------------

// root (1) > entries (2) > entry (3) > metadata (4) > k arrays: 996 arrays reach the limit of 1000.
const nested = (k: number) => entry({ metadata: `{"deep": ${'['.repeat(k)}${']'.repeat(k)}}` });
validCase('metadata nested just within the depth limit (1000 levels)', nested(996), [
  `"deep": [\n${' '.repeat(10)}[\n${' '.repeat(12)}[`,
  `${' '.repeat(2 * 999)}[]\n${' '.repeat(2 * 998)}]`,
]);
{
  const text = registryText(nested(997));
  const column = text.indexOf('['.repeat(997)) + 997;
  documentCase(
    'metadata nested one level beyond the limit',
    text,
    `cannot be read: line 1, column ${column}: nesting deeper than 1000 levels (the limit of this reader, about where Python's json gives up too)`,
  );
  const deeper = registryText(nested(100_000));
  documentCase(
    'metadata nested 100,000 levels (no stack overflow)',
    deeper,
    `cannot be read: line 1, column ${column}: nesting deeper than 1000 levels (the limit of this reader, about where Python's json gives up too)`,
  );
}

// --- hostile but valid values -----------------------------------------------------------------

validCase(
  'NaN, Infinity, -0.0, 1e400 and a 30-digit integer in metadata survive',
  entry({ metadata: '{"a": NaN, "b": -Infinity, "c": -0.0, "d": 1e400, "e": 123456789012345678901234567890}' }),
  ['"a": NaN', '"b": -Infinity', '"c": -0.0', '"d": 1e400', '"e": 123456789012345678901234567890'],
);
validCase(
  'lone surrogates and astral characters in metadata survive',
  entry({ metadata: '{"s": "\\ud800", "t": "\\udfff\\ud800", "u": "\ud83d\ude00"}' }),
  ['"s": "\\ud800"', '"t": "\\udfff\\ud800"', '"u": "\\ud83d\\ude00"'],
);
validCase(
  'a metadata key "__proto__" stays data',
  entry({ metadata: '{"__proto__": {"polluted": true}}' }),
  ['"__proto__": {\n          "polluted": true'],
  'victim',
  (doc) => {
    const plain = toPlain((doc.entries.get('victim') as RegistryEntry).metadata) as Record<string, unknown>;
    assert.deepEqual(Object.keys(plain), ['__proto__'], 'toPlain keeps the key as an own property');
    assert.equal(JSON.stringify(plain), '{"__proto__":{"polluted":true}}');
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype was polluted');
  },
);
validCase('holder_pid -1 and 0 are integers (the lock is only checked for expiry)', withLock({ holder_pid: '-1' }), ['"holder_pid": -1']);
validCase('holder_pid beyond int32 is kept', withLock({ holder_pid: '3000000000' }), ['"holder_pid": 3000000000']);

// --- names ------------------------------------------------------------------------------------

const CONTROL = (code: string, at: number) => `a component name cannot contain control characters (U+${code} at position ${at})`;
function badNameCase(title: string, name: string, shownPath: string, problem: string): void {
  entryCase(`name ${title}`, entry(), [`${shownPath}: ${problem}`], name);
  hostile(`registry name refused on write: ${title}`, async () => {
    const { file, reg } = registryIn(registryText(entry()));
    const before = fingerprint(file);
    await assert.rejects(
      reg.resolve(name, 'node', { acquireLock: false }),
      exactly(RegistryError, `Invalid name ${JSON.stringify(name.slice(0, 60))}: ${problem}`),
    );
    assertUnchanged(file, before);
    assert.equal(await reg.lookup('good_1'), GOOD_ID);
  });
}
badNameCase('with a BEL control character', 'bad\u0007name', 'entries["bad\\u0007name"]', CONTROL('0007', 4));
badNameCase('with an escape sequence', '\u001b[31mred', 'entries["\\u001b[31mred"]', CONTROL('001B', 1));
badNameCase('with a newline', 'two\nlines', 'entries["two\\nlines"]', CONTROL('000A', 4));
badNameCase('with a right-to-left override', 'node\u202e1gnp.exe', 'entries["node\u202e1gnp.exe"]', CONTROL('202E', 5));
badNameCase(
  'of 10,000 characters',
  'n'.repeat(10_000),
  `entries["${'n'.repeat(40)}…"]`,
  'a component name is at most 200 characters (this one has 10000)',
);
badNameCase('empty', '', 'entries[""]', 'a component name cannot be empty');
badNameCase('of spaces only', '   ', 'entries["   "]', 'a component name cannot be only whitespace');
validCase('name ".." (a JSON key, never a path)', entry(), [`"..": {`], '..');
validCase('name "../../etc/passwd"', entry(), [`"../../etc/passwd": {`], '../../etc/passwd');
validCase('name with slashes "lab/bay 2/arm"', entry(), [`"lab/bay 2/arm": {`], 'lab/bay 2/arm');
validCase('name "__proto__"', entry(), ['"__proto__": {'], '__proto__');
validCase('a non-ASCII name is written escaped', entry(), ['"pipette_\\u00b5l_\\ud83e\\uddea": {'], 'pipette_µl_🧪');

// --- sizes, file kinds, links, owners ---------------------------------------------------------

hostile('registry document: a 100 MB file is refused by the size limit without being read', async () => {
  const { file, reg } = registryIn();
  fs.writeFileSync(file, `{${TOP}, "entries": {${GOOD}, "padding": "`);
  fs.truncateSync(file, 100 * 1024 * 1024); // sparse: instant, and no 100 MB written either
  const stat = fs.statSync(file, { bigint: true });
  const reads: string[] = [];
  const realReadFile = fs.promises.readFile;
  fs.promises.readFile = ((p: fs.PathLike | fs.promises.FileHandle, ...rest: unknown[]) => {
    reads.push(String(p));
    return (realReadFile as (...a: unknown[]) => Promise<Buffer>)(p, ...rest);
  }) as typeof fs.promises.readFile;
  const started = process.hrtime.bigint();
  try {
    const problem = 'is larger (100.0 MiB) than the 64.0 MiB a registry may have; it was not read';
    await assert.rejects(reg.snapshot(), exactly(RegistryFormatError, `${file}: ${problem}`, file));
    await assert.rejects(
      reg.resolve('fresh_name', 'node', { acquireLock: false }),
      exactly(RegistryFormatError, `${file}: ${problem}. ${UNTOUCHED}`, file),
    );
  } finally {
    fs.promises.readFile = realReadFile;
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.deepEqual(
    reads.filter((p) => p === file),
    [],
    'the file was never read',
  );
  const after = fs.statSync(file, { bigint: true });
  assert.deepEqual([after.size, after.mtimeNs, after.ino], [stat.size, stat.mtimeNs, stat.ino], 'size, mtime and inode unchanged');
  tally.unchanged++;
  process.stdout.write(`# 100 MB registry refused in ${ms.toFixed(1)} ms (read and write attempt, locks included)\n`);
});
documentCase('a directory at the registry path', (file) => fs.mkdirSync(file), 'is not a regular file');
documentCase('a FIFO at the registry path (no blocking read)', (file) => execFileSync('mkfifo', [file]), 'is not a regular file');

hostile('registry symlink: writes go to the target and keep the link', async () => {
  const dir = tempDir('hubkeeper-hostile-');
  const real = path.join(dir, 'shared', 'registry.json');
  fs.mkdirSync(path.dirname(real));
  fs.writeFileSync(real, registryText(entry()));
  const link = path.join(dir, 'lab', '.madsci', 'registry.json');
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync('../../shared/registry.json', link);
  const reg = new ComponentRegistry(link, { holder: new LeaseHolder(), tornReadRetryMs: 0 });
  assert.equal(await reg.lookup('good_1'), GOOD_ID);
  const id = await reg.resolve('fresh_name', 'node', { acquireLock: false });
  assert.ok(fs.lstatSync(link).isSymbolicLink(), 'the link is still a link');
  assert.equal(fs.readlinkSync(link), '../../shared/registry.json', 'pointing where it did');
  assert.equal((reparse(real).entries.get('fresh_name') as { id: string }).id, id, 'the target was written');
  assert.deepEqual(
    fs.readdirSync(path.dirname(real)).filter((f) => f.includes('tmp')),
    [],
    'no temp file left beside the target',
  );
});
hostile('registry symlink: a dangling link is never written through (its target not created), nor replaced', async () => {
  const dir = tempDir('hubkeeper-hostile-');
  fs.mkdirSync(path.join(dir, 'shared'));
  const link = path.join(dir, 'registry.json');
  fs.symlinkSync('shared/registry.json', link);
  const reg = new ComponentRegistry(link, { holder: new LeaseHolder(), tornReadRetryMs: 0 });
  assert.equal(await reg.snapshot(), undefined, 'no registry yet');
  const target = path.join(dir, 'shared', 'registry.json');
  await assert.rejects(
    reg.resolve('fresh_name', 'node', { acquireLock: false }),
    exactly(RegistryError, `${link} is a symbolic link to ${target}, which does not exist; refusing to create a file through it`, link),
  );
  assert.ok(fs.lstatSync(link).isSymbolicLink(), 'the link is still a link');
  assert.deepEqual(fs.readdirSync(path.join(dir, 'shared')), [], 'nothing was created where it points');
});
documentCase(
  'a symlink loop at the registry path',
  (file) => fs.symlinkSync(path.basename(file), file),
  'cannot read the registry: too many symlinks, or a symlink where a file was expected (ELOOP)',
  { type: RegistryError, writeProblem: 'cannot read the registry: too many symlinks, or a symlink where a file was expected (ELOOP)' },
);
hostile(
  'registry owned by another user: root reads it, and a write keeps its owner and mode',
  async () => {
    const { file, reg } = registryIn(registryText(entry()));
    fs.chownSync(file, 65534, 65534);
    fs.chmodSync(file, 0o600);
    assert.equal(await reg.lookup('good_1'), GOOD_ID);
    await reg.resolve('fresh_name', 'node', { acquireLock: false });
    const st = fs.statSync(file);
    assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [65534, 65534, 0o600]);
  },
  { skip: process.getuid?.() !== 0 && 'needs root to chown' },
);

// ---------------------------------------------------------------------------------------------
// Workspace hub entries (bones layout)

/**
 * Off-host traffic guard: any socket connection to a non-loopback address made by this test
 * process is recorded and refused before it is attempted, so a defect shows up as a failure and
 * never as a packet on the network.
 */
const offHostAttempts: string[] = [];
const realConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  const host =
    typeof first === 'object' && first !== null && 'host' in first
      ? String((first as { host?: string }).host ?? 'localhost')
      : typeof args[1] === 'string'
        ? args[1]
        : 'localhost';
  const port = typeof first === 'object' && first !== null && 'port' in first ? (first as { port?: unknown }).port : undefined;
  if (
    !(typeof first === 'object' && first !== null && 'path' in first) &&
    !['localhost', '127.0.0.1', '::1'].includes(host) &&
    !host.startsWith('127.')
  ) {
    offHostAttempts.push(`${host}:${String(port)}`);
    throw new Error(`test guard: refused a connection to ${host}`);
  }
  return (realConnect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;
after(() => {
  net.Socket.prototype.connect = realConnect;
});

const probed: string[] = [];
const spyProbe = async (url: string): Promise<ProbeResult> => {
  probed.push(url);
  return probeHubUrl(url);
};

interface HubLab {
  home: string;
  env: { env: Record<string, string>; home: string };
  roots: HubRoot[];
  dir: string;
  goodCwd: string;
  entryFile: (cwd: string) => string;
  list: (probe?: (url: string) => Promise<ProbeResult>) => Promise<HubListing>;
}

function hubLab(): HubLab {
  const home = tempDir('hubkeeper-hostile-home-');
  const env = { env: {}, home };
  const roots = defaultHubRoots(env);
  const dir = path.join(roots[1].dir, 'workspaces');
  fs.mkdirSync(dir, { recursive: true });
  const goodCwd = path.join(home, 'src', 'good');
  fs.mkdirSync(path.join(goodCwd, '.bones'), { recursive: true });
  fs.writeFileSync(path.join(goodCwd, '.bones', 'agent.id'), 'agent-good\n');
  const entryFile = (cwd: string) => path.join(dir, `${workspaceId(cwd)}.json`);
  fs.writeFileSync(entryFile(goodCwd), bonesEntry({ cwd: JSON.stringify(goodCwd), hub_pid: '0', hub_url: '""' }), { mode: 0o600 });
  const processes = () => listProcesses().filter((p) => p.ppid === process.pid || p.pid === 1 || p.pid === process.pid);
  const list = (probe = spyProbe) => listHubs({ roots, env, processes: processes(), probe });
  return { home, env, roots, dir, goodCwd, entryFile, list };
}

const BONES: Fields = {
  cwd: '"/home/ana/src/robot-cell"',
  name: '"robot-cell"',
  hub_url: '"http://127.0.0.1:43117"',
  nats_url: '"nats://127.0.0.1:43118"',
  hub_pid: '81234',
  started_at: '"2026-03-05T14:00:00.123456789Z"',
};
/** A bones entry in Go's MarshalIndent layout, with fields replaced. */
function bonesEntry(over: Fields): string {
  const members = Object.entries({ ...BONES, ...over }).filter((kv): kv is [string, string] => kv[1] !== undefined);
  return '{\n' + members.map(([k, v]) => `  ${JSON.stringify(k)}: ${v}`).join(',\n') + '\n}';
}

function goodStillListed(lab: HubLab, listing: HubListing): void {
  const good = listing.hubs.find((h) => h.cwd === lab.goodCwd);
  assert.deepEqual([good?.state, good?.dead], ['idle', false], 'the other workspace is still listed');
}

const HOSTILE_CWD = '/nonexistent/hostile-workspace';

/** An entry file that cannot be used: reported with its problem, never deleted or replaced. */
function hubUnreadableCase(title: string, make: (file: string, lab: HubLab) => void, problem: string | ((file: string) => string)): void {
  hostile(`hub entry unreadable: ${title}`, async () => {
    const lab = hubLab();
    const file = lab.entryFile(HOSTILE_CWD);
    make(file, lab);
    const before = fingerprint(file);
    const expected = typeof problem === 'string' ? problem : problem(file);
    const listing = await lab.list();
    assert.deepEqual(
      listing.unreadable.map((u) => [u.file, u.problem]),
      [[file, expected]],
    );
    tally.clearErrors++;
    assert.equal(listing.hubs.filter((h) => h.source !== 'process-scan' && h.cwd !== lab.goodCwd).length, 0, 'the bad file yields no hub');
    goodStillListed(lab, listing);
    await assert.rejects(
      registerIdleWorkspace(lab.roots[1], HOSTILE_CWD, 'x'),
      exactly(HubEntryError, `${file}: ${expected}; the file was left as it is, not replaced by an idle entry`),
    );
    assertUnchanged(file, before);
  });
}

/** An entry that is read: its listing is exactly `expect`; the file is never touched by listing. */
function hubListedCase(
  title: string,
  fields: Fields,
  expect: Partial<HubInfo> | ((lab: HubLab) => Partial<HubInfo>),
  options: { cwdOf?: (lab: HubLab) => string; liveHub?: boolean } = {},
): void {
  hostile(`hub entry listed: ${title}`, async () => {
    const lab = hubLab();
    const cwd = options.cwdOf?.(lab) ?? HOSTILE_CWD;
    const over: Fields = { cwd: JSON.stringify(cwd), ...fields };
    if (options.liveHub) {
      const hub = await liveHub();
      for (const [k, v] of Object.entries(over))
        if (v !== undefined) over[k] = v.replace('$PID', String(hub.pid)).replace('$STARTED', JSON.stringify(goTime(Date.now())));
    }
    const file = lab.entryFile(cwd);
    fs.writeFileSync(file, bonesEntry(over), { mode: 0o600 });
    const before = fingerprint(file);
    const listing = await lab.list();
    assert.deepEqual(listing.unreadable, []);
    const info = listing.hubs.find((h) => h.source === 'bones' && h.id === workspaceId(cwd));
    assert.ok(info, 'the entry is listed');
    const want = typeof expect === 'function' ? expect(lab) : expect;
    const got = Object.fromEntries(Object.keys(want).map((k) => [k, info[k as keyof HubInfo]]));
    assert.deepEqual(got, want);
    if (want.reason) tally.clearErrors++;
    goodStillListed(lab, listing);
    assertUnchanged(file, before);
  });
}

let sharedHub: Promise<{ pid: number }> | undefined;
/** One stand-in hub process (argv "bones hub start") for the cases that need a live, verified hub. */
function liveHub(): Promise<{ pid: number }> {
  sharedHub ??= (async () => {
    const ws = tempDir('hubkeeper-hostile-hub-');
    const child = spawnNode(path.join(ROOT, 'scripts', 'fake-hub.mjs'), ['--title', 'bones hub start', '--cwd', ws]);
    const [, , pid] = (await waitForLine(child, /^ready /)).split(' '); // killed when the file ends (helpers)
    return { pid: Number(pid) };
  })();
  return sharedHub;
}

// --- broken and mistyped entries --------------------------------------------------------------

hubUnreadableCase(
  'truncated JSON',
  (f) => fs.writeFileSync(f, bonesEntry({}).slice(0, 60)),
  `not valid JSON: ${endOf(bonesEntry({}).slice(0, 60))}: unexpected end of file inside a string (the file is truncated)`,
);
hubUnreadableCase('an array', (f) => fs.writeFileSync(f, '[]'), 'expected a JSON object, found an array');
hubUnreadableCase('cwd is a number', (f) => fs.writeFileSync(f, bonesEntry({ cwd: '42' })), 'cwd: expected a string, found a number');
hubUnreadableCase('name is an array', (f) => fs.writeFileSync(f, bonesEntry({ name: '["a"]' })), 'name: expected a string, found an array');
hubUnreadableCase(
  'hub_url is an object',
  (f) => fs.writeFileSync(f, bonesEntry({ hub_url: '{"host": "127.0.0.1"}' })),
  'hub_url: expected a string, found an object',
);
hubUnreadableCase(
  'nats_url is a boolean',
  (f) => fs.writeFileSync(f, bonesEntry({ nats_url: 'true' })),
  'nats_url: expected a string, found a boolean',
);
hubUnreadableCase(
  'hub_pid is a string',
  (f) => fs.writeFileSync(f, bonesEntry({ hub_pid: '"81234"' })),
  'hub_pid: expected an integer, found a string',
);
hubUnreadableCase('hub_pid is 1.5', (f) => fs.writeFileSync(f, bonesEntry({ hub_pid: '1.5' })), 'hub_pid: expected an integer, found 1.5');
hubUnreadableCase('hub_pid is 1e3', (f) => fs.writeFileSync(f, bonesEntry({ hub_pid: '1e3' })), 'hub_pid: expected an integer, found 1e3');
hubUnreadableCase(
  'hub_pid beyond 2^53',
  (f) => fs.writeFileSync(f, bonesEntry({ hub_pid: '9007199254740993' })),
  'hub_pid: 9007199254740993 is out of range',
);
hubUnreadableCase(
  'started_at is a number',
  (f) => fs.writeFileSync(f, bonesEntry({ started_at: '1772719200' })),
  'started_at: expected a string, found a number',
);
hubUnreadableCase(
  'started_at has no zone',
  (f) => fs.writeFileSync(f, bonesEntry({ started_at: '"2026-03-05T14:00:00"' })),
  'started_at: not an RFC 3339 time: "2026-03-05T14:00:00"',
);
hubUnreadableCase(
  'started_at has 10 fraction digits',
  (f) => fs.writeFileSync(f, bonesEntry({ started_at: '"2026-03-05T14:00:00.1234567891Z"' })),
  'started_at: not an RFC 3339 time: "2026-03-05T14:00:00.1234567891Z"',
);
hubUnreadableCase(
  'cwd is relative',
  (f) => fs.writeFileSync(f, bonesEntry({ cwd: '"src/robot-cell"' })),
  'cwd: not an absolute path: "src/robot-cell"',
);
hubUnreadableCase(
  'cwd starts with ..',
  (f) => fs.writeFileSync(f, bonesEntry({ cwd: '"../../etc"' })),
  'cwd: not an absolute path: "../../etc"',
);
hubUnreadableCase(
  'cwd contains a NUL',
  (f) => fs.writeFileSync(f, bonesEntry({ cwd: '"/tmp/a\\u0000b"' })),
  'cwd: contains a NUL character: "/tmp/a\\u0000b"',
);

// --- file kinds, sizes, links, owners ---------------------------------------------------------

hubUnreadableCase(
  'a 100 MB entry file (not read)',
  (f) => {
    fs.writeFileSync(f, bonesEntry({}).slice(0, -2) + ',\n  "padding": "');
    fs.truncateSync(f, 100 * 1024 * 1024);
  },
  'is larger (100.0 MiB) than the 1.0 MiB a hub entry may have; it was not read',
);
hubUnreadableCase(
  'a symlink to a valid entry elsewhere (not followed)',
  (f, lab) => {
    const elsewhere = path.join(lab.home, 'elsewhere.json');
    fs.writeFileSync(elsewhere, bonesEntry({ cwd: JSON.stringify(lab.goodCwd), hub_pid: '0' }));
    fs.symlinkSync(elsewhere, f);
  },
  'is a symlink; a hub entry must be a regular file',
);
hubUnreadableCase(
  'a symlink to /dev/zero (not followed)',
  (f) => fs.symlinkSync('/dev/zero', f),
  'is a symlink; a hub entry must be a regular file',
);
hubUnreadableCase('a directory', (f) => fs.mkdirSync(f), 'is not a regular file');
hubUnreadableCase('a FIFO (no blocking read)', (f) => execFileSync('mkfifo', [f]), 'is not a regular file');

hostile(
  "hub entry owned by another user: root reads it; that user cannot read root's 0600 files and gets a clear problem",
  async () => {
    const lab = hubLab();
    const cwd = path.join(lab.home, 'src', 'theirs');
    fs.mkdirSync(path.join(cwd, '.bones'), { recursive: true });
    const theirs = lab.entryFile(cwd);
    fs.writeFileSync(theirs, bonesEntry({ cwd: JSON.stringify(cwd), hub_pid: '0', hub_url: '""' }), { mode: 0o600 });
    fs.chownSync(theirs, 65534, 65534);
    const listing = await lab.list();
    assert.deepEqual(listing.unreadable, []);
    assert.equal(listing.hubs.find((h) => h.cwd === cwd)?.state, 'idle', 'root reads an entry owned by uid 65534');
    goodStillListed(lab, listing);
    // The other direction, as uid 65534: root's 0600 entry and registry are reported, not crashed on.
    for (let d = lab.dir; d !== path.dirname(lab.home); d = path.dirname(d)) fs.chmodSync(d, 0o755);
    const { file: registry } = registryIn(registryText(entry()));
    fs.chmodSync(registry, 0o600);
    for (let d = path.dirname(registry); d !== path.dirname(path.dirname(path.dirname(registry))); d = path.dirname(d))
      fs.chmodSync(d, 0o755);
    const script = `
      const { readHubRegistry } = require(${JSON.stringify(path.join(ROOT, 'out', 'src', 'core', 'hubs', 'hub-registry.js'))});
      const { RegistryFile } = require(${JSON.stringify(path.join(ROOT, 'out', 'src', 'core', 'registry', 'registry-file.js'))});
      (async () => {
        const hubs = await readHubRegistry([{ kind: 'bones', dir: ${JSON.stringify(lab.roots[1].dir)} }], () => false);
        let registry;
        try { await new RegistryFile(${JSON.stringify(registry)}, { tornReadRetryMs: 0 }).read(); registry = 'read'; } catch (e) { registry = e.name + ': ' + e.message; }
        process.stdout.write(JSON.stringify({ records: hubs.records.map((r) => r.file), unreadable: hubs.unreadable.map((u) => [u.file, u.problem]), registry }));
      })();`;
    const r = spawnSync(process.execPath, ['-e', script], { uid: 65534, gid: 65534, encoding: 'utf8', cwd: '/' });
    assert.equal(r.status, 0, r.stderr);
    const seen = JSON.parse(r.stdout) as { records: string[]; unreadable: [string, string][]; registry: string };
    assert.deepEqual(seen.records, [theirs], 'its own entry is read');
    assert.deepEqual(seen.unreadable, [[lab.entryFile(lab.goodCwd), 'cannot read: permission denied (EACCES)']]);
    assert.equal(seen.registry, `RegistryError: ${registry}: cannot read the registry: permission denied (EACCES)`);
    tally.clearErrors++;
  },
  { skip: process.getuid?.() !== 0 && 'needs root to chown and to run a child as uid 65534' },
);

hostile('hub entry: a temp file of a writer is skipped, not reported', async () => {
  const lab = hubLab();
  const temp = `${lab.entryFile(HOSTILE_CWD)}.tmp.abc123`;
  fs.writeFileSync(temp, '{"half');
  const listing = await lab.list();
  assert.deepEqual(listing.unreadable, []);
  goodStillListed(lab, listing);
  assert.equal(fs.readFileSync(temp, 'utf8'), '{"half');
  tally.unchanged++;
});

// --- hub_pid ----------------------------------------------------------------------------------

hubListedCase(
  'hub_pid 0 is an idle workspace (never probed, even with an off-host URL)',
  { hub_pid: '0', hub_url: '"http://10.255.255.1:9"' },
  { state: 'idle', pid: undefined, dead: true, reason: 'cwd no longer exists' },
);
hubListedCase('hub_pid -0 reads as 0', { hub_pid: '-0', hub_url: '""' }, { state: 'idle', pid: undefined });
hubListedCase(
  'hub_pid -1 is no process (bones would signal every process)',
  { hub_pid: '-1' },
  { state: 'stopped', dead: true, reason: 'hub_pid -1 is not a valid process id' },
);
hubListedCase(
  'hub_pid beyond int32',
  { hub_pid: '2147483648' },
  { state: 'stopped', dead: true, reason: 'hub_pid 2147483648 is not a valid process id' },
);
hubListedCase(
  'hub_pid beyond pid_max but within int32',
  { hub_pid: '4194305' },
  { state: 'stopped', dead: true, reason: 'hub pid 4194305 is not running' },
);
hubListedCase('hub_pid 1 is init, not a hub', { hub_pid: '1', started_at: JSON.stringify(goTime(Date.now())) }, () => ({
  state: 'stopped',
  dead: true,
  reason: `pid 1 now runs ${describeArgv(getProcess(1)?.argv ?? [])}, not a hub`,
}));
hubListedCase(
  'hub_pid of this test process (alive, not a hub)',
  { hub_pid: String(process.pid), started_at: JSON.stringify(goTime(Date.now())) },
  { state: 'stopped', dead: true, reason: `pid ${process.pid} now runs ${describeArgv(getProcess(process.pid)?.argv ?? [])}, not a hub` },
);
hubListedCase(
  'duplicate hub_pid keys: the last one counts, as in Go',
  { hub_pid: '81234, "HUB_PID": 0' },
  { state: 'idle', pid: undefined },
);

// --- hub_url off-host: never probed -----------------------------------------------------------

const liveWs = (lab: HubLab) => {
  const ws = path.join(lab.home, 'src', 'live');
  fs.mkdirSync(path.join(ws, '.bones'), { recursive: true });
  fs.writeFileSync(path.join(ws, '.bones', 'agent.id'), 'agent-live\n');
  return ws;
};
for (const url of [
  'http://10.255.255.1:9',
  'http://127.0.0.1:9@10.255.255.1:9/',
  'http://[::ffff:10.255.255.1]:9/',
  'https://10.255.255.1:9/',
  'http://localhost.hostile.invalid:9/',
  'http://0.0.0.0:9/',
]) {
  hubListedCase(
    `hub_url off-host is never probed: ${url}`,
    { hub_pid: '$PID', started_at: '$STARTED', hub_url: JSON.stringify(url) },
    { state: 'running', dead: false, reason: `not probed: ${url} is not a loopback address` },
    { liveHub: true, cwdOf: liveWs },
  );
}
hostile('hub_url on loopback is probed (the control case): a local server counts one request', async () => {
  let requests = 0;
  const server = http.createServer((_req, res) => {
    requests++;
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;
    const lab = hubLab();
    const ws = liveWs(lab);
    const hub = await liveHub();
    fs.writeFileSync(
      lab.entryFile(ws),
      bonesEntry({
        cwd: JSON.stringify(ws),
        hub_pid: String(hub.pid),
        started_at: JSON.stringify(goTime(Date.now())),
        hub_url: JSON.stringify(url),
      }),
    );
    const before = probed.length;
    const info = (await lab.list()).hubs.find((h) => h.cwd === ws);
    assert.deepEqual([info?.state, info?.reason], ['running', undefined]);
    assert.deepEqual(probed.slice(before), [url]);
    assert.equal(requests, 1);
    // And with the default probe (no spy), an off-host URL sends nothing either.
    fs.writeFileSync(
      lab.entryFile(ws),
      bonesEntry({
        cwd: JSON.stringify(ws),
        hub_pid: String(hub.pid),
        started_at: JSON.stringify(goTime(Date.now())),
        hub_url: '"http://10.255.255.1:9"',
      }),
    );
    const listing = await listHubs({ roots: lab.roots, env: lab.env, processes: listProcesses().filter((p) => p.ppid === process.pid) });
    assert.equal(listing.hubs.find((h) => h.cwd === ws)?.reason, 'not probed: http://10.255.255.1:9 is not a loopback address');
    assert.equal(await probeHubUrl('http://10.255.255.1:9'), 'not-probed');
  } finally {
    server.close();
  }
});
test('no probe was ever asked about an off-host URL, and no off-host connection was attempted', { concurrency: false }, () => {
  assert.deepEqual(
    probed.filter((u) => !isLoopbackUrl(u)),
    [],
  );
  assert.deepEqual(offHostAttempts, []);
});

// --- cwd --------------------------------------------------------------------------------------

hubListedCase(
  'cwd with .. is resolved lexically, like the workspace id and bones (not through a symlink)',
  { hub_pid: '0', hub_url: '""' },
  { state: 'idle', dead: false, reason: undefined },
  {
    cwdOf: (lab) => {
      // src/link -> elsewhere/x: lexically src/link/../other is src/other (which exists);
      // physically it would be elsewhere/other (which does not).
      fs.mkdirSync(path.join(lab.home, 'elsewhere', 'x'), { recursive: true });
      fs.symlinkSync(path.join(lab.home, 'elsewhere', 'x'), path.join(lab.home, 'src', 'link'));
      fs.mkdirSync(path.join(lab.home, 'src', 'other', '.bones'), { recursive: true });
      return `${path.join(lab.home, 'src', 'link')}/../other`;
    },
  },
);
hubListedCase(
  'cwd with . and doubled slashes',
  { hub_pid: '0', hub_url: '""' },
  { state: 'idle', dead: false, reason: undefined },
  {
    cwdOf: (lab) => {
      fs.mkdirSync(path.join(lab.home, 'src', 'other2'));
      return `${lab.home}//src/./other2/`;
    },
  },
);
