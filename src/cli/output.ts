/**
 * Human output: aligned tables, relative times, colour only on a terminal (and never with
 * NO_COLOR). Machine output (`--json`) never goes through here.
 */

export interface Output {
  out(line?: string): void;
  err(line: string): void;
  color: Colors;
}

export interface Colors {
  dim(s: string): string;
  bold(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
}

const plain: Colors = { dim: (s) => s, bold: (s) => s, red: (s) => s, yellow: (s) => s, green: (s) => s };
const sgr = (code: number) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;
const ansi: Colors = { dim: sgr(2), bold: sgr(1), red: sgr(31), yellow: sgr(33), green: sgr(32) };

export function useColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export function processOutput(noColor: boolean): Output {
  const color = !noColor && useColor(process.stdout, process.env) ? ansi : plain;
  return {
    out: (line = '') => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    color,
  };
}

// eslint-disable-next-line no-control-regex
const SGR_RE = /\x1b\[[0-9;]*m/g;
const visibleLength = (s: string) => s.replace(SGR_RE, '').length;

/** Columns padded to the widest cell; the last column is not padded. */
export function table(header: string[], rows: string[][], color: Colors): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i] - visibleLength(c))))
      .join('  ')
      .trimEnd();
  return [color.bold(line(header)), ...rows.map(line)];
}

/** Replaces control characters so a hostile name cannot drive the terminal. */
export function safe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
