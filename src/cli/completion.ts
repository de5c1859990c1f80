import { readHubRegistry } from '../core/hubs/hub-registry';
import { COMPONENT_TYPES } from '../core/registry/types';
import { expectPositionals, ParsedArgs, UsageError } from './args';
import { Command, GLOBAL_OPTIONS } from './command';
import { CliContext, hubRoots, openRegistry } from './context';

/**
 * `hubkeeper completion bash|zsh|fish` prints a completion script; the script asks the hidden
 * `hubkeeper __complete -- WORDS…` for candidates, so completions know the live registry's
 * component names and the hubs' ids and pids, not just the command table.
 */

const SCRIPTS: Record<string, string> = {
  bash: `# hubkeeper completion for bash: source it, or put it in ~/.local/share/bash-completion/completions/hubkeeper
_hubkeeper() {
  local IFS=$'\\n'
  COMPREPLY=($(hubkeeper __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -o default -F _hubkeeper hubkeeper
`,
  zsh: `#compdef hubkeeper
# hubkeeper completion for zsh: put it on your $fpath as _hubkeeper, or source it after compinit
_hubkeeper() {
  local -a candidates
  candidates=("\${(@f)$(hubkeeper __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  compadd -a candidates
}
compdef _hubkeeper hubkeeper
`,
  fish: `# hubkeeper completion for fish: save as ~/.config/fish/completions/hubkeeper.fish
complete -c hubkeeper -f -a '(hubkeeper __complete -- (commandline -opc)[2..-1] (commandline -ct))'
`,
};

/** Positional arguments that are component names, and those that are hubs. */
const NAME_ARGS = new Set([
  'components show',
  'components lookup',
  'components rename',
  'components release',
  'locks release',
  'lab adopt',
  'fleet release',
]);
const HUB_ARGS = new Set(['hubs reap']);

export function completionCommands(all: () => readonly Command[]): Command[] {
  return [
    {
      words: ['completion'],
      args: 'bash|zsh|fish',
      summary: 'Print a shell completion script (commands, options, component names, hub ids)',
      options: {},
      examples: [
        'hubkeeper completion bash > ~/.local/share/bash-completion/completions/hubkeeper',
        'hubkeeper completion fish > ~/.config/fish/completions/hubkeeper.fish',
        'source <(hubkeeper completion zsh)',
      ],
      run: async (ctx, args) => {
        const [shell] = expectPositionals(args, ['shell']);
        const script = SCRIPTS[shell];
        if (!script) throw new UsageError(`no completion for '${shell}': bash, zsh or fish`);
        ctx.out.out(script.trimEnd());
        return 0;
      },
    },
    {
      words: ['__complete'],
      args: '-- WORDS…',
      summary: 'Candidates for the last of WORDS (used by the completion scripts)',
      options: {},
      examples: ['hubkeeper __complete -- components show li'],
      run: async (ctx, args) => {
        for (const candidate of await candidates(ctx, args, all())) ctx.out.out(candidate);
        return 0;
      },
    },
  ];
}

async function candidates(ctx: CliContext, args: ParsedArgs, commands: readonly Command[]): Promise<string[]> {
  const words = args.positionals;
  const partial = words.length > 0 ? words[words.length - 1] : '';
  const before = words.slice(0, -1);
  const visible = commands.filter((c) => !c.words[0].startsWith('__'));
  const named = before.filter((w) => !w.startsWith('-')); // global options may come first
  const command = visible.find((c) => c.words.length <= named.length && c.words.every((w, i) => w === named[i]));
  const matching = (list: Iterable<string>) => [...new Set(list)].filter((c) => c.startsWith(partial)).sort();
  if (!command) {
    // Still naming the command: the next word of every command that fits what is typed so far.
    const next = visible
      .filter((c) => c.words.length > named.length && named.every((w, i) => c.words[i] === w))
      .map((c) => c.words[named.length]);
    return matching(next);
  }
  if (partial.startsWith('-')) return matching(Object.keys({ ...GLOBAL_OPTIONS, ...command.options }).map((o) => `--${o}`));
  if (before[before.length - 1] === '--type') return matching(COMPONENT_TYPES);
  const key = command.words.join(' ');
  if (key === 'completion') return matching(Object.keys(SCRIPTS));
  try {
    if (NAME_ARGS.has(key)) {
      const doc = await openRegistry(ctx).snapshot();
      return matching(doc ? [...doc.entries.keys()] : []);
    }
    if (HUB_ARGS.has(key)) {
      const { records } = await readHubRegistry(hubRoots(ctx), () => false);
      return matching(records.flatMap((r) => [r.id, ...(r.entry.hubPid > 0 ? [String(r.entry.hubPid)] : [])]));
    }
  } catch {
    return []; // an unreadable registry completes nothing rather than printing an error into the shell
  }
  return [];
}
