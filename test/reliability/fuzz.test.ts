import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { JsonNumber, JsonObject, JsonValue } from '../../src/core/json/json-value';
import { JsonSyntaxError, parseJson } from '../../src/core/json/parse-json';
import { pythonJson } from '../../src/core/json/python-json';
import { parseRegistryDocument } from '../../src/core/registry/parse-document';
import { serializeRegistryDocument } from '../../src/core/registry/serialize-document';
import { RegistryFormatError } from '../../src/core/registry/errors';
import { nameProblem } from '../../src/core/registry/names';
import { COMPONENT_TYPES } from '../../src/core/registry/types';
import { goTime, HubEntry, HubEntryError, parseHubEntry, serializeHubEntry } from '../../src/core/hubs/hub-entry';
import { Timestamp } from '../../src/core/time/timestamp';
import { tempDir, which } from '../support/helpers';
import { figure, scaled } from './profile';

/**
 * Property-based fuzzing of the parsers and serializers (issue 7):
 * (a) serialize ∘ parse is the identity on valid registry documents, and agrees with Python's
 *     `json.dumps(json.loads(text), indent=2)` on a sample;
 * (b) no input makes parseJson, parseRegistryDocument or parseHubEntry throw anything but their
 *     own error types, and whatever is read can be written and read back to the same bytes;
 * (c) timestamps: parse gives canonical text that round-trips, at the instant the text denotes.
 * Each property prints its figure: runs and failures (fast-check stops at the first failure and
 * shrinks it; the counterexample is in the assertion message).
 */

const RUNS = scaled(2000, 200);
const FILE = '/lab/.madsci/registry.json';
const NOW = Timestamp.parse('2026-11-23T12:00:00Z') as Timestamp;

function check<T>(name: string, property: fc.IProperty<T> | fc.IAsyncProperty<T>, numRuns = RUNS): void {
  const details = fc.check(property as fc.IProperty<T>, { numRuns }) as fc.RunDetails<T>;
  figure(name, { runs: details.numRuns, failures: details.failed ? 1 : 0, ...(details.failed ? { shrinks: details.numShrinks } : {}) });
  if (details.failed) assert.fail(fc.defaultReportMessage(details) ?? 'property failed');
}

// --- generators -------------------------------------------------------------------------------

/** Any UTF-16 text: controls, astral characters, lone surrogates. */
const anyString = fc.string({ unit: 'binary', maxLength: 12 });
const key = fc.oneof(anyString, fc.constantFrom('__proto__', 'constructor', '7', '10', '', 'a.b', 'x y', '\u00b5L', '\ud83e\uddea', 'id'));

