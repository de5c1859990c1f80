import * as fs from 'node:fs';
import { JsonValue } from '../json/json-value';
import { JsonSyntaxError, parseJson } from '../json/parse-json';
import { RegistryError } from './errors';

/**
 * The file an import reads (`components import FILE`, the editor's Import into Registry…): its
 * JSON, or one line naming the file and the problem. `-` is standard input. `source` is how the
 * file is named in messages and passed on to ComponentRegistry.import.
 */
export function readImportFile(file: string): { data: JsonValue; source: string } {
  const source = file === '-' ? 'standard input' : file;
  let text: string;
  try {
    text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new RegistryError(`${source}: cannot read: ${(err as Error).message}`, 'io', file === '-' ? undefined : file);
  }
  try {
    return { data: parseJson(text), source };
  } catch (err) {
    if (err instanceof JsonSyntaxError)
      throw new RegistryError(`${source}: not valid JSON: ${err.message}`, 'invalid-argument', file === '-' ? undefined : file);
    throw err;
  }
}
