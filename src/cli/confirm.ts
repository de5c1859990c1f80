import * as readline from 'node:readline/promises';
import { ParsedArgs, UsageError } from './args';
import { CliContext } from './context';

/**
 * Before a command deletes or stops something: `--yes` goes ahead; on a terminal the lines are
 * shown and the person is asked; anywhere else (a script, an agent, a pipe) it is a usage error,
 * so nothing is ever destroyed because nobody was there to say no. A "no" is not an error: the
 * caller prints "Nothing done." and exits 0.
 */
export async function confirmed(ctx: CliContext, args: ParsedArgs, what: string, lines: string[], question: string): Promise<boolean> {
  if (args.options.yes === true) return true;
  if (!process.stdin.isTTY || !process.stdout.isTTY)
    throw new UsageError(`refusing to ${what} without confirmation: run it in a terminal, or pass --yes`);
  for (const line of lines) ctx.out.out(`  ${line}`);
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

export const NOTHING_DONE = 'Nothing done.';
