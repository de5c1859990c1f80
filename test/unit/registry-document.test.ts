import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseRegistryDocument } from '../../src/core/registry/parse-document';
import { documentToJson, serializeRegistryDocument } from '../../src/core/registry/serialize-document';
import { RegistryFormatError } from '../../src/core/registry/errors';
import { pythonJson } from '../../src/core/json/python-json';
import { Timestamp } from '../../src/core/time/timestamp';
import { MADSCI_EXAMPLE } from '../support/samples';

const NOW = Timestamp.parse('2026-11-23T12:00:00Z') as Timestamp;
const FILE = '/lab/.madsci/registry.json';

test('a MADSci file is written back byte for byte', () => {
  const doc = parseRegistryDocument(MADSCI_EXAMPLE, FILE, NOW);
  assert.equal(serializeRegistryDocument(doc), MADSCI_EXAMPLE);
  assert.equal(pythonJson(documentToJson(doc)), MADSCI_EXAMPLE);
  assert.deepEqual([...doc.entries.keys()], ['liquidhandler_1', '7']);
});

test('a seeded {"entries": {}} takes defaults for the missing fields', () => {
  const doc = parseRegistryDocument('{"entries": {}}', FILE, NOW);
  assert.equal(doc.version.raw, '1');
  assert.equal(doc.createdAt.text, '2026-11-23T12:00:00Z');
  assert.equal(
    serializeRegistryDocument(doc),
    '{\n  "version": 1,\n  "created_at": "2026-11-23T12:00:00Z",\n  "updated_at": "2026-11-23T12:00:00Z",\n  "entries": {}\n}',
  );
});

test('+00:00 is read and written back as Z; unknown keys survive after the known ones', () => {
  const text = MADSCI_EXAMPLE.replace('"2026-03-05T14:00:00.130000Z"', '"2026-03-05T14:00:00.130000+00:00"').replace(
    '"workcell_id": "wc-1"',
    '"workcell_id": "wc-1",\n      "x_hubkeeper": {"note": "kept"}',
  );
  const doc = parseRegistryDocument(text, FILE, NOW);
  const out = serializeRegistryDocument(doc);
  assert.ok(out.includes('"created_at": "2026-03-05T14:00:00.130000Z"'));
  assert.ok(out.includes('"workcell_id": "wc-1",\n      "x_hubkeeper": {\n        "note": "kept"\n      }\n    }'));
});

function problemsOf(text: string, name: string): readonly string[] {
  const record = parseRegistryDocument(text, FILE, NOW).entries.get(name);
  assert.equal(record?.kind, 'invalid');
  return record.kind === 'invalid' ? record.problems : [];
}

test('one bad entry is reported with its JSON path and kept verbatim; the others stay usable', () => {
  const text = MADSCI_EXAMPLE.replace('"expires_at": "2026-03-05T14:02:40.004100Z"', '"expires_at": "soon"').replace(
    '"component_type": "workcell"',
    '"component_type": "robot"',
  );
  const doc = parseRegistryDocument(text, FILE, NOW);
  assert.deepEqual(problemsOf(text, 'liquidhandler_1'), ['entries.liquidhandler_1.lock.expires_at: not an ISO-8601 time: "soon"']);
  assert.deepEqual(problemsOf(text, '7'), [
    'entries["7"].component_type: expected one of node, module, manager, experiment, workcell, found "robot"',
  ]);
  assert.equal(serializeRegistryDocument(doc), text, 'invalid entries are written back unchanged');
});

test('every field is checked, and all problems of an entry are listed', () => {
  const text = `{"entries": {"bad": {"id": "nope", "component_type": 3, "created_at": 5, "metadata": [], "lock": {"holder_pid": "4242", "holder_host": 1, "acquired_at": "x"}, "workcell_id": 7}}}`;
  assert.deepEqual(problemsOf(text, 'bad'), [
    'entries.bad.id: not a ULID (26 characters of Crockford base32): "nope"',
    'entries.bad.component_type: expected one of node, module, manager, experiment, workcell, found a number',
    'entries.bad.created_at: expected an ISO-8601 time string, found a number',
    'entries.bad.metadata: expected an object, found an array',
    'entries.bad.lock.holder_pid: expected an integer, found a string',
    'entries.bad.lock.holder_host: expected a string, found a number',
    'entries.bad.lock.holder_instance: expected a string, found missing',
    'entries.bad.lock.acquired_at: not an ISO-8601 time: "x"',
    'entries.bad.lock.heartbeat_at: expected an ISO-8601 time string, found missing',
    'entries.bad.lock.expires_at: expected an ISO-8601 time string, found missing',
    'entries.bad.workcell_id: expected a string or null, found a number',
  ]);
  assert.deepEqual(problemsOf('{"entries": {"x\\u0007y": {"id": "01JNQ8Z6T9K3M2V7X4C5B8D0EF", "component_type": "node"}}}', 'x\u0007y'), [
    'entries["x\\u0007y"]: a component name cannot contain control characters (U+0007 at position 2)',
  ]);
  assert.deepEqual(problemsOf('{"entries": {"e": 5}}', 'e'), ['entries.e: expected an object, found a number']);
});

test('bad top-level fields are recorded as problems; the entries are still read', () => {
  const doc = parseRegistryDocument(
    '{"version": "1", "created_at": "noon", "entries": {"a": {"id": "01JNQ8Z6T9K3M2V7X4C5B8D0EF", "component_type": "node"}}}',
    FILE,
    NOW,
  );
  assert.deepEqual(doc.problems, ['version: expected an integer, found a string', 'created_at: not an ISO-8601 time']);
  assert.equal(doc.entries.get('a')?.kind, 'entry');
});

test('times far from now survive a rewrite byte for byte', () => {
  const text = MADSCI_EXAMPLE.replace('"last_seen": "2026-03-05T14:02:10.004100Z"', '"last_seen": "9999-12-31T23:59:59.999999Z"').replace(
    '"created_at": "2026-03-05T14:00:00Z"',
    '"created_at": "2300-01-01T00:00:00.000001Z"',
  );
  assert.equal(serializeRegistryDocument(parseRegistryDocument(text, FILE, NOW)), text);
  assert.equal(Timestamp.parse('9999-12-31T23:59:59.999999+00:00')?.toPython(), '9999-12-31 23:59:59.999999+00:00');
});

test('document-level problems throw one error naming the file and the path', () => {
  const cases: [string, string][] = [
    ['[1]', `${FILE}: expected a JSON object, found an array`],
    ['{"entries": []}', `${FILE}: entries: expected an object, found an array`],
    ['{"entries": {', `${FILE}: not valid JSON: line 1, column 14: unexpected end of file, expected a string key (the file is truncated)`],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parseRegistryDocument(text, FILE, NOW),
      (err: unknown) => err instanceof RegistryFormatError && err.message === message,
      text,
    );
  }
});
