/**
 * The commands that change something: a registry, a hub or lock file, a process, this window's
 * hub or leases. In an untrusted workspace they are hidden (package.json `when` clauses with
 * `isWorkspaceTrusted`, checked against this list by test/unit/manifest.test.ts) and refused when
 * invoked anyway. No vscode import, so the manifest test runs without an editor.
 */
export const WRITE_COMMANDS: Readonly<Record<string, string>> = {
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
};

export const UNTRUSTED_REFUSAL = 'Hubkeeper is read-only in an untrusted workspace';

/** The one line a write command answers with in an untrusted workspace. */
export function untrustedRefusal(title: string): string {
  return `${UNTRUSTED_REFUSAL}: "${title}" was not run (trust this folder to use it)`;
}
