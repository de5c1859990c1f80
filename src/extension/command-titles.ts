import { Translate } from './translate';

/**
 * Every command the extension contributes, with its title in package.json (without a trailing
 * "…"; package.json names it as a %key% of package.nls.json), split by whether it changes
 * something: a registry, a hub or lock file, a process, this window's hub or leases. In an
 * untrusted workspace the write commands are hidden (package.json `when` clauses with
 * `isWorkspaceTrusted`) and refused when invoked anyway. Both lists are checked against
 * package.json and package.nls.json by test/unit/manifest.test.ts, and the central registration
 * (commands/register-commands.ts) needs a handler for each id. The titles are said through `t`
 * (translate.ts): the refusal and the error report name the command in the user's language.
 * No vscode import.
 */
export function writeCommandTitles(t: Translate) {
  return {
    'hubkeeper.components.cleanStale': t('Clean Stale Components'),
    'hubkeeper.components.import': t('Import into Registry'),
    'hubkeeper.components.createRegistry': t('Create Registry Here'),
    'hubkeeper.components.rename': t('Rename Component'),
    'hubkeeper.components.release': t('Release Component Lock'),
    'hubkeeper.components.delete': t('Delete Component Entry'),
    'hubkeeper.hubs.reap': t('Reap Hub'),
    'hubkeeper.hubs.reapOrphans': t('Reap All Orphan Hubs'),
    'hubkeeper.hubs.prune': t('Prune Dead Hub Entries'),
    'hubkeeper.locks.release': t('Release Stale Lock'),
    'hubkeeper.locks.releaseAll': t('Release All Stale Locks'),
    'hubkeeper.hub.restart': t("Restart This Window's Hub"),
    'hubkeeper.hub.reacquire': t('Re-acquire Hub Lock and Leases'),
    'hubkeeper.leases.releaseMine': t('Release My Leases'),
    'hubkeeper.components.claim': t('Claim Component for This Workspace'),
    'hubkeeper.fleet.releaseLock': t('Release Lock on Station'),
    'hubkeeper.fleet.reapHub': t('Reap Hub on Station'),
    'hubkeeper.fleet.adoptLabId': t("Adopt the Lab's ID on Station"),
    // They write the user's settings and secret storage, and decide where this machine's agent reports.
    'hubkeeper.lab.connect': t('Connect to Lab'),
    'hubkeeper.lab.disconnect': t('Disconnect from Lab'),
  };
}

export function readCommandTitles(t: Translate) {
  return {
    'hubkeeper.refresh': t('Refresh'),
    'hubkeeper.showLog': t('Open Log'),
    'hubkeeper.showHubs': t('Show Hubs'),
    'hubkeeper.openDocs': t('Open Documentation'),
    'hubkeeper.showLeaseTimeline': t('Show Lease Timeline'),
    'hubkeeper.hub.showMenu': t('Show Hub Menu'),
    'hubkeeper.components.filter': t('Filter Components'),
    'hubkeeper.components.clearFilter': t('Clear Component Filter'),
    'hubkeeper.components.export': t('Export Registry'),
    'hubkeeper.components.openRegistry': t('Open Registry File'),
    'hubkeeper.components.copyId': t('Copy Component ID'),
    'hubkeeper.components.reveal': t('Reveal in registry.json'),
    'hubkeeper.hubs.openFolder': t('Open Hub Folder in New Window'),
    'hubkeeper.hubs.copyUrl': t('Copy Hub URL'),
    'hubkeeper.hubs.revealEntry': t('Reveal Hub Entry File'),
  };
}

export type WriteCommandId = keyof ReturnType<typeof writeCommandTitles>;
export type CommandId = WriteCommandId | keyof ReturnType<typeof readCommandTitles>;

export function commandTitles(t: Translate): Readonly<Record<CommandId, string>> {
  return { ...readCommandTitles(t), ...writeCommandTitles(t) };
}

const WRITE_COMMAND_IDS: ReadonlySet<string> = new Set(Object.keys(writeCommandTitles((m) => m)));

export function isWriteCommand(id: string): id is WriteCommandId {
  return WRITE_COMMAND_IDS.has(id);
}

/** The one line a write command answers with in an untrusted workspace. */
export function untrustedRefusal(title: string, t: Translate): string {
  return t('Hubkeeper is read-only in an untrusted workspace: "{0}" was not run (trust this folder to use it)', title);
}
