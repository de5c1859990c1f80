import type { HubInfo } from '../../core/hubs/hub-status';
import type { LockState } from '../../core/leases/lease-rules';

/**
 * The contextValue grammar of the tree items, in one place: the view classes write it, the
 * commands pick by it when run from the palette, and package.json's item menus show a command
 * where its `viewItem =~ /…/` matches — the same regular expressions as ITEM_MENUS below, which
 * test/unit/context-values.test.ts checks against package.json. No vscode import.
 *
 *   component.<lock state>                  a registry entry (free, held, expired, abandoned)
 *   invalidComponent                        an entry that cannot be read
 *   componentGroup, registryError           a type group; the registry's error or read-only line
 *   hub.<state>[.hasFolder][.hasUrl][.hasEntry][.current][.untrusted]
 *   hubGroup                                Running, Orphans, Idle, Stopped
 *   staleLock.lease, staleLock.hub          a stale component lease; a dead hub's lock
 *
 * The Fleet view (fleet-view.ts) shows other stations' published states with the same node
 * classes; their contextValue is the local one behind the station's prefix, so that no local
 * command ever matches another machine's item:
 *   otherStation.<local>, thisStation.<local>   e.g. otherStation.hub.orphan, otherStation.staleLock.lease
 *   fleetStation.<health>[.this]            a station row
 *   fleetGroup, fleetInfo                   a station's Components/Hubs/Stale Locks; a note row
 *   labRegistry, labEntry, labConflicts     the Lab Registry row, an entry, the conflicts row
 *   labConflict                             a name with two ids
 *   labConflictId.adoptable|.kept           where one id lives; adoptable: the lab's id may replace it
 */

export const COMPONENT_GROUP = 'componentGroup';
export const REGISTRY_ERROR = 'registryError';
export const INVALID_COMPONENT = 'invalidComponent';
export const HUB_GROUP = 'hubGroup';

export const FLEET_GROUP = 'fleetGroup';
export const FLEET_INFO = 'fleetInfo';
export const LAB_REGISTRY = 'labRegistry';
export const LAB_ENTRY = 'labEntry';
export const LAB_CONFLICTS = 'labConflicts';
export const LAB_CONFLICT = 'labConflict';

/** The station a node of the Fleet view belongs to. */
export interface StationRef {
  name: string;
  isThis: boolean;
}

/** A published item's contextValue: the local grammar behind its station's prefix. */
export function stationContext(station: StationRef, local: string): string {
  return `${station.isThis ? 'thisStation' : 'otherStation'}.${local}`;
}

export function fleetStationContext(health: string, isThis: boolean): string {
  return `fleetStation.${health.replace(/[^a-z-]/g, '')}${isThis ? '.this' : ''}`;
}

export function conflictIdContext(adoptable: boolean): string {
  return `labConflictId.${adoptable ? 'adoptable' : 'kept'}`;
}

export function componentContext(state: LockState): string {
  return `component.${state}`;
}

export function hubContext(hub: Pick<HubInfo, 'state' | 'cwd' | 'hubUrl' | 'record' | 'untrusted'>, isOwn: boolean): string {
  const flags = [
    hub.cwd ? '.hasFolder' : '',
    hub.hubUrl ? '.hasUrl' : '',
    hub.record ? '.hasEntry' : '',
    isOwn ? '.current' : '',
    hub.untrusted ? '.untrusted' : '',
  ];
  return `hub.${hub.state}${flags.join('')}`;
}

export function staleLockContext(kind: 'lease' | 'hub'): string {
  return `staleLock.${kind}`;
}

/** Each item-menu command and the items it is offered on (package.json: `viewItem =~ /…/`). */
export const ITEM_MENUS = {
  'hubkeeper.components.rename': /^component\./,
  'hubkeeper.components.release': /^component\.(held|expired|abandoned)/,
  'hubkeeper.components.delete': /^(component\.|invalidComponent)/,
  'hubkeeper.components.copyId': /^component\./,
  'hubkeeper.components.reveal': /^(component\.|invalidComponent)/,
  'hubkeeper.hubs.reap': /^hub\.(orphan|running|unreachable|stopped)/,
  'hubkeeper.hubs.openFolder': /\.hasFolder/,
  'hubkeeper.hubs.copyUrl': /\.hasUrl/,
  'hubkeeper.hubs.revealEntry': /\.hasEntry/,
  'hubkeeper.locks.release': /^staleLock\./,
  'hubkeeper.fleet.releaseLock': /^otherStation\.staleLock\.lease/,
  'hubkeeper.fleet.reapHub': /^otherStation\.hub\.orphan/,
  'hubkeeper.fleet.adoptLabId': /^labConflictId\.adoptable/,
  'hubkeeper.showLeaseTimeline': /^(component|hub)\./,
} as const;

export type ItemMenuCommand = keyof typeof ITEM_MENUS;

/**
 * The inline (hover) action of each item kind: the one thing people do most with it, the same
 * command as in its context menu, on a subset of the items that menu is offered on (package.json:
 * `group: inline`). Reap is inline only on orphans: a running hub is not something to stop at a
 * stray click.
 */
export const INLINE_ACTIONS = {
  'hubkeeper.locks.release': /^staleLock\./,
  'hubkeeper.hubs.reap': /^hub\.orphan/,
  'hubkeeper.components.copyId': /^component\./,
} as const satisfies Partial<Record<ItemMenuCommand, RegExp>>;

/** Whether `command` is offered on an item with this contextValue (its menu, and its palette pick). */
export function offers(command: ItemMenuCommand, contextValue: string): boolean {
  return ITEM_MENUS[command].test(contextValue);
}
