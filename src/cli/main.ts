import * as os from 'node:os';
import { HubkeeperError } from '../core/errors/hubkeeper-error';
import { EXIT_UNEXPECTED, exitCodeOf } from './exit-codes';
import { ParsedArgs, parseArgs, UsageError } from './args';
import { Command, GLOBAL_OPTIONS } from './command';
import { LAB_COMMANDS } from './commands-lab';
import { LOCAL_COMMANDS } from './commands-local';
import { completionCommands } from './completion';
import { commandHelp, help } from './help';
import { didYouMean } from './suggest';
import { CliContext } from './context';
import { processOutput } from './output';

/**
 * `hubkeeper`: a thin CLI over src/core. Exit codes: 0 ok, 1 error, 2 usage, 3 lock held by
 * another holder. Errors are one line on stderr.
 */

declare const HUBKEEPER_VERSION: string | undefined;
const VERSION = typeof HUBKEEPER_VERSION === 'string' ? HUBKEEPER_VERSION : 'dev';

const COMMANDS: Command[] = [...LOCAL_COMMANDS, ...LAB_COMMANDS, ...completionCommands(() => COMMANDS)];

export async function main(argv: string[]): Promise<number> {
  const words = commandWords(argv);
  const command = COMMANDS.find((c) => c.words.length <= words.length && c.words.every((w, i) => w === words[i]));
  const rest = command ? removeWords(argv, command.words) : argv;
  let parsed: ParsedArgs;
  const noColor = argv.includes('--no-color');
  const output = processOutput(noColor);
  try {
    parsed = parseArgs(rest, { ...GLOBAL_OPTIONS, ...(command?.options ?? {}) });
    if (parsed.options.version) {
      output.out(VERSION);
      return 0;
    }
    if (!command) {
      // `hubkeeper`, `hubkeeper --help`, `hubkeeper hubs`: the help for everything, or for that group.
      const group = COMMANDS.some((c) => c.words.length > words.length && words.every((w, i) => c.words[i] === w));
      if (parsed.options.help || words.length === 0 || group) {
        output.out(help(COMMANDS, words));
        return parsed.options.help ? 0 : 2;
      }
      const known = [...new Set(COMMANDS.map((c) => c.words.slice(0, words.length).join(' ')))];
      throw new UsageError(`unknown command '${words.join(' ')}'${didYouMean(words.join(' '), known)}`);
    }
    if (parsed.options.help) {
      output.out(commandHelp(command));
      return 0;
    }
    const ctx: CliContext = {
      out: output,
      json: parsed.options.json === true,
      registryOption: parsed.options.registry as string | undefined,
      trustGroupWritable: parsed.options['trust-group-writable'] === true,
      env: process.env,
      cwd: process.cwd(),
      home: os.homedir(),
    };
    return await command.run(ctx, parsed);
  } catch (err) {
    return reportError(err, output.err, command, argv.includes('--json'));
  }
}

/** One line on stderr (with --json: `{"error": {"code", "message", "file"}}`), and the exit status. */
function reportError(err: unknown, printErr: (line: string) => void, command: Command | undefined, json: boolean): number {
  if (json) {
    const known = err instanceof HubkeeperError;
    const message = known ? err.message : `unexpected error: ${(err as Error)?.message ?? String(err)}`;
    printErr(JSON.stringify({ error: { code: known ? err.kind : 'unexpected', message, file: (known && err.file) || null } }));
    return known ? exitCodeOf(err.kind) : EXIT_UNEXPECTED;
  }
  if (err instanceof HubkeeperError) {
    printErr(`hubkeeper: ${err.message}`);
    if (err.kind === 'usage')
      printErr(
        command ? `usage: hubkeeper ${command.words.join(' ')} ${command.args}`.trimEnd() : 'Run `hubkeeper --help` for the commands.',
      );
    return exitCodeOf(err.kind);
  }
  const e = err as Error;
  printErr(`hubkeeper: unexpected error: ${e?.message ?? String(err)}`);
  if (process.env.HUBKEEPER_DEBUG) printErr(String(e?.stack));
  return EXIT_UNEXPECTED;
}

/** The leading words of argv that are not options (skipping global options and their values). */
function commandWords(argv: string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length && words.length < 3; i++) {
    const a = argv[i];
    if (a === '--registry') i++;
    else if (a.startsWith('-')) continue;
    else words.push(a);
  }
  return words;
}

function removeWords(argv: string[], words: string[]): string[] {
  const out = [...argv];
  for (const w of words) out.splice(out.indexOf(w), 1);
  return out;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`hubkeeper: ${err?.message ?? err}\n`);
      process.exitCode = 1;
    },
  );
}