/** Python's repr of a float: what `json.dumps` writes for it. */
function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, e] = Math.abs(x).toExponential().split('e'); // shortest round-trip digits, as Python's
  const exp = Number(e);
  const digits = mantissa.replace('.', '');
  const sign = x < 0 ? '-' : '';
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
    return `${sign}${digits.slice(0, exp + 1).padEnd(exp + 1, '0')}.${digits.slice(exp + 1) || '0'}`;
  }
  return `${sign}${digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** Number texts Python writes back unchanged (ints of any size, floats in repr form). */
const pythonNumber = fc.oneof(
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.double().map(pythonFloat),
  fc.constantFrom('200.0', '1e-07', '1e+16', '-0.0', '12345678901234567890', 'NaN', 'Infinity', '-Infinity', '0.1', '1.5e+300', '5e-324'),
);
/** Any JSON number text, kept byte for byte by Hubkeeper (Python would rewrite `1.50` or `1E5`). */
const anyNumber = fc.oneof(
  pythonNumber,
  fc
    .tuple(
      fc.boolean(),
      fc.oneof(fc.constant('0'), fc.bigInt({ min: 1n, max: 10n ** 25n }).map(String)),
      fc.option(fc.stringMatching(/^[0-9]{1,8}$/)),
      fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.stringMatching(/^[0-9]{1,3}$/))),
    )
    .map(([neg, int, frac, exp]) => `${neg ? '-' : ''}${int}${frac === null ? '' : '.' + frac}${exp === null ? '' : exp.join('')}`),
);

function jsonValue(numbers: fc.Arbitrary<string>): fc.Arbitrary<JsonValue> {
  const { value } = fc.letrec<{ value: JsonValue; array: JsonValue[]; object: JsonObject }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', maxDepth: 4 },
      fc.constant(null),
      fc.boolean(),
      anyString,
      numbers.map((n) => new JsonNumber(n)),
      tie('array'),
      tie('object'),
    ),
    array: fc.array(tie('value'), { maxLength: 4 }),
    object: jsonObject(tie('value')),
  }));
  return value;
}

function jsonObject(values: fc.Arbitrary<JsonValue>, keys: fc.Arbitrary<string> = key, maxLength = 4): fc.Arbitrary<JsonObject> {
  return fc.uniqueArray(fc.tuple(keys, values), { selector: ([k]) => k, maxLength }).map((members) => new Map(members));
}

const digits = (n: number, min: number, max: number) => fc.integer({ min, max }).map((v) => String(v).padStart(n, '0'));
const date = fc.tuple(digits(4, 1, 9999), digits(2, 1, 12), digits(2, 1, 28));
const clock = fc.tuple(digits(2, 0, 23), digits(2, 0, 59), digits(2, 0, 59));
/** Times as MADSci writes them (UTC, Z, 6 digits or none), plus zoned and zoneless ones kept as written. */
const registryTime = fc.oneof(
  fc
    .tuple(date, clock, fc.option(digits(6, 1, 999_999)))
    .map(([[y, mo, d], [h, mi, s], frac]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${frac === null ? '' : '.' + frac}Z`),
  fc
    .tuple(
      date,
      fc.constantFrom('T', ' '),
      clock,
      fc.option(fc.stringMatching(/^[0-9]{1,9}$/)),
      fc.oneof(
        fc.constant(''),
        fc.tuple(fc.constantFrom('+', '-'), digits(2, 0, 23), fc.constantFrom(':', ''), digits(2, 0, 59)).map((z) => z.join('')),
      ),
    )
    .filter(([, , , , zone]) => !/^[+-]00:?00$/.test(zone))
    .map(([[y, mo, d], sep, [h, mi, s], frac, zone]) => `${y}-${mo}-${d}${sep}${h}:${mi}:${s}${frac === null ? '' : '.' + frac}${zone}`),
);

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ulid = fc
  .tuple(fc.integer({ min: 0, max: 7 }), fc.array(fc.integer({ min: 0, max: 31 }), { minLength: 25, maxLength: 25 }))
  .map(([first, rest]) => String(first) + rest.map((i) => CROCKFORD[i]).join(''));
const validName = fc
  .oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }),
    fc.constantFrom('liquidhandler_1', '7', '..', 'a/b', '__proto__', 'pipette µL'),
  )
  .filter((n) => nameProblem(n) === undefined);
const extraKeys = (known: readonly string[], values: fc.Arbitrary<JsonValue>) =>
  jsonObject(
    values,
    key.filter((k) => !known.includes(k)),
    2,
  );

const ENTRY_KEYS = ['id', 'component_type', 'created_at', 'last_seen', 'metadata', 'lock', 'workcell_id'];
const LOCK_KEYS = ['holder_pid', 'holder_host', 'holder_instance', 'acquired_at', 'heartbeat_at', 'expires_at'];

