import * as os from 'node:os';
import { HubkeeperError } from '../core/errors/hubkeeper-error';
import { EXIT_UNEXPECTED, exitCodeOf } from './exit-codes';
import { OptionSpecs, ParsedArgs, parseArgs, UsageError } from './args';
import { listComponents, lookupComponent, showComponent } from './commands/components-read';
import {
  cleanComponents,
  exportComponents,
  importComponents,
  releaseComponent,
  renameComponent,
  resolveComponent,
} from './commands/components-write';
import { registryPath } from './commands/registry-path';
import { status } from './commands/status';
import { listHubsCommand, pruneHubsCommand, reapHubsCommand } from './commands/hubs';
import { hubStartCommand } from './commands/hub-start';
import { listLocksCommand, releaseLocksCommand } from './commands/locks';
import { workspaceIdCommand } from './commands/workspace';
import { labConflictsCommand, labEntriesCommand, labStatusCommand, labTokenCreateCommand, labTokenRevokeCommand } from './commands/lab';
import { labServeCommand } from './commands/lab-serve';
import { labAdoptCommand } from './commands/lab-adopt';
import { agentCommand } from './commands/agent';
import { fleetListCommand, fleetReapCommand, fleetReleaseCommand, fleetShowCommand } from './commands/fleet';
import { CliContext } from './context';
import { processOutput } from './output';

/**
 * `hubkeeper`: a thin CLI over src/core. Exit codes: 0 ok, 1 error, 2 usage, 3 lock held by
 * another holder. Errors are one line on stderr.
 */

declare const HUBKEEPER_VERSION: string | undefined;
const VERSION = typeof HUBKEEPER_VERSION === 'string' ? HUBKEEPER_VERSION : 'dev';

interface Command {
  words: string[];
  args: string;
  summary: string;
  options: OptionSpecs;
  optionHelp?: string[];
  run(ctx: CliContext, args: ParsedArgs): Promise<number>;
}

const GLOBAL_OPTIONS: OptionSpecs = {
  registry: { type: 'string' },
  'trust-group-writable': { type: 'boolean' },
  json: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
};

const LAB_ARGS = '[--lab URL] [--token-file FILE]';
const LAB_OPTIONS: OptionSpecs = { lab: { type: 'string' }, 'token-file': { type: 'string' } };
const LAB_HELP = ['--lab URL           a replica of the lab (default $HUBKEEPER_LAB_URL)', '--token-file FILE   the lab token (default $HUBKEEPER_LAB_TOKEN_FILE, else ~/.hubkeeper/lab.token)'];

const REQUEST_OPTIONS: OptionSpecs = { deadline: { type: 'string' }, 'no-wait': { type: 'boolean' } };
const REQUEST_HELP = ['--deadline SECONDS  the station must take the request within this (default 30)', '--no-wait           print the request and return; do not wait for the result'];

