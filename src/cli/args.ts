import { parseArgs as nodeParseArgs } from 'node:util';
import { HubkeeperError } from '../core/errors/hubkeeper-error';
import { didYouMean } from './suggest';

/**
 * The CLI's argument parsing: Node's own `util.parseArgs` (`--flag`, `--opt value`, `--opt=value`,
 * short options, `--` to end options), with Hubkeeper's rules on top: unknown options are usage
 * errors (exit 2) with a "did you mean", never silently ignored, and the messages say which option.
 */

export class UsageError extends HubkeeperError {
  constructor(message: string) {
    super(message, 'usage');
    this.name = 'UsageError';
  }
}

export interface OptionSpec {
  type: 'boolean' | 'string';
  short?: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

export interface ParsedArgs {
  options: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parseArgs(argv: readonly string[], specs: OptionSpecs): ParsedArgs {
  const options: ParsedArgs['options'] = {};
  const positionals: string[] = [];
  // Not strict: util.parseArgs would refuse with its own wording; the tokens let us say it our way.
  const { tokens } = nodeParseArgs({ args: [...argv], options: specs, strict: false, allowPositionals: true, tokens: true });
  const names = Object.keys(specs);
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const spec = Object.prototype.hasOwnProperty.call(specs, token.name) ? specs[token.name] : undefined;
    if (!spec) throw new UsageError(`unknown option ${token.rawName}${didYouMean(token.name, names, (n) => `--${n}`)}`);
    if (spec.type === 'boolean') {
      if (token.inlineValue) throw new UsageError(`--${token.name} takes no value`);
      options[token.name] = true;
    } else {
      if (token.value === undefined) throw new UsageError(`--${token.name} needs a value`);
      options[token.name] = token.value;
    }
  }
  return { options, positionals };
}

export function expectPositionals(args: ParsedArgs, names: string[], optional: string[] = []): string[] {
  const { positionals } = args;
  if (positionals.length < names.length)
    throw new UsageError(
      `missing ${names
        .slice(positionals.length)
        .map((n) => n.toUpperCase())
        .join(' ')}`,
    );
  if (positionals.length > names.length + optional.length)
    throw new UsageError(`unexpected argument '${positionals[names.length + optional.length]}'`);
  return positionals;
}

/** "7d", "12h", "30m", "45s" or a bare number of days → days. */
export function parseDays(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([dhms]?)$/.exec(text.trim());
  if (!m) throw new UsageError(`cannot read '${text}' as a duration (examples: 7d, 12h, 30m)`);
  const n = Number(m[1]);
  const perDay = { d: 1, h: 24, m: 1440, s: 86400, '': 1 }[m[2] as 'd' | 'h' | 'm' | 's' | ''];
  return n / perDay;
}

export function parseSeconds(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${what} must be a number of seconds ≥ 0, not '${text}'`);
  return n;
}