function registryDocument(numbers: fc.Arbitrary<string>): fc.Arbitrary<JsonObject> {
  const value = jsonValue(numbers);
  const lock = fc
    .tuple(
      fc.bigInt({ min: -(2n ** 53n) + 1n, max: 2n ** 53n - 1n }),
      anyString,
      fc.oneof(ulid, anyString),
      registryTime,
      registryTime,
      registryTime,
      extraKeys(LOCK_KEYS, value),
    )
    .map(
      ([pid, host, instance, a, h, e, extra]): JsonObject =>
        new Map<string, JsonValue>([
          ['holder_pid', new JsonNumber(String(pid))],
          ['holder_host', host],
          ['holder_instance', instance],
          ['acquired_at', a],
          ['heartbeat_at', h],
          ['expires_at', e],
          ...extra,
        ]),
    );
  const validEntry = fc
    .tuple(
      ulid,
      fc.constantFrom(...COMPONENT_TYPES),
      registryTime,
      registryTime,
      jsonObject(value),
      fc.option(lock),
      fc.option(anyString),
      extraKeys(ENTRY_KEYS, value),
    )
    .map(
      ([id, type, created, seen, metadata, lk, workcell, extra]): JsonObject =>
        new Map<string, JsonValue>([
          ['id', id],
          ['component_type', type],
          ['created_at', created],
          ['last_seen', seen],
          ['metadata', metadata],
          ['lock', lk],
          ['workcell_id', workcell],
          ...extra,
        ]),
    );
  // Invalid entries (any JSON, or a bad name) are kept verbatim and must round-trip as well.
  const entries = fc.uniqueArray(
    fc.oneof(
      { weight: 4, arbitrary: fc.tuple(validName, validEntry) },
      { weight: 1, arbitrary: fc.tuple(key, fc.oneof(value, validEntry)) },
    ),
    { selector: ([k]) => k, maxLength: 5 },
  );
  const version = fc.oneof(fc.constant('1'), fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String));
  return fc
    .tuple(version, registryTime, registryTime, entries, extraKeys(['version', 'created_at', 'updated_at', 'entries'], value))
    .map(
      ([v, created, updated, list, extra]) =>
        new Map<string, JsonValue>([
          ['version', new JsonNumber(v)],
          ['created_at', created],
          ['updated_at', updated],
          ['entries', new Map(list)],
          ...extra,
        ]),
    );
}

const documentText = registryDocument(anyNumber).map((doc) => pythonJson(doc));
const pythonDocumentText = registryDocument(pythonNumber).map((doc) => pythonJson(doc));

// --- (a) serialize ∘ parse is the identity ----------------------------------------------------

test('(a) serialize(parse(text)) === text for every document the serializer writes', () => {
  const seen = { entries: 0, invalid_entries: 0, locks: 0, zoned_or_zoneless_times: 0, non_ascii_escapes: 0, bytes: 0 };
  check(
    'fuzz-registry-roundtrip',
    fc.property(documentText, (text) => {
      const doc = parseRegistryDocument(text, FILE, NOW);
      assert.deepEqual(doc.problems, []);
      assert.equal(serializeRegistryDocument(doc), text);
      for (const record of doc.entries.values()) {
        seen.entries++;
        if (record.kind === 'invalid') seen.invalid_entries++;
        else if (record.lock) seen.locks++;
      }
      seen.zoned_or_zoneless_times += (text.match(/"\d{4}-\d{2}-\d{2}[T ][0-9:.]+(?:[+-][0-9:]+)?"/g) ?? []).length;
      seen.non_ascii_escapes += (text.match(/\\u[0-9a-f]{4}/g) ?? []).length;
      seen.bytes += text.length;
    }),
  );
  figure('fuzz-registry-roundtrip-coverage', seen);
});

test(
  "(a) Python's json.dumps(json.loads(text), indent=2) gives the same bytes (sample)",
  { skip: !which('python3') && 'python3 not installed' },
  () => {
    const texts = fc.sample(pythonDocumentText, { numRuns: scaled(300, 40), seed: 7 });
    for (const text of texts) assert.equal(serializeRegistryDocument(parseRegistryDocument(text, FILE, NOW)), text);
    const dir = tempDir('hubkeeper-fuzz-');
    const input = path.join(dir, 'texts.json');
    fs.writeFileSync(input, JSON.stringify(texts)); // lone surrogates are escaped, and Python reads them back as such
    const script = [
      'import json, sys',
      'texts = json.load(open(sys.argv[1]))',
      'bad = []',
      'for i, t in enumerate(texts):',
      '    out = json.dumps(json.loads(t), indent=2)',
      '    if out != t: bad.append([i, out])',
      'print(json.dumps(bad[:3]))',
      'print(len(bad))',
    ].join('\n');
    const [sample, count] = execFileSync('python3', ['-c', script, input], { encoding: 'utf8' }).trim().split('\n');
    const mismatches = Number(count);
    figure('fuzz-python-agreement', { documents: texts.length, mismatches });
    const firstBad = (JSON.parse(sample) as [number, string][])[0];
    assert.equal(mismatches, 0, firstBad && `document ${firstBad[0]}:\n--- Hubkeeper\n${texts[firstBad[0]]}\n--- Python\n${firstBad[1]}`);
  },
);

