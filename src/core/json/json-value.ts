/**
 * A JSON value model that loses nothing on a round trip.
 *
 * - Numbers keep their source text (`200.0`, `1e-07`, `-0.0`, `12345678901234567890`), because the
 *   registry's `metadata` must survive a rewrite byte for byte and `JSON.parse` would change them.
 * - Objects are `Map`s, because plain JS objects move integer-like keys (`"2"`, `"10"`) to the
 *   front and the registry's key order is part of its format.
 */

export class JsonNumber {
  constructor(readonly raw: string) {}

  /** The IEEE double the text denotes (may be imprecise for huge integers). */
  toNumber(): number {
    if (this.raw === 'NaN') return NaN;
    if (this.raw === 'Infinity') return Infinity;
    if (this.raw === '-Infinity') return -Infinity;
    return Number(this.raw);
  }

  /** True for an integer literal (no fraction, no exponent), which is what int fields need. */
  isIntegerLiteral(): boolean {
    return /^-?(0|[1-9][0-9]*)$/.test(this.raw);
  }
}

export type JsonObject = Map<string, JsonValue>;
export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return value instanceof Map;
}

export function jsonTypeName(value: JsonValue | undefined): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'a boolean';
  if (typeof value === 'string') return 'a string';
  if (value instanceof JsonNumber) return 'a number';
  if (Array.isArray(value)) return 'an array';
  return 'an object';
}

/**
 * Converts to plain JS for display and `--json` output. An integer too large for a double stays
 * as its source text, so no id-like number is silently rounded.
 */
export function toPlain(value: JsonValue): unknown {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (value instanceof JsonNumber) {
    const n = value.toNumber();
    if (!Number.isFinite(n) || (value.isIntegerLiteral() && !Number.isSafeInteger(n))) return value.raw;
    return n;
  }
  if (Array.isArray(value)) return value.map(toPlain);
  const out: Record<string, unknown> = {};
  for (const [k, v] of value) {
    // A key named `__proto__` is data like any other: assigning it would set the prototype instead.
    if (k === '__proto__') Object.defineProperty(out, k, { value: toPlain(v), enumerable: true, writable: true, configurable: true });
    else out[k] = toPlain(v);
  }
  return out;
}

/** Converts plain JS (e.g. from an API caller) into the lossless model. */
export function fromPlain(value: unknown, where = 'value'): JsonValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${where}: ${value} is not a finite number`);
    return new JsonNumber(Object.is(value, -0) ? '-0.0' : String(value));
  }
  if (value instanceof JsonNumber) return value;
  if (Array.isArray(value)) return value.map((v, i) => fromPlain(v, `${where}[${i}]`));
  if (value instanceof Map) {
    const out: JsonObject = new Map();
    for (const [k, v] of value) out.set(String(k), fromPlain(v, `${where}.${String(k)}`));
    return out;
  }
  if (typeof value === 'object') {
    const out: JsonObject = new Map();
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== undefined) out.set(k, fromPlain(v, `${where}.${k}`));
    }
    return out;
  }
  throw new TypeError(`${where}: ${typeof value} cannot be stored as JSON`);
}

/** Renders a path like `entries.robot_1.lock` or `entries["a b"].metadata`. */
export function jsonPath(parts: readonly (string | number)[]): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}
