import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { localizedManifest, nlsKey, readNls, readRawManifest, userFacingStrings } from '../support/manifest';

/**
 * package.json is ready to translate: every word a user reads in it is a `%key%` whose English is
 * in package.nls.json (a translator adds package.nls.<lang>.json with the same keys), and
 * package.nls.json holds nothing package.json does not use. Key names: scripts/l10n-bundle.mjs.
 */

const raw = readRawManifest();
const nls = readNls();

test('package.json has no raw user-facing string left: each is a %key% of package.nls.json', () => {
  const words = userFacingStrings(raw);
  assert.ok(words.length > 50, `found the manifest's words (${words.length})`);
  const raws = words.filter((w) => nlsKey(w.value) === undefined).map((w) => `${w.at}: ${JSON.stringify(w.value)}`);
  assert.deepEqual(raws, [], 'strings a user reads, not localized');
  const missing = words.filter((w) => !Object.hasOwn(nls, nlsKey(w.value) ?? '')).map((w) => `${w.at}: ${w.value}`);
  assert.deepEqual(missing, [], 'keys missing from package.nls.json');
  assert.doesNotThrow(() => localizedManifest(nls));
});

test('package.nls.json: only keys package.json uses, stable dotted names, English text for each', () => {
  const used = new Set(userFacingStrings(raw).map((w) => nlsKey(w.value)));
  assert.deepEqual(
    Object.keys(nls).filter((k) => !used.has(k)),
    [],
    'unused keys',
  );
  for (const [key, text] of Object.entries(nls)) {
    assert.match(key, /^hubkeeper(\.[a-zA-Z][\w]*)+$/, `${key}: hubkeeper.<area>.<id>.<field>`);
    assert.ok(typeof text === 'string' && text.trim() !== '' && nlsKey(text) === undefined, `${key} has English text`);
  }
  // The keys follow the manifest's structure, so a branch adding a command or setting names its own.
  assert.equal(nls['hubkeeper.command.components.release.title'], 'Release Component Lock');
  assert.equal(nls['hubkeeper.config.claims.markdownDescription'].startsWith('Component names this workspace claims'), true);
  assert.equal(nls['hubkeeper.view.staleLocks.name'], 'Stale Locks');
});

test('the runtime strings have a home the editor finds: package.json names the l10n folder', () => {
  assert.equal(raw.l10n, './l10n');
});
