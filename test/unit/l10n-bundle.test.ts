import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { english } from '../../src/extension/translate';
import { ROOT, tempDir } from '../support/helpers';

/**
 * The English bundle of the runtime strings (l10n/bundle.l10n.json) is what the sources say, so
 * a translator who copies it gets every string; the script that writes it
 * (scripts/l10n-bundle.mjs) finds every kind of call, sorts, and refuses a message it cannot read.
 */

const SCRIPT = path.join(ROOT, 'scripts', 'l10n-bundle.mjs');
const run = (...args: string[]) => spawnSync(process.execPath, [SCRIPT, ...args], { cwd: ROOT, encoding: 'utf8' });

test('the committed bundle is up to date with src/extension', () => {
  const check = run('--check');
  assert.equal(check.status, 0, check.stderr);
  const bundle: Record<string, string> = JSON.parse(fs.readFileSync(path.join(ROOT, 'l10n', 'bundle.l10n.json'), 'utf8'));
  const keys = Object.keys(bundle);
  assert.ok(keys.length > 100, `${keys.length} messages`);
  assert.deepEqual(keys, [...keys].sort(), 'sorted');
  for (const [key, text] of Object.entries(bundle)) {
    assert.equal(text, key, 'English: the text is the key');
    // Placeholders {0}..{n-1}, none skipped: a translator sees every value a message takes.
    const used = [...new Set([...key.matchAll(/\{(\d+)\}/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
    assert.deepEqual(used, [...used.keys()], `${key}: placeholders`);
  }
  for (const m of ['Release Component Lock', 'Hubkeeper: no stale locks.', "Hubkeeper lost the lease on '{0}': {1}", '1 orphan hub'])
    assert.ok(Object.hasOwn(bundle, m), m);
});

test('the script: vscode.l10n.t, l10n.t and a helper t, sorted, one entry per message; a stale bundle fails --check', () => {
  const dir = tempDir();
  const src = path.join(dir, 'src');
  fs.mkdirSync(path.join(src, 'views'), { recursive: true });
  fs.writeFileSync(
    path.join(src, 'a.ts'),
    "import * as vscode from 'vscode';\nexport const a = () => vscode.l10n.t('Beta {0}', 1) + vscode.l10n.t(`Alpha`);\n",
  );
  fs.writeFileSync(
    path.join(src, 'views', 'b.ts'),
    "import { l10n } from 'vscode';\nexport const b = (t: (m: string) => string) => t('Gamma') + l10n.t('Beta {0}', 2) + other.t('not ours') + tx('nor this');\n",
  );
  const out = path.join(dir, 'l10n', 'bundle.l10n.json');
  const write = run('--src', src, '--out', out);
  assert.equal(write.status, 0, write.stderr);
  assert.equal(fs.readFileSync(out, 'utf8'), '{\n  "Alpha": "Alpha",\n  "Beta {0}": "Beta {0}",\n  "Gamma": "Gamma"\n}\n');
  assert.equal(run('--src', src, '--out', out, '--check').status, 0);
  fs.appendFileSync(path.join(src, 'a.ts'), "export const c = () => vscode.l10n.t('Delta');\n");
  const stale = run('--src', src, '--out', out, '--check');
  assert.equal(stale.status, 1);
  assert.match(stale.stderr, /is not up to date .*1 missing, 0 no longer used; e\.g\. missing "Delta"/);
  assert.equal(fs.readFileSync(out, 'utf8').includes('Delta'), false, '--check writes nothing');
});

test('the script refuses a message that is not a literal, naming the file and line (its words would never reach a translator)', () => {
  const src = path.join(tempDir(), 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'c.ts'), "import * as vscode from 'vscode';\nconst m = 'x';\nexport const c = () => vscode.l10n.t(m);\n");
  const r = run('--src', src, '--out', path.join(src, 'out.json'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /c\.ts:3: the message of vscode\.l10n\.t\(\) is not a literal/);
  assert.equal(fs.existsSync(path.join(src, 'out.json')), false);
});

test('english(): {n} filled as vscode.l10n.t fills it without a bundle, once, other braces kept', () => {
  assert.equal(english('Stop the hub {0} (pid {1})?', 'a', 42), 'Stop the hub a (pid 42)?');
  assert.equal(english('{0} and {0}', '{1}', 'x'), '{1} and {1}', 'a value is not filled again');
  assert.equal(english('needs {"name", "type"} and {2}', 'a'), 'needs {"name", "type"} and {2}');
  assert.equal(english('no values {0}'), 'no values {0}');
});
