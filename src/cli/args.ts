import { HubkeeperError } from '../core/errors/hubkeeper-error';

/**
 * A small, strict argv parser: `--flag`, `--opt value`, `--opt=value`, `-h`, and `--` to end
 * options. Unknown options are usage errors (exit 2), never silently ignored.
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
  const byShort = new Map(Object.entries(specs).flatMap(([name, s]) => (s.short ? [[s.short, name] as const] : [])));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
    } else if (/^-[A-Za-z]$/.test(arg)) {
      name = byShort.get(arg.slice(1));
      if (!name) throw new UsageError(`unknown option ${arg}`);
    } else {
      positionals.push(arg);
      continue;
    }
    const spec = specs[name];
    if (!spec) throw new UsageError(`unknown option --${name}`);
    if (spec.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      options[name] = true;
    } else {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      options[name] = value;
    }
  }
  return { options, positionals };
}

export function expectPositionals(args: ParsedArgs, names: string[], optional: string[] = []): string[] {
  const { positionals } = args;
  if (positionals.length < names.length) throw new UsageError(`missing ${names.slice(positionals.length).map((n) => n.toUpperCase()).join(' ')}`);
  if (positionals.length > names.length + optional.length) throw new UsageError(`unexpected argument '${positionals[names.length + optional.length]}'`);
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
