import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { JsonNumber, toPlain, fromPlain, jsonPath, isJsonObject } from '../../src/core/json/json-value';
import { JsonSyntaxError, parseJson } from '../../src/core/json/parse-json';
import { pythonJson, pythonString } from '../../src/core/json/python-json';
import { which } from '../support/helpers';

test('numbers keep their source text through parse and serialize', () => {
  const text = '{"a": 200.0, "b": 1e-07, "c": 1e+16, "d": -0.0, "e": 12345678901234567890, "f": 1E5, "g": NaN, "h": -Infinity}';
  const value = parseJson(text);
  assert.ok(isJsonObject(value));
  assert.deepEqual(
    [...value.values()].map((v) => (v as JsonNumber).raw),
    ['200.0', '1e-07', '1e+16', '-0.0', '12345678901234567890', '1E5', 'NaN', '-Infinity'],
  );
  assert.equal(
    pythonJson(value),
    '{\n  "a": 200.0,\n  "b": 1e-07,\n  "c": 1e+16,\n  "d": -0.0,\n  "e": 12345678901234567890,\n  "f": 1E5,\n  "g": NaN,\n  "h": -Infinity\n}',
  );
});

test('object key order is kept, including integer-like keys a JS object would reorder', () => {
  const value = parseJson('{"b": 1, "10": 2, "2": 3, "a": 4}');
  assert.ok(isJsonObject(value));
  assert.deepEqual([...value.keys()], ['b', '10', '2', 'a']);
});

test('a repeated key keeps its first position and its last value, as Python does', () => {
  const value = parseJson('{"a": 1, "b": 2, "a": 3}');
  assert.equal(pythonJson(value), '{\n  "a": 3,\n  "b": 2\n}');
});

test('strings are escaped as Python ensure_ascii does', () => {
  assert.equal(pythonString('µL'), '"\\u00b5L"');
  assert.equal(pythonString('a"b\\c\n\t\u0001\u007f😀/'), '"a\\"b\\\\c\\n\\t\\u0001\\u007f\\ud83d\\ude00/"');
  assert.equal(parseJson('"\\u00b5\\/\\ud83d\\ude00"'), 'µ/😀');
});

test('layout matches Python json.dumps(indent=2) byte for byte', { skip: !which('python3') && 'python3 is not installed' }, () => {
  const doc = '{"z": {}, "y": [], "x": [1, {"k": null, "t": true}, [2, []]], "s": "µL é 😀 \\u0007", "n": {"deep": {"er": [false]}}}';
  const py = spawnSync('python3', ['-c', 'import json,sys; sys.stdout.write(json.dumps(json.loads(sys.stdin.read()), indent=2))'], {
    input: doc,
    encoding: 'utf8',
  });
  assert.equal(py.status, 0, py.stderr);
  assert.equal(pythonJson(parseJson(doc)), py.stdout);
});

test('syntax errors carry line and column and a plain-words problem', () => {
  const cases: [string, RegExp][] = [
    ['', /the file is empty/],
    ['{"a": 1', /line 1, column 8: unexpected end of file, expected ',' or '}' \(the file is truncated\)/],
    ['{\n  "a": tru\n}', /line 2, column 8: unexpected character 'r'|line 2, column 8/],
    ['{"a": "x\u0001"}', /control character U\+0001 inside a string/],
    ['{"a": 01}', /expected ',' or '}'/],
    ['{"a": 1} x', /unexpected text after the end/],
    ['{"a": "\\q"}', /invalid escape \\q/],
    ['{a: 1}', /expected a string key/],
    ['[1,]', /unexpected character '\]'/],
  ];
  for (const [text, re] of cases) {
    assert.throws(
      () => parseJson(text),
      (err: unknown) => err instanceof JsonSyntaxError && re.test(err.message),
      `for ${JSON.stringify(text)}`,
    );
  }
});

test('deep nesting is refused with the parser error, not a stack overflow', () => {
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  assert.throws(
    () => parseJson(deep),
    (e: unknown) => e instanceof JsonSyntaxError && /nesting deeper than 1000 levels/.test(e.message) && !e.truncated,
  );
  assert.doesNotThrow(() => parseJson('['.repeat(900) + ']'.repeat(900)), 'what Python reads, Hubkeeper reads');
  assert.throws(
    () => parseJson('{"a": [1, 2'),
    (e: unknown) => e instanceof JsonSyntaxError && e.truncated,
    'a prefix is "truncated"',
  );
});

test('plain conversions keep big integers as text and reject what JSON cannot hold', () => {
  assert.deepEqual(toPlain(parseJson('{"big": 12345678901234567890, "x": 1.50, "l": [1, "a"]}')), {
    big: '12345678901234567890',
    x: 1.5,
    l: [1, 'a'],
  });
  assert.equal(
    pythonJson(fromPlain({ a: 1, b: [true, null], c: { d: 'µ' } })),
    '{\n  "a": 1,\n  "b": [\n    true,\n    null\n  ],\n  "c": {\n    "d": "\\u00b5"\n  }\n}',
  );
  assert.throws(() => fromPlain({ a: NaN }), /value\.a: NaN is not a finite number/);
  assert.throws(() => fromPlain({ f: () => 1 }), /function cannot be stored/);
});

test('JSON paths are readable for any key', () => {
  assert.equal(jsonPath(['entries', 'robot_1', 'lock', 'expires_at']), 'entries.robot_1.lock.expires_at');
  assert.equal(jsonPath(['entries', 'a b.c', 'metadata', 0]), 'entries["a b.c"].metadata[0]');
});

test('a text cut anywhere is reported as truncated, so a reader retries instead of calling it corrupt', () => {
  const text = '{"a": null, "b": true, "c": false, "d": -12.5e3, "e": NaN, "f": -Infinity, "g": "s", "h": [1, {"i": []}]}';
  for (let cut = 0; cut < text.length; cut++) {
    assert.throws(
      () => parseJson(text.slice(0, cut)),
      (e: unknown) => e instanceof JsonSyntaxError && e.truncated,
      `cut at ${cut}: ${text.slice(0, cut)}`,
    );
  }
});
