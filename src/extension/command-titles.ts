/**
 * Every command the extension contributes, with its title in package.json (without a trailing
 * "…"), split by whether it changes something: a registry, a hub or lock file, a process, this
 * window's hub or leases. In an untrusted workspace the write commands are hidden (package.json
 * `when` clauses with `isWorkspaceTrusted`) and refused when invoked anyway. Both lists are
 * checked against package.json by test/unit/manifest.test.ts, and the central registration
 * (commands/register-commands.ts) needs a handler for each id. No vscode import.
 */
export const WRITE_COMMANDS = {
  'hubkeeper.components.cleanStale': 'Clean Stale Components',
  'hubkeeper.components.import': 'Import into Registry',
  'hubkeeper.components.createRegistry': 'Create Registry Here',
  'hubkeeper.components.rename': 'Rename Component',
  'hubkeeper.components.release': 'Release Component Lock',
  'hubkeeper.components.delete': 'Delete Component Entry',
  'hubkeeper.hubs.reap': 'Reap Hub',
  'hubkeeper.hubs.reapOrphans': 'Reap All Orphan Hubs',
  'hubkeeper.hubs.prune': 'Prune Dead Hub Entries',
  'hubkeeper.locks.release': 'Release Stale Lock',
  'hubkeeper.locks.releaseAll': 'Release All Stale Locks',
  'hubkeeper.hub.restart': "Restart This Window's Hub",
  'hubkeeper.hub.reacquire': 'Re-acquire Hub Lock and Leases',
  'hubkeeper.leases.releaseMine': 'Release My Leases',
  // They write the user's settings and secret storage, and decide where this machine's agent reports.
  'hubkeeper.lab.connect': 'Connect to Lab',
  'hubkeeper.lab.disconnect': 'Disconnect from Lab',
} as const;

export const READ_COMMANDS = {
  'hubkeeper.refresh': 'Refresh',
  'hubkeeper.showLog': 'Open Log',
  'hubkeeper.showHubs': 'Show Hubs',
  'hubkeeper.openDocs': 'Open Documentation',
  'hubkeeper.hub.showMenu': 'Show Hub Menu',
  'hubkeeper.components.filter': 'Filter Components',
  'hubkeeper.components.clearFilter': 'Clear Component Filter',
  'hubkeeper.components.export': 'Export Registry',
  'hubkeeper.components.openRegistry': 'Open Registry File',
  'hubkeeper.components.copyId': 'Copy Component ID',
  'hubkeeper.components.reveal': 'Reveal in registry.json',
  'hubkeeper.hubs.openFolder': 'Open Hub Folder in New Window',
  'hubkeeper.hubs.copyUrl': 'Copy Hub URL',
  'hubkeeper.hubs.revealEntry': 'Reveal Hub Entry File',
} as const;

export type WriteCommandId = keyof typeof WRITE_COMMANDS;
export type CommandId = WriteCommandId | keyof typeof READ_COMMANDS;

export const COMMAND_TITLES: Readonly<Record<CommandId, string>> = { ...READ_COMMANDS, ...WRITE_COMMANDS };

export function isWriteCommand(id: string): id is WriteCommandId {
  return Object.hasOwn(WRITE_COMMANDS, id);
}

export const UNTRUSTED_REFUSAL = 'Hubkeeper is read-only in an untrusted workspace';

/** The one line a write command answers with in an untrusted workspace. */
export function untrustedRefusal(title: string): string {
  return `${UNTRUSTED_REFUSAL}: "${title}" was not run (trust this folder to use it)`;
}
