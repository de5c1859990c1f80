import { createHash } from 'node:crypto';
import { ComponentsState } from '../overview/components-state';
import type { KeepAlive } from '../lab/fleet-store';

/**
 * What a station agent's heartbeat carries besides the state: the hash that decides whether the
 * state is sent again, and the lab locks it keeps alive.
 */

/** Fields that change with the clock alone; the published copy has them as of its updated_at. */
const CLOCK_FIELDS = new Set(['uptime_ms', 'lock_ms_left', 'lock_reason', 'heartbeat_at', 'expires_at']);

/**
 * The hash that decides whether the state is sent again: of everything but the clock fields, so
 * a quiet station (hubs ageing, leases renewing) costs one small heartbeat, whatever its size.
 */
export function stableHash(json: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(json, (key, value) => (CLOCK_FIELDS.has(key) ? undefined : value)))
    .digest('hex');
}

/**
 * The lab locks this agent keeps alive: leases of this station's host name whose holder this
 * machine sees alive (`held` by the one rule, which checks the pid here). MADSci's resolver never
 * renews a lab lock; with this, a node keeps its lab lock while its local heartbeat runs and loses
 * it within the lab's TTL when it dies.
 */
export function keepAlives(components: ComponentsState, station: string): KeepAlive[] {
  return components.entries
    .filter((c) => c.status.state === 'held' && c.status.holderAlive === true && c.entry.lock?.holderHost === station)
    .map((c) => ({ name: c.entry.name, pid: c.entry.lock!.holderPid, instance: c.entry.lock!.holderInstance }));
}
