import { RegistryError } from './errors';
import { MAX_NAME_LENGTH } from './types';

/**
 * Why `name` cannot be a component name, or undefined when it can. Names are JSON keys, never
 * paths, so slashes and dots are fine; control characters and unbounded lengths are not, because
 * they break every table and log line that shows them.
 */
export function nameProblem(name: string, maxLength = MAX_NAME_LENGTH): string | undefined {
  if (name.length === 0) return 'a component name cannot be empty';
  if (name.trim().length === 0) return 'a component name cannot be only whitespace';
  if (name.length > maxLength) return `a component name is at most ${maxLength} characters (this one has ${name.length})`;
  // C0/C1 controls, line separators, and the bidirectional embeddings, overrides and isolates,
  // which make a name display as another one (U+202E shows "abc" as "cba").
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.exec(name);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return `a component name cannot contain control characters (U+${code} at position ${control.index + 1})`;
  }
  return undefined;
}

/** Crockford base32, 26 characters, first character at most 7 (48-bit timestamp). */
export function isUlid(value: string): boolean {
  return /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/.test(value);
}

/** Throws the one-line refusal for a name that cannot be a component name. */
export function assertName(name: string): void {
  const problem = nameProblem(name);
  if (problem) throw new RegistryError(`Invalid name ${JSON.stringify(name.slice(0, 60))}: ${problem}`, 'invalid-argument');
}
