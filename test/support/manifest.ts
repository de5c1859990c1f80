import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers';

/**
 * package.json as the editor shows it: every `%key%` replaced by its English text from
 * package.nls.json, so the tests that compare titles, descriptions and welcome links with the
 * code keep checking the real words. And where the manifest's user-facing words are.
 */

export type Nls = Record<string, string>;

export const readNls = (): Nls => JSON.parse(fs.readFileSync(path.join(ROOT, 'package.nls.json'), 'utf8'));
export const readRawManifest = (): Record<string, unknown> => JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

const NLS_KEY = /^%([^%]+)%$/;

/** The `%key%` a manifest string names, if it is one. */
export function nlsKey(value: string): string | undefined {
  return NLS_KEY.exec(value)?.[1];
}

/** package.json with every `%key%` resolved; a key missing from package.nls.json throws, naming it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function localizedManifest(nls: Nls = readNls()): any {
  const resolve = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const key = nlsKey(v);
      if (key === undefined) return v;
      if (!Object.hasOwn(nls, key)) throw new Error(`package.json: ${v} is not in package.nls.json`);
      return nls[key];
    }
    if (Array.isArray(v)) return v.map(resolve);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
    return v;
  };
  return resolve(readRawManifest());
}

/** The fields of a manifest whose strings a user reads (VS Code localizes exactly these through package.nls.json). */
const WORDS = new Set([
  'displayName',
  'description',
  'markdownDescription',
  'enumDescriptions',
  'markdownEnumDescriptions',
  'deprecationMessage',
  'markdownDeprecationMessage',
  'title',
  'shortTitle',
  'category',
  'contextualTitle',
  'contents',
  'label',
  'altText',
]);

/**
 * Every user-facing string of the manifest, with where it is: the top-level name and description,
 * and under `capabilities` and `contributes` every field above, plus a view's `name` (keybindings
 * and menus hold none; `keywords` and `categories` are the Marketplace's fixed vocabulary).
 */
export function userFacingStrings(pkg: Record<string, unknown>): { at: string; value: string }[] {
  const out: { at: string; value: string }[] = [];
  const walk = (v: unknown, at: string, field: string, inViews: boolean) => {
    if (typeof v === 'string') {
      if (WORDS.has(field) || (inViews && field === 'name')) out.push({ at, value: v });
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`, field, inViews));
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`, k, inViews || (at === 'contributes' && k === 'views'));
  };
  for (const top of ['displayName', 'description']) walk(pkg[top], top, top, false);
  walk(pkg.capabilities, 'capabilities', 'capabilities', false);
  walk(pkg.contributes, 'contributes', 'contributes', false);
  return out;
}
