import { staleLeases } from '../../core/overview/components-state';
import { MachineState } from '../../core/overview/machine-state';
import { Translate } from '../translate';

/**
 * The badges, each on the view whose rows it counts, from the same state the views draw: the
 * Hubs view counts orphan hubs, the Stale Locks view stale locks (component leases and hub
 * locks). The activity bar shows their sum. No vscode import (a ViewBadge is a plain object); the
 * words through `t` (translate.ts).
 */

export interface Badge {
  value: number;
  tooltip: string;
}

export function hubsBadge(state: MachineState, t: Translate): Badge | undefined {
  const orphans = state.hubs.hubs.filter((h) => h.state === 'orphan').length;
  return orphans === 0 ? undefined : { value: orphans, tooltip: orphans === 1 ? t('1 orphan hub') : t('{0} orphan hubs', orphans) };
}

export function staleLocksBadge(state: MachineState, t: Translate): Badge | undefined {
  const stale = staleLeases(state.components).length + state.hubs.staleHubLocks.length;
  return stale === 0 ? undefined : { value: stale, tooltip: stale === 1 ? t('1 stale lock') : t('{0} stale locks', stale) };
}
