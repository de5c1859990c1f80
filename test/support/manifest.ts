import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers';

/**
 * package.json as the editor reads it: every `%key%` string replaced by its English text from
 * package.nls.json, so that tests check the real titles and descriptions.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function readManifest(): any {
  const nlsFile = path.join(ROOT, 'package.nls.json');
  const nls: Record<string, string> = fs.existsSync(nlsFile) ? JSON.parse(fs.readFileSync(nlsFile, 'utf8')) : {};
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'), (_key, value) => {
    const m = typeof value === 'string' ? /^%([^%]+)%$/.exec(value) : null;
    if (!m) return value;
    if (!(m[1] in nls)) throw new Error(`package.json names ${value}, which package.nls.json does not define`);
    return nls[m[1]];
  });
}