const COMMANDS: Command[] = [
  {
    words: ['components', 'list'],
    args: '[--type T] [--include-stale]',
    summary: 'List components with their ids and lock state',
    options: { type: { type: 'string' }, 'include-stale': { type: 'boolean' } },
    optionHelp: ['--type T          only node, module, manager, experiment or workcell', '--include-stale   also show entries whose lock has expired'],
    run: listComponents,
  },
  { words: ['components', 'show'], args: 'NAME', summary: 'Show one entry in full', options: {}, run: showComponent },
  {
    words: ['components', 'resolve'],
    args: 'NAME --type T [--metadata JSON] [--no-lock] [--hold] [--wait SECONDS]',
    summary: 'Get the id for NAME, creating the entry and taking its lease',
    options: { type: { type: 'string' }, metadata: { type: 'string' }, 'no-lock': { type: 'boolean' }, hold: { type: 'boolean' }, wait: { type: 'string' } },
    optionHelp: [
      '--type T          node, module, manager, experiment or workcell (required)',
      '--metadata JSON   merge this JSON object into the entry\'s metadata',
      '--no-lock         only get the id; take no lease',
      '--hold            keep the lease alive with heartbeats until Ctrl-C, then release it',
      '                  (without --hold the lease is left to expire after its TTL, as in MADSci)',
      '--wait SECONDS    if another holder has the lease, retry every 2 s for this long',
    ],
    run: resolveComponent,
  },
  { words: ['components', 'lookup'], args: 'NAME', summary: 'Print the id for NAME without locking', options: {}, run: lookupComponent },
  {
    words: ['components', 'rename'],
    args: 'OLD NEW [--force]',
    summary: 'Rename an entry (the id never changes)',
    options: { force: { type: 'boolean' } },
    optionHelp: ['--force           rename even while another holder has a live lock (clears the lock)'],
    run: renameComponent,
  },
  {
    words: ['components', 'release'],
    args: 'NAME [--force]',
    summary: 'Release the lock on an entry',
    options: { force: { type: 'boolean' } },
    optionHelp: ["--force           release another holder's live lock"],
    run: releaseComponent,
  },
  {
    words: ['components', 'clean'],
    args: '[--older-than 7d] [--dry-run]',
    summary: 'Remove entries not seen for a while and not locked',
    options: { 'older-than': { type: 'string' }, 'dry-run': { type: 'boolean' } },
    optionHelp: ['--older-than AGE  e.g. 7d (default), 12h, 30m', '--dry-run         only list what would be removed'],
    run: cleanComponents,
  },
  { words: ['components', 'export'], args: '[FILE]', summary: 'Write the whole registry as JSON (to stdout by default)', options: {}, run: exportComponents },
  {
    words: ['components', 'import'],
    args: 'FILE [--replace]',
    summary: 'Add the entries of an exported registry (FILE - reads stdin)',
    options: { replace: { type: 'boolean' } },
    optionHelp: ['--replace         replace every entry instead of adding the new names only'],
    run: importComponents,
  },
  { words: ['registry', 'path'], args: '', summary: 'Show which registry.json is used, and why', options: {}, run: registryPath },
  {
    words: ['hubs', 'list'],
    args: '[--all]',
    summary: 'Workspace hubs grouped Running / Orphans / Idle / Stopped',
    options: { all: { type: 'boolean' } },
    optionHelp: ['--all             also show idle workspaces and stopped (dead) entries'],
    run: listHubsCommand,
  },
  {
    words: ['hubs', 'reap'],
    args: '(--orphans | ID|PID|PATH...) [--dry-run] [--yes] [--grace SECONDS]',
    summary: 'Stop hubs safely and remove their entries and stale locks',
    options: { orphans: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, yes: { type: 'boolean' }, grace: { type: 'string' } },
    optionHelp: [
      '--orphans         every hub whose workspace is gone',
      '--dry-run         only say what would happen',
      '--yes             do not ask (required when not on a terminal)',
      '--grace SECONDS   wait this long after SIGTERM before SIGKILL (default 2)',
      'A process is signalled only if its pid, start time and command line still match the hub shown.',
    ],
    run: reapHubsCommand,
  },
  {
    words: ['hubs', 'prune'],
    args: '[--dry-run]',
    summary: 'Remove dead entries (workspace gone, or hub process gone)',
    options: { 'dry-run': { type: 'boolean' } },
    run: pruneHubsCommand,
  },
  {
    words: ['hub', 'start'],
    args: '[PATH] [--wait SECONDS]',
    summary: 'Run a hub for a workspace in the foreground until Ctrl-C',
    options: { wait: { type: 'string' } },
    optionHelp: ['--wait SECONDS    if another process holds the workspace hub lock, wait this long for it'],
    run: hubStartCommand,
  },
  { words: ['locks', 'list'], args: '', summary: 'Stale component leases and stale hub locks, with evidence', options: {}, run: listLocksCommand },
  {
    words: ['locks', 'release'],
    args: 'NAME|PATH... [--force]',
    summary: 'Release stale component leases (NAME) or stale hub locks (workspace PATH)',
    options: { force: { type: 'boolean' } },
    optionHelp: ["--force           also release another holder's live component lease"],
    run: releaseLocksCommand,
  },
  { words: ['workspace', 'id'], args: 'PATH', summary: 'The workspace id its hub entry is filed under', options: {}, run: workspaceIdCommand },
  {
    words: ['lab', 'serve'],
    args: '--redis URL --listen HOST:PORT [--token-file FILE] [--fleet NAME] [--lease-ttl S] [...]',
    summary: 'Serve the lab registry (MADSci protocol) on Redis; run several for replicas',
    options: {
      redis: { type: 'string' },
      listen: { type: 'string' },
      'token-file': { type: 'string' },
      fleet: { type: 'string' },
      'lease-ttl': { type: 'string' },
      'insecure-redis': { type: 'boolean' },
      'allow-host': { type: 'string' },
    },
    optionHelp: [
      '--redis URL         redis://[user:password@]host:port[/db] or rediss:// (TLS); the password may',
      '                    come from HUBKEEPER_REDIS_PASSWORD instead (keeps it out of ps)',
      '--listen HOST:PORT  where to serve (e.g. 127.0.0.1:8750; port 0 picks a free one)',
      '--token-file FILE   the lab token, created 0600 if missing (default ~/.hubkeeper/lab.token)',
      '--fleet NAME        replicas with the same Redis and fleet are one registry (default lab)',
      '--lease-ttl SECONDS lab lock lifetime without a renewal (default 30, as MADSci)',
      '--insecure-redis    allow a Redis without a password',
      '--allow-host NAMES  comma-separated extra Host names clients use to reach this replica',
      '/health answers 503 until Redis is reachable, then 200.',
    ],
    run: labServeCommand,
  },
  { words: ['lab', 'status'], args: LAB_ARGS, summary: 'The lab: replicas, Redis, counts', options: LAB_OPTIONS, optionHelp: LAB_HELP, run: labStatusCommand },
  { words: ['lab', 'entries'], args: LAB_ARGS, summary: 'Every name the lab knows, with its id and lab lock', options: LAB_OPTIONS, optionHelp: LAB_HELP, run: labEntriesCommand },
  { words: ['lab', 'conflicts'], args: LAB_ARGS, summary: 'Names offered with another id than the lab\'s, and by whom', options: LAB_OPTIONS, optionHelp: LAB_HELP, run: labConflictsCommand },
  { words: ['lab', 'token', 'create'], args: `STATION ${LAB_ARGS}`, summary: 'A token for one station (printed once)', options: LAB_OPTIONS, optionHelp: LAB_HELP, run: labTokenCreateCommand },
  { words: ['lab', 'token', 'revoke'], args: `STATION ${LAB_ARGS}`, summary: "Revoke every token of a station", options: LAB_OPTIONS, optionHelp: LAB_HELP, run: labTokenRevokeCommand },
  {
    words: ['lab', 'adopt'],
    args: `NAME --station S ${LAB_ARGS} [--deadline S] [--no-wait]`,
    summary: "Give station S's local entry the lab's id (on S, or as a remote request)",
    options: { ...LAB_OPTIONS, ...REQUEST_OPTIONS, station: { type: 'string' } },
    optionHelp: [...LAB_HELP, '--station S         the station whose registry changes (this one: done here)', ...REQUEST_HELP],
    run: labAdoptCommand,
  },
  {
    words: ['agent'],
    args: '--lab URL[,URL…] --token-file FILE [--station NAME] [--allow-remote release,reap,adopt] [--heartbeat S]',
    summary: "Publish this station's state to the lab, keep its lab locks alive, run remote actions",
    options: { ...LAB_OPTIONS, station: { type: 'string' }, 'allow-remote': { type: 'string' }, heartbeat: { type: 'string' } },
    optionHelp: [
      '--lab URL[,URL…]    the lab replicas, tried in turn',
      '--token-file FILE   this station\'s token (`hubkeeper lab token create STATION`)',
      '--station NAME      this station (default HUBKEEPER_HOSTNAME, else the host name)',
      '--allow-remote K    remote actions this agent executes: release, reap, adopt (default none)',
      '--heartbeat S       seconds between heartbeats (default 10); 3 missed: stale',
    ],
    run: agentCommand,
  },
  { words: ['fleet', 'list'], args: LAB_ARGS, summary: 'Stations with health, last heartbeat and counts', options: LAB_OPTIONS, optionHelp: LAB_HELP, run: fleetListCommand },
  { words: ['fleet', 'show'], args: `STATION ${LAB_ARGS}`, summary: "One station's published state, conflicts and audit", options: LAB_OPTIONS, optionHelp: LAB_HELP, run: fleetShowCommand },
  {
    words: ['fleet', 'release'],
    args: `NAME --station S ${LAB_ARGS} [--deadline S] [--no-wait]`,
    summary: "Ask station S's agent to release a stale lease (checked there)",
    options: { ...LAB_OPTIONS, ...REQUEST_OPTIONS, station: { type: 'string' } },
    optionHelp: [...LAB_HELP, ...REQUEST_HELP],
    run: fleetReleaseCommand,
  },
  {
    words: ['fleet', 'reap'],
    args: `HUB --station S ${LAB_ARGS} [--grace S] [--deadline S] [--no-wait]`,
    summary: "Ask station S's agent to reap a hub (key, id, pid or path, as S published it)",
    options: { ...LAB_OPTIONS, ...REQUEST_OPTIONS, station: { type: 'string' }, grace: { type: 'string' } },
    optionHelp: [...LAB_HELP, '--grace SECONDS     SIGTERM to SIGKILL on the station (default 2)', ...REQUEST_HELP],
    run: fleetReapCommand,
  },
  {
    words: ['status'],
    args: '[--all]',
    summary: 'Overview: registry, components, hubs and stale locks',
    options: { all: { type: 'boolean' } },
    run: status,
  },
];

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
        output.out(help(words));
        return parsed.options.help ? 0 : 2;
      }
      throw new UsageError(`unknown command '${words.join(' ')}'`);
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
    return reportError(err, output.err, command);
  }
}

