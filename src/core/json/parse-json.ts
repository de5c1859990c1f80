import { JsonNumber, JsonObject, JsonValue } from './json-value';
import { JsonSyntaxError, ParseJsonOptions } from './json-syntax-error';

/**
 * A strict JSON parser into the lossless model (see json-value.ts).
 *
 * It accepts what Python's `json.load` accepts (including `NaN`, `Infinity`, `-Infinity`, which
 * Python writes for non-finite floats) so that every file MADSci can read, Hubkeeper can read too.
 * Duplicate keys keep the last value, as Python does. Nesting is bounded so a hostile file cannot
 * overflow the stack: every failure is a JsonSyntaxError with a line and column.
 */

export { JsonSyntaxError } from './json-syntax-error';
export type { ParseJsonOptions } from './json-syntax-error';

const NUMBER_RE = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

export function parseJson(text: string, options: ParseJsonOptions = {}): JsonValue {
  return new Parser(text, options.maxDepth ?? 1000, options.onDuplicateKey).parseDocument();
}

class Parser {
  private pos = 0;
  /** The path to the value being parsed; kept only when duplicates are reported. */
  private readonly path: (string | number)[] | undefined;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
    private readonly onDuplicateKey?: (path: readonly (string | number)[], line: number, column: number) => void,
  ) {
    this.path = onDuplicateKey ? [] : undefined;
  }

  parseDocument(): JsonValue {
    this.skipWhitespace();
    if (this.pos >= this.text.length) this.fail('the file is empty');
    const value = this.parseValue(0);
    this.skipWhitespace();
    if (this.pos < this.text.length) this.fail('unexpected text after the end of the JSON document');
    return value;
  }

  private parseValue(depth: number): JsonValue {
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 0x7b /* { */:
        return this.parseObject(depth + 1);
      case 0x5b /* [ */:
        return this.parseArray(depth + 1);
      case 0x22 /* " */:
        return this.parseString();
      case 0x74 /* t */:
        return this.parseLiteral('true', true);
      case 0x66 /* f */:
        return this.parseLiteral('false', false);
      case 0x6e /* n */:
        return this.parseLiteral('null', null);
      case 0x4e /* N */:
        return this.parseLiteral('NaN', new JsonNumber('NaN'));
      case 0x49 /* I */:
        return this.parseLiteral('Infinity', new JsonNumber('Infinity'));
      default:
        if (c === 0x2d /* - */ && this.text.startsWith('-Infinity', this.pos)) {
          return this.parseLiteral('-Infinity', new JsonNumber('-Infinity'));
        }
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.parseNumber();
        if (Number.isNaN(c)) this.fail('unexpected end of file (the file is truncated)');
        return this.fail(`unexpected character ${describeChar(this.text[this.pos])}`);
    }
  }

  private parseObject(depth: number): JsonObject {
    this.checkDepth(depth);
    this.pos++; // {
    const out: JsonObject = new Map();
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x7d /* } */) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== 0x22) this.expected('a string key');
      const keyPos = this.pos;
      const key = this.parseString();
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== 0x3a /* : */) this.expected("':'");
      this.pos++;
      this.skipWhitespace();
      // A repeated key keeps its first position and its last value, as Python's dict does.
      if (this.path) {
        this.path.push(key);
        if (out.has(key) && this.onDuplicateKey) {
          const { line, column } = this.lineColumn(keyPos);
          this.onDuplicateKey(this.path.slice(), line, column);
        }
        out.set(key, this.parseValue(depth));
        this.path.pop();
      } else {
        out.set(key, this.parseValue(depth));
      }
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x2c /* , */) {
        this.pos++;
        continue;
      }
      if (c === 0x7d) {
        this.pos++;
        return out;
      }
      this.expected("',' or '}'");
    }
  }

  private parseArray(depth: number): JsonValue[] {
    this.checkDepth(depth);
    this.pos++; // [
    const out: JsonValue[] = [];
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x5d /* ] */) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.path) {
        this.path.push(out.length);
        out.push(this.parseValue(depth));
        this.path.pop();
      } else {
        out.push(this.parseValue(depth));
      }
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x2c) {
        this.pos++;
        continue;
      }
      if (c === 0x5d) {
        this.pos++;
        return out;
      }
      this.expected("',' or ']'");
    }
  }

  private parseString(): string {
    const text = this.text;
    let pos = this.pos + 1;
    let chunkStart = pos;
    let out = '';
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        out += text.slice(chunkStart, pos);
        this.pos = pos + 1;
        return out;
      }
      if (c === 0x5c /* \ */) {
        out += text.slice(chunkStart, pos);
        out += this.parseEscape(pos);
        pos += text.charCodeAt(pos + 1) === 0x75 /* u */ ? 6 : 2;
        chunkStart = pos;
        continue;
      }
      if (Number.isNaN(c)) {
        this.pos = pos;
        this.fail('unexpected end of file inside a string (the file is truncated)');
      }
      if (c < 0x20) {
        this.pos = pos;
        this.fail(`control character ${describeChar(text[pos])} inside a string`);
      }
      pos++;
    }
  }

  private parseEscape(pos: number): string {
    const e = this.text[pos + 1];
    switch (e) {
      case '"':
      case '\\':
      case '/':
        return e;
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'u': {
        const hex = this.text.slice(pos + 2, pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          this.pos = pos;
          this.fail('invalid \\u escape');
        }
        return String.fromCharCode(parseInt(hex, 16));
      }
      default:
        this.pos = pos;
        return this.fail(e === undefined ? 'unexpected end of file inside a string' : `invalid escape \\${e}`);
    }
  }

  private parseNumber(): JsonNumber {
    NUMBER_RE.lastIndex = this.pos;
    const m = NUMBER_RE.exec(this.text);
    if (!m) {
      // `-` or `-Inf` at the very end: a number cut off by a writer midway.
      if ('-Infinity'.startsWith(this.text.slice(this.pos))) {
        this.pos = this.text.length;
        this.fail('unexpected end of file inside a number (the file is truncated)');
      }
      return this.fail('invalid number');
    }
    // `-12.` or `1e-` at the very end: a number cut off midway.
    if (/^(\.|[eE][+-]?)$/.test(this.text.slice(this.pos + m[0].length))) {
      this.pos = this.text.length;
      this.fail('unexpected end of file inside a number (the file is truncated)');
    }
    this.pos += m[0].length;
    return new JsonNumber(m[0]);
  }

  private parseLiteral<T extends JsonValue>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) {
      // `"lock": nu` is a prefix of valid JSON (a writer midway): report it at the end, as truncated.
      const rest = this.text.slice(this.pos);
      if (rest.length < word.length && word.startsWith(rest)) {
        this.pos = this.text.length;
        this.fail(`unexpected end of file inside ${word} (the file is truncated)`);
      }
      this.fail(`unexpected character ${describeChar(this.text[this.pos])}`);
    }
    this.pos += word.length;
    return value;
  }

  private skipWhitespace(): void {
    const text = this.text;
    let pos = this.pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else break;
    }
    this.pos = pos;
  }

  private checkDepth(depth: number): void {
    if (depth > this.maxDepth)
      this.fail(`nesting deeper than ${this.maxDepth} levels (the limit of this reader, about where Python's json gives up too)`, true);
  }

  private expected(what: string): never {
    if (this.pos >= this.text.length) this.fail(`unexpected end of file, expected ${what} (the file is truncated)`);
    return this.fail(`expected ${what}, found ${describeChar(this.text[this.pos])}`);
  }

  private fail(problem: string, limitExceeded = false): never {
    const { line, column } = this.lineColumn(this.pos);
    throw new JsonSyntaxError(problem, line, column, !limitExceeded && this.pos >= this.text.length, limitExceeded);
  }

  /** Line counting resumes where the last call stopped, so reporting many duplicates stays linear. */
  private counted = { pos: 0, line: 1, lineStart: 0 };

  private lineColumn(pos: number): { line: number; column: number } {
    const end = Math.min(pos, this.text.length);
    let { line, lineStart, pos: from } = this.counted.pos <= end ? this.counted : { pos: 0, line: 1, lineStart: 0 };
    for (let i = this.text.indexOf('\n', from); i !== -1 && i < end; i = this.text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    from = end;
    this.counted = { pos: from, line, lineStart };
    return { line, column: end - lineStart + 1 };
  }
}

function describeChar(ch: string | undefined): string {
  if (ch === undefined) return 'end of file';
  const code = ch.charCodeAt(0);
  if (code < 0x20 || code === 0x7f) return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `'${ch}'`;
}