const hubEntry: fc.Arbitrary<HubEntry> = fc
  .tuple(
    fc
      .array(
        fc.string({ unit: 'grapheme', maxLength: 8 }).filter((s) => !s.includes('/') && !s.includes('\0')),
        { maxLength: 4 },
      )
      .map((parts) => '/' + parts.join('/')),
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    fc.oneof(
      fc.constant(''),
      fc.integer({ min: 1, max: 65535 }).map((p) => `http://127.0.0.1:${p}`),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
    ),
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    fc.integer({ min: 0, max: 253402300799999 }).map(goTime),
  )
  .map(([cwd, name, hubUrl, natsUrl, hubPid, startedAt]) => ({ cwd, name, hubUrl, natsUrl, hubPid, startedAt }));

test('(a) hub entries: parse(serialize(entry)) is the entry, and serialize(parse(text)) === text', () => {
  check(
    'fuzz-hub-entry-roundtrip',
    fc.property(hubEntry, (entry) => {
      const text = serializeHubEntry(entry);
      const back = parseHubEntry(text, 'x.json');
      assert.deepEqual(back, entry);
      assert.equal(serializeHubEntry(back), text);
    }),
  );
});

// --- (b) no foreign exceptions ------------------------------------------------------------------

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; to: string }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'repeat'; at: number; length: number };

const JSONISH = fc.constantFrom(
  '{',
  '}',
  '[',
  ']',
  ':',
  ',',
  '"',
  '\\',
  'u',
  'n',
  'null',
  'true',
  '0',
  '-',
  'e',
  '.',
  ' ',
  '\n',
  'NaN',
  '-Infinity',
  '\u0000',
  '\ud800',
  '\u00b5',
  '"entries"',
  '"lock"',
  '"hub_pid"',
  '1e999',
  '-0',
);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.nat().map((at): Mutation => ({ kind: 'truncate', at })),
  fc
    .tuple(fc.nat(), fc.oneof(JSONISH, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })))
    .map(([at, to]): Mutation => ({ kind: 'flip', at, to })),
  fc.tuple(fc.nat(), fc.oneof(JSONISH, anyString)).map(([at, text]): Mutation => ({ kind: 'insert', at, text })),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 40 })).map(([at, length]): Mutation => ({ kind: 'delete', at, length })),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 40 })).map(([at, length]): Mutation => ({ kind: 'repeat', at, length })),
);

function mutate(text: string, mutations: Mutation[]): string {
  let out = text;
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % (out.length + 1);
    if (m.kind === 'truncate') out = out.slice(0, at);
    else if (m.kind === 'flip') out = out.slice(0, at) + m.to + out.slice(at + 1);
    else if (m.kind === 'insert') out = out.slice(0, at) + m.text + out.slice(at);
    else if (m.kind === 'delete') out = out.slice(0, at) + out.slice(at + m.length);
    else out = out.slice(0, at) + out.slice(at, at + m.length) + out.slice(at);
  }
  return out;
}

const hostileInput = fc.oneof(
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 2, arbitrary: fc.array(JSONISH, { maxLength: 60 }).map((parts) => parts.join('')) },
  {
    weight: 4,
    arbitrary: fc.tuple(documentText, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([text, ms]) => mutate(text, ms)),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(hubEntry.map(serializeHubEntry), fc.array(mutation, { minLength: 1, maxLength: 4 }))
      .map(([text, ms]) => mutate(text, ms)),
  },
);

