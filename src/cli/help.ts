import { Command } from './command';

/** `hubkeeper --help` (or a group's), and one command's `--help` with its options and examples. */

export function help(commands: readonly Command[], words: string[]): string {
  // The commands under the longest prefix of `words` that names any (`lab token` → its two).
  let scope = commands.filter((c) => !c.words[0].startsWith('__'));
  for (let n = 1; n <= words.length; n++) {
    const narrower = scope.filter((c) => words.slice(0, n).every((w, i) => c.words[i] === w));
    if (narrower.length === 0) break;
    scope = narrower;
  }
  const lines = [
    'hubkeeper: see and manage component registries, workspace hubs and heartbeat locks',
    '',
    'Commands:',
    ...scope.map((c) => {
      const usage = `${c.words.join(' ')} ${c.args}`.trimEnd();
      return usage.length > 46 ? `  ${usage}\n  ${' '.repeat(47)}${c.summary}` : `  ${usage.padEnd(46)} ${c.summary}`;
    }),
    '',
    'Global options:',
    '  --registry PATH   use this registry.json instead of discovering one',
    '  --trust-group-writable  write a registry whose directory one of your groups can write',
    '                    (also: HUBKEEPER_TRUST_GROUP_WRITABLE=1)',
    '  --json            machine-readable output (stable shapes, see README); errors as JSON on stderr',
    '  --no-color        no colours (also: NO_COLOR=1)',
    '  -h, --help        help for any command, with examples',
    '  -V, --version     print the version',
    '',
    'Examples:',
    '  hubkeeper status',
    '  hubkeeper components resolve liquidhandler_1 --type node --hold',
    '  hubkeeper hubs reap --orphans --dry-run',
    '  hubkeeper completion bash > ~/.local/share/bash-completion/completions/hubkeeper',
    '',
    'Exit codes: 0 ok, 1 error, 2 usage, 3 lock held by another holder.',
  ];
  return lines.join('\n');
}

export function commandHelp(c: Command): string {
  return [
    `usage: hubkeeper ${c.words.join(' ')} ${c.args}`.trimEnd(),
    '',
    c.summary,
    ...(c.optionHelp ? ['', 'Options:', ...c.optionHelp.map((l) => `  ${l}`)] : []),
    '',
    'Examples:',
    ...c.examples.map((e) => `  ${e}`),
  ].join('\n');
}
