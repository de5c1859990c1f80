import { cleanComponents, exportComponents, importComponents, releaseComponent, renameComponent, resolveComponent } from './commands/components-write';
import { listComponents, lookupComponent, showComponent } from './commands/components-read';
import { hubStartCommand } from './commands/hub-start';
import { listHubsCommand, pruneHubsCommand, reapHubsCommand } from './commands/hubs';
import { listLocksCommand, releaseLocksCommand } from './commands/locks';
import { registryPath } from './commands/registry-path';
import { status } from './commands/status';
import { workspaceIdCommand } from './commands/workspace';
import { Command } from './command';

/** The commands on this machine's state: components, registry, hubs, locks, status. */

export const LOCAL_COMMANDS: Command[] = [

  {
    words: ['components', 'list'],
    args: '[--type T] [--include-stale]',
    summary: 'List components with their ids and lock state',
    options: { type: { type: 'string' }, 'include-stale': { type: 'boolean' } },
    optionHelp: ['--type T          only node, module, manager, experiment or workcell', '--include-stale   also show entries whose lock has expired'],
    examples: ['hubkeeper components list', 'hubkeeper components list --type node --include-stale', 'hubkeeper components list --json | jq \'.entries[].name\''], run: listComponents,
  },
  { words: ['components', 'show'], args: 'NAME', summary: 'Show one entry in full', options: {}, examples: ['hubkeeper components show liquidhandler_1'], run: showComponent },
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
    examples: ['hubkeeper components resolve liquidhandler_1 --type node', 'hubkeeper components resolve camera_1 --type node --hold', 'hubkeeper components resolve plate_reader --type module --metadata \'{"vendor": "acme"}\' --no-lock'], run: resolveComponent,
  },
  { words: ['components', 'lookup'], args: 'NAME', summary: 'Print the id for NAME without locking', options: {}, examples: ['hubkeeper components lookup liquidhandler_1'], run: lookupComponent },
  {
    words: ['components', 'rename'],
    args: 'OLD NEW [--force]',
    summary: 'Rename an entry (the id never changes)',
    options: { force: { type: 'boolean' } },
    optionHelp: ['--force           rename even while another holder has a live lock (clears the lock)'],
    examples: ['hubkeeper components rename camera_1 camera_left'], run: renameComponent,
  },
  {
    words: ['components', 'release'],
    args: 'NAME [--force]',
    summary: 'Release the lock on an entry',
    options: { force: { type: 'boolean' } },
    optionHelp: ["--force           release another holder's live lock"],
    examples: ['hubkeeper components release liquidhandler_1', 'hubkeeper components release liquidhandler_1 --force'], run: releaseComponent,
  },
  {
    words: ['components', 'clean'],
    args: '[--older-than 7d] [--dry-run] [--yes]',
    summary: 'Remove entries not seen for a while and not locked',
    options: { 'older-than': { type: 'string' }, 'dry-run': { type: 'boolean' }, yes: { type: 'boolean' } },
    optionHelp: ['--older-than AGE  e.g. 7d (default), 12h, 30m', '--dry-run         only list what would be removed', '--yes             do not ask (required when not on a terminal)'],
    examples: ['hubkeeper components clean --dry-run', 'hubkeeper components clean --older-than 30d --yes'], run: cleanComponents,
  },
  { words: ['components', 'export'], args: '[FILE]', summary: 'Write the whole registry as JSON (to stdout by default)', options: {}, examples: ['hubkeeper components export backup.json', 'hubkeeper components export | jq \'.entries | keys\''], run: exportComponents },
  {
    words: ['components', 'import'],
    args: 'FILE [--replace [--yes]]',
    summary: 'Add the entries of an exported registry (FILE - reads stdin)',
    options: { replace: { type: 'boolean' }, yes: { type: 'boolean' } },
    optionHelp: ['--replace         replace every entry instead of adding the new names only (asks first)', '--yes             do not ask (required for --replace when not on a terminal)'],
    examples: ['hubkeeper components import backup.json', 'hubkeeper components import backup.json --replace --yes', 'cat backup.json | hubkeeper components import -'], run: importComponents,
  },
  { words: ['registry', 'path'], args: '', summary: 'Show which registry.json is used, and why', options: {}, examples: ['hubkeeper registry path', 'hubkeeper --registry /lab/.madsci/registry.json registry path --json'], run: registryPath },
  {
    words: ['hubs', 'list'],
    args: '[--all]',
    summary: 'Workspace hubs grouped Running / Orphans / Idle / Stopped',
    options: { all: { type: 'boolean' } },
    optionHelp: ['--all             also show idle workspaces and stopped (dead) entries'],
    examples: ['hubkeeper hubs list', 'hubkeeper hubs list --all --json'], run: listHubsCommand,
  },
  {
    words: ['hubs', 'reap'],
    args: '(--orphans | ID|PID|PATH...) [--dry-run] [--yes] [--grace SECONDS]',
    summary: 'Stop hubs safely and remove their entries and stale locks',
    options: { orphans: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, yes: { type: 'boolean' }, grace: { type: 'string' } },
    optionHelp: [
      '--orphans         every registered hub whose workspace is gone, and every scanned hub whose',
      '                  folder was deleted (others only when named by pid)',
      '--dry-run         only say what would happen',
      '--yes             do not ask (required when not on a terminal)',
      '--grace SECONDS   wait this long after SIGTERM before SIGKILL (default 2)',
      'A process is signalled only if its pid, start and command line still match the hub shown;',
      'a hub inside an editor window is asked to stop, never signalled.',
    ],
    examples: ['hubkeeper hubs reap --orphans --dry-run', 'hubkeeper hubs reap 726a213943fe1d41', 'hubkeeper hubs reap 4242 --yes --grace 5'], run: reapHubsCommand,
  },
  {
    words: ['hubs', 'prune'],
    args: '[--dry-run]',
    summary: 'Remove dead entries (workspace gone, or hub process gone)',
    options: { 'dry-run': { type: 'boolean' } },
    examples: ['hubkeeper hubs prune --dry-run', 'hubkeeper hubs prune'], run: pruneHubsCommand,
  },
  {
    words: ['hub', 'start'],
    args: '[PATH] [--wait SECONDS]',
    summary: 'Run a hub for a workspace in the foreground until Ctrl-C',
    options: { wait: { type: 'string' } },
    optionHelp: ['--wait SECONDS    if another process holds the workspace hub lock, wait this long for it'],
    examples: ['hubkeeper hub start', 'hubkeeper hub start ~/src/robot-cell --wait 30'], run: hubStartCommand,
  },
  { words: ['locks', 'list'], args: '', summary: 'Stale component leases and stale hub locks, with evidence', options: {}, examples: ['hubkeeper locks list', 'hubkeeper locks list --json'], run: listLocksCommand },
  {
    words: ['locks', 'release'],
    args: 'NAME|PATH... [--force]',
    summary: 'Release stale component leases (NAME) or stale hub locks (workspace PATH)',
    options: { force: { type: 'boolean' } },
    optionHelp: ["--force           also release another holder's live component lease"],
    examples: ['hubkeeper locks release liquidhandler_1', 'hubkeeper locks release ~/src/robot-cell'], run: releaseLocksCommand,
  },
  { words: ['workspace', 'id'], args: 'PATH', summary: 'The workspace id its hub entry is filed under', options: {}, examples: ['hubkeeper workspace id .', 'hubkeeper workspace id ~/src/robot-cell --json'], run: workspaceIdCommand },
  {
    words: ['status'],
    args: '[--all]',
    summary: 'Overview: registry, components, hubs and stale locks',
    options: { all: { type: 'boolean' } },
    examples: ['hubkeeper status', 'hubkeeper status --all --json'], run: status,
  },
];