let outcomes = { parsed: 0, refused: 0, rewritten: 0 };
test('(b) no input makes the parsers throw anything but their own errors; what is read rewrites stably', () => {
  outcomes = { parsed: 0, refused: 0, rewritten: 0 };
  check(
    'fuzz-no-foreign-throws',
    fc.property(hostileInput, (text) => {
      try {
        const value = parseJson(text);
        assert.equal(pythonJson(parseJson(pythonJson(value))), pythonJson(value), 'the JSON layer rewrites stably');
      } catch (err) {
        if (!(err instanceof JsonSyntaxError)) throw err;
      }
      let doc;
      try {
        doc = parseRegistryDocument(text, FILE, NOW);
        outcomes.parsed++;
      } catch (err) {
        if (!(err instanceof RegistryFormatError)) throw err;
        assert.ok(err.message.startsWith(`${FILE}: `), 'the error names the file');
        outcomes.refused++;
      }
      if (doc) {
        // Whatever is read can be written, and reading that back writes the same bytes again.
        const once = serializeRegistryDocument(doc);
        assert.equal(serializeRegistryDocument(parseRegistryDocument(once, FILE, NOW)), once);
        outcomes.rewritten++;
      }
      try {
        parseHubEntry(text, 'x.json');
      } catch (err) {
        if (!(err instanceof HubEntryError)) throw err;
        assert.ok(err.message.startsWith('x.json: '), 'the error names the file');
      }
    }),
    scaled(4000, 400),
  );
  figure('fuzz-no-foreign-throws-outcomes', outcomes);
});

// --- (c) timestamps ---------------------------------------------------------------------------

const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.(?!000000)\d{6})?Z$/;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const timeText = fc.oneof(
  fc
    .tuple(
      date,
      fc.constantFrom('T', ' '),
      clock,
      fc.option(fc.stringMatching(/^[0-9]{1,9}$/)),
      fc.constantFrom('Z', 'z', '+00:00', '-00:00', '+0000', '', '+02:00', '-05:30', '+14:00', '+2359'),
    )
    .map(([[y, mo, d], sep, [h, mi, s], frac, zone]) => `${y}-${mo}-${d}${sep}${h}:${mi}:${s}${frac === null ? '' : '.' + frac}${zone}`),
  fc.string({ unit: fc.constantFrom('0', '1', '2', '9', '-', ':', 'T', 'Z', '.', '+', ' '), maxLength: 32 }),
  anyString,
);

test('(c) timestamps: parse gives canonical text for UTC, keeps other text, and round-trips to the same instant', () => {
  check(
    'fuzz-timestamps',
    fc.property(timeText, (text) => {
      const t = Timestamp.parse(text);
      if (!t) return;
      const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2})?$/.exec(text);
      assert.ok(m, 'only ISO-8601 date-times are accepted');
      const zone = m[8];
      const offset =
        !zone || /^[Zz]$/.test(zone) ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
      if (offset === 0 && zone) assert.match(t.text, CANONICAL, 'UTC is written canonically');
      else assert.equal(t.text, text, 'another zone, or none, is kept as written');
      const again = Timestamp.parse(t.text);
      assert.equal(again?.text, t.text, 'the text round-trips');
      assert.equal(again?.micros, t.micros, 'to the same instant');
      assert.equal(typeof t.toPython(), 'string');
      const year = Number(m[1]);
      if (year <= 2200) {
        // Exact in a double up to about 2255: check the instant against an independent computation.
        const seconds =
          daysFromCivil(year, Number(m[2]), Number(m[3])) * 86400 + Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6]) - offset * 60;
        assert.equal(t.micros, seconds * 1_000_000 + Number((m[7] ?? '').padEnd(6, '0').slice(0, 6)));
      }
    }),
  );
});

test('(c) timestamps written by Hubkeeper (fromMicros) are canonical and parse back exactly', () => {
  check(
    'fuzz-timestamps-written',
    fc.property(fc.integer({ min: 0, max: 7_258_118_400_000_000 }), (micros) => {
      const t = Timestamp.fromMicros(micros);
      assert.match(t.text, CANONICAL);
      const back = Timestamp.parse(t.text);
      assert.equal(back?.micros, micros);
      assert.equal(back?.text, t.text);
    }),
  );
});
