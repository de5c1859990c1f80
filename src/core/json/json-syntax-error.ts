/** What the JSON parser reports, and how it can be asked to parse. */

export class JsonSyntaxError extends Error {
  constructor(
    readonly problem: string,
    readonly line: number,
    readonly column: number,
    /** The text ends before the document does: what a reader sees midway through a write. */
    readonly truncated = false,
    /** The text may be valid JSON, but it exceeds a limit of this reader (the nesting depth). */
    readonly limitExceeded = false,
  ) {
    super(`line ${line}, column ${column}: ${problem}`);
    this.name = 'JsonSyntaxError';
  }
}

export interface ParseJsonOptions {
  /** Deepest allowed nesting of arrays/objects (default 1000, about where Python's json gives up). */
  maxDepth?: number;
  /**
   * Called for every key that repeats a key of the same object (the last value is kept, as Python
   * does), with the path of the repeated member and where the repeat is. Without it, repeats are
   * not reported.
   */
  onDuplicateKey?: (path: readonly (string | number)[], line: number, column: number) => void;
}
