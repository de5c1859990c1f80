import type { LabConnection } from '../core/fleet/fleet-snapshot';

/**
 * The lab connection's decisions that need no editor (window-lab.ts, commands/lab-connect.ts),
 * apart so that unit tests reach them: when the connection is made again, and which of a
 * command's scripted answers count.
 */

/**
 * Whether WindowLab makes its feed (and agent) again: what it is made from changed, or Connect
 * asks again (`force`) while the lab refuses the same URL and token — without that, connecting
 * again after a refusal did nothing and the command said Connected under a Refused view. A plain
 * sync (settings, trust) never retries a refusal: only the user's Connect does.
 */
export function rebuildNeeded(made: string, madeFrom: string, force: boolean, kind: LabConnection['kind']): boolean {
  return made !== madeFrom || (force && kind === 'refused');
}
