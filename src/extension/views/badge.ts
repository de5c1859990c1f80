import { staleLeases } from '../../core/overview/components-state';
import { MachineState } from '../../core/overview/machine-state';

/**
 * The badges, each on the view whose rows it counts, from the same state the views draw: the
 * Hubs view counts orphan hubs, the Stale Locks view stale locks (component leases and hub
 * locks). The activity bar shows their sum. No vscode import (a ViewBadge is a plain object).
 */

export interface Badge {
  value: number;
  tooltip: string;
}

export function hubsBadge(state: MachineState): Badge | undefined {
  const orphans = state.hubs.hubs.filter((h) => h.state === 'orphan').length;
  return orphans === 0 ? undefined : { value: orphans, tooltip: `${orphans} orphan hub${orphans === 1 ? '' : 's'}` };
}

export function staleLocksBadge(state: MachineState): Badge | undefined {
  const stale = staleLeases(state.components).length + state.hubs.staleHubLocks.length;
  return stale === 0 ? undefined : { value: stale, tooltip: `${stale} stale lock${stale === 1 ? '' : 's'}` };
}
