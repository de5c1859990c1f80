import { JsonNumber, JsonValue } from './json-value';

/**
 * Serializes exactly as Python's `json.dump(value, indent=2)` does (MADSci's writer): two-space
 * indent, `", "`-free separators (`,` at line ends, `": "` after keys), `{}`/`[]` for empty
 * containers, and `ensure_ascii`: every character outside printable ASCII becomes `\uXXXX` with
 * lowercase hex (astral characters as surrogate pairs). No trailing newline.
 */

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

// Python's ESCAPE_ASCII: a backslash, a quote, or anything outside ' '..'~'.
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\\"\u0000-\u001f\u007f-\uffff]/g;

export function pythonString(s: string): string {
  return '"' + s.replace(NEEDS_ESCAPE, (ch) => SIMPLE_ESCAPES[ch] ?? '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0')) + '"';
}

/** `level` is the nesting level of `value` itself (its closing bracket is indented by it). */
export function pythonJson(value: JsonValue, level = 0): string {
  if (value === null) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'string') return pythonString(value);
  if (value instanceof JsonNumber) return value.raw;
  const inner = '\n' + '  '.repeat(level + 1);
  const close = '\n' + '  '.repeat(level);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return '[' + inner + value.map((v) => pythonJson(v, level + 1)).join(',' + inner) + close + ']';
  }
  if (value.size === 0) return '{}';
  const parts: string[] = [];
  for (const [k, v] of value) parts.push(pythonString(k) + ': ' + pythonJson(v, level + 1));
  return '{' + inner + parts.join(',' + inner) + close + '}';
}
