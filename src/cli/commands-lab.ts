import { agentCommand } from './commands/agent';
import { fleetListCommand, fleetReapCommand, fleetReleaseCommand, fleetShowCommand } from './commands/fleet';
import { labConflictsCommand, labEntriesCommand, labStatusCommand, labTokenCreateCommand, labTokenRevokeCommand } from './commands/lab';
import { labAdoptCommand } from './commands/lab-adopt';
import { labServeCommand } from './commands/lab-serve';
import { OptionSpecs } from './args';
import { Command } from './command';

/** The commands of the lab registry and the station fleet. */

const LAB_ARGS = '[--lab URL] [--token-file FILE]';
const LAB_OPTIONS: OptionSpecs = { lab: { type: 'string' }, 'token-file': { type: 'string' } };
const LAB_HELP = [
  '--lab URL           a replica of the lab (default $HUBKEEPER_LAB_URL)',
  '--token-file FILE   the lab token (default $HUBKEEPER_LAB_TOKEN_FILE, else ~/.hubkeeper/lab.token)',
];

const REQUEST_OPTIONS: OptionSpecs = { deadline: { type: 'string' }, 'no-wait': { type: 'boolean' } };
const REQUEST_HELP = [
  '--deadline SECONDS  the station must take the request within this (default 30)',
  '--no-wait           print the request and return; do not wait for the result',
];

export const LAB_COMMANDS: Command[] = [
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
    examples: ['HUBKEEPER_REDIS_PASSWORD=… hubkeeper lab serve --redis redis://127.0.0.1:6379 --listen 127.0.0.1:8750'],
    run: labServeCommand,
  },
  {
    words: ['lab', 'status'],
    args: LAB_ARGS,
    summary: 'The lab: replicas, Redis, counts',
    options: LAB_OPTIONS,
    optionHelp: LAB_HELP,
    examples: ['hubkeeper lab status --lab http://127.0.0.1:8750'],
    run: labStatusCommand,
  },
  {
    words: ['lab', 'entries'],
    args: LAB_ARGS,
    summary: 'Every name the lab knows, with its id and lab lock',
    options: LAB_OPTIONS,
    optionHelp: LAB_HELP,
    examples: ['hubkeeper lab entries --json'],
    run: labEntriesCommand,
  },
  {
    words: ['lab', 'conflicts'],
    args: LAB_ARGS,
    summary: "Names offered with another id than the lab's, and by whom",
    options: LAB_OPTIONS,
    optionHelp: LAB_HELP,
    examples: ['hubkeeper lab conflicts'],
    run: labConflictsCommand,
  },
  {
    words: ['lab', 'token', 'create'],
    args: `STATION ${LAB_ARGS}`,
    summary: 'A token for one station (printed once)',
    options: LAB_OPTIONS,
    optionHelp: LAB_HELP,
    examples: ['hubkeeper lab token create pc-01 > pc-01.token'],
    run: labTokenCreateCommand,
  },
  {
    words: ['lab', 'token', 'revoke'],
    args: `STATION ${LAB_ARGS}`,
    summary: 'Revoke every token of a station',
    options: LAB_OPTIONS,
    optionHelp: LAB_HELP,
    examples: ['hubkeeper lab token revoke pc-01'],
    run: labTokenRevokeCommand,
  },
  {
    words: ['lab', 'adopt'],
    args: `NAME --station S ${LAB_ARGS} [--deadline S] [--no-wait]`,
    summary: "Give station S's local entry the lab's id (on S, or as a remote request)",
    options: { ...LAB_OPTIONS, ...REQUEST_OPTIONS, station: { type: 'string' } },
    optionHelp: [...LAB_HELP, '--station S         the station whose registry changes (this one: done here)', ...REQUEST_HELP],
    examples: ['hubkeeper lab adopt liquidhandler_1 --station pc-01'],
    run: labAdoptCommand,
  },
  {
    words: ['agent'],
    args: '--lab URL[,URL…] --token-file FILE [--station NAME] [--allow-remote release,reap,adopt] [--heartbeat S]',
    summary: "Publish this station's state to the lab, keep its lab locks alive, run remote actions",
    options: { ...LAB_OPTIONS, station: { type: 'string' }, 'allow-remote': { type: 'string' }, heartbeat: { type: 'string' } },
    optionHelp: [
      '--lab URL[,URL…]    the lab replicas, tried in turn',
      "--token-file FILE   this station's token (`hubkeeper lab token create STATION`)",
      '--station NAME      this station (default HUBKEEPER_HOSTNAME, else the host name)',
      '--allow-remote K    remote actions this agent executes: release, reap, adopt (default none)',
      '--heartbeat S       seconds between heartbeats (default 10); 3 missed: stale',
    ],
    examples: [
      'hubkeeper agent --lab http://lab:8750 --token-file ~/.hubkeeper/station.token',
      'hubkeeper agent --lab http://a:8750,http://b:8750 --token-file t --allow-remote release,reap',
    ],
    run: agentCommand,
  },
  {
    words: ['fleet', 'list'],
    args: LAB_ARGS,
    summary: 'Stations with health, last heartbeat and counts',
    options: LAB_OPTIONS,
    optionHelp: LAB_HELP,
    examples: ['hubkeeper fleet list', 'hubkeeper fleet list --json'],
    run: fleetListCommand,
  },
  {
    words: ['fleet', 'show'],
    args: `STATION ${LAB_ARGS}`,
    summary: "One station's published state, conflicts and audit",
    options: LAB_OPTIONS,
    optionHelp: LAB_HELP,
    examples: ['hubkeeper fleet show pc-01'],
    run: fleetShowCommand,
  },
  {
    words: ['fleet', 'release'],
    args: `NAME --station S ${LAB_ARGS} [--deadline S] [--no-wait]`,
    summary: "Ask station S's agent to release a stale lease (checked there)",
    options: { ...LAB_OPTIONS, ...REQUEST_OPTIONS, station: { type: 'string' } },
    optionHelp: [...LAB_HELP, ...REQUEST_HELP],
    examples: ['hubkeeper fleet release liquidhandler_1 --station pc-01'],
    run: fleetReleaseCommand,
  },
  {
    words: ['fleet', 'reap'],
    args: `HUB --station S ${LAB_ARGS} [--grace S] [--deadline S] [--no-wait]`,
    summary: "Ask station S's agent to reap a hub (key, id, pid or path, as S published it)",
    options: { ...LAB_OPTIONS, ...REQUEST_OPTIONS, station: { type: 'string' }, grace: { type: 'string' } },
    optionHelp: [...LAB_HELP, '--grace SECONDS     SIGTERM to SIGKILL on the station (default 2)', ...REQUEST_HELP],
    examples: ['hubkeeper fleet reap 726a213943fe1d41 --station pc-01', 'hubkeeper fleet reap 4242 --station pc-01 --no-wait'],
    run: fleetReapCommand,
  },
];