function reportError(err: unknown, printErr: (line: string) => void, command: Command | undefined): number {
  if (err instanceof HubkeeperError) {
    printErr(`hubkeeper: ${err.message}`);
    if (err.kind === 'usage') printErr(command ? `usage: hubkeeper ${command.words.join(' ')} ${command.args}`.trimEnd() : 'Run `hubkeeper --help` for the commands.');
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

function help(words: string[]): string {
  // The commands under the longest prefix of `words` that names any (`lab token` → its two).
  let scope = COMMANDS;
  for (let n = 1; n <= words.length; n++) {
    const narrower = COMMANDS.filter((c) => words.slice(0, n).every((w, i) => c.words[i] === w));
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
    '  --json            machine-readable output (stable shapes, see README)',
    '  --no-color        no colours (also: NO_COLOR=1)',
    '  -h, --help        help for any command',
    '  -V, --version     print the version',
    '',
    'Exit codes: 0 ok, 1 error, 2 usage, 3 lock held by another holder.',
  ];
  return lines.join('\n');
}

function commandHelp(c: Command): string {
  return [`usage: hubkeeper ${c.words.join(' ')} ${c.args}`.trimEnd(), '', c.summary, ...(c.optionHelp ? ['', 'Options:', ...c.optionHelp.map((l) => `  ${l}`)] : [])].join('\n');
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
