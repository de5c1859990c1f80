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
 */

export const COMPONENT_GROUP = 'componentGroup';
export const REGISTRY_ERROR = 'registryError';
export const INVALID_COMPONENT = 'invalidComponent';
export const HUB_GROUP = 'hubGroup';

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
