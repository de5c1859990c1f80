import { staleLeases } from '../../core/overview/components-state';
import { MachineState } from '../../core/overview/machine-state';

/**
 * The Hubs view's badge: orphan hubs and stale locks (leases and hub locks), from the same state
 * the views draw. No vscode import (a ViewBadge is a plain object).
 */
export function hubsBadge(state: MachineState): { value: number; tooltip: string } | undefined {
  const orphans = state.hubs.hubs.filter((h) => h.state === 'orphan').length;
  const stale = staleLeases(state.components).length + state.hubs.staleHubLocks.length;
  if (orphans + stale === 0) return undefined;
  return {
    value: orphans + stale,
    tooltip: `${orphans} orphan hub${orphans === 1 ? '' : 's'}, ${stale} stale lock${stale === 1 ? '' : 's'}`,
  };
}
