import { findStaleHubLocks, HubLockState } from '../hubs/hub-lock-state';
import { HubEnv, HubRoot } from '../hubs/hub-paths';
import { UnreadableHubFile } from '../hubs/hub-registry';
import { HubInfo, HubState, listHubs, ListHubsOptions } from '../hubs/hub-status';

/**
 * The workspace hubs of this machine as every reader shows them: each hub with its state, reason
 * and lock, the stale hub locks, and the entry files that cannot be read.
 */

export interface StaleHubLock {
  workspace: string;
  state: HubLockState;
}

export interface HubsState {
  hubs: HubInfo[];
  staleHubLocks: StaleHubLock[];
  unreadable: UnreadableHubFile[];
}

export interface ReadHubsOptions extends Pick<ListHubsOptions, 'probe' | 'processes'> {
  roots: readonly HubRoot[];
  env: HubEnv;
  /** The caller's own folders (the CLI's working directory, the editor's workspace folders). */
  folders: readonly string[];
}

export async function readHubsState(options: ReadHubsOptions): Promise<HubsState> {
  const { hubs, unreadable } = await listHubs(options);
  // One answer to "which workspaces may hold a stale hub lock": the caller's own folders and
  // every workspace a hub entry or the process scan names.
  const workspaces = [...options.folders, ...hubs.map((h) => h.cwd ?? '')];
  return { hubs, unreadable, staleHubLocks: await findStaleHubLocks(workspaces, options.env) };
}

export interface HubGroup {
  title: 'Running' | 'Orphans' | 'Idle' | 'Stopped';
  states: readonly HubState[];
}

/** The groups hubs are shown in, in this order (the CLI tables and the Hubs view). */
export const HUB_GROUPS: readonly HubGroup[] = [
  { title: 'Running', states: ['running', 'unreachable'] },
  { title: 'Orphans', states: ['orphan'] },
  { title: 'Idle', states: ['idle'] },
  { title: 'Stopped', states: ['stopped'] },
];

/** Every group with its hubs, in HUB_GROUPS' order (empty groups included). */
export function groupHubs<H extends Pick<HubInfo, 'state'>>(hubs: readonly H[]): (HubGroup & { hubs: H[] })[] {
  return HUB_GROUPS.map((g) => ({ ...g, hubs: hubs.filter((h) => g.states.includes(h.state)) }));
}
