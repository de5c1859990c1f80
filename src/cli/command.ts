import { OptionSpecs, ParsedArgs } from './args';
import { CliContext } from './context';

/** One CLI command: its words, usage, options, help text with examples, and what it runs. */
export interface Command {
  words: string[];
  args: string;
  summary: string;
  options: OptionSpecs;
  optionHelp?: string[];
  /** Shown under "Examples:" in its --help: every command has some. */
  examples: string[];
  run(ctx: CliContext, args: ParsedArgs): Promise<number>;
}

export const GLOBAL_OPTIONS: OptionSpecs = {
  registry: { type: 'string' },
  'trust-group-writable': { type: 'boolean' },
  json: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
};
