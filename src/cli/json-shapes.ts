import { toPlain } from '../core/json/json-value';
import { LockStatus } from '../core/leases/lease-rules';
import { InvalidEntry, RegistryEntry } from '../core/registry/types';

/**
 * The `--json` shapes. They are part of the CLI's contract (README "JSON output"): fields are only
 * ever added, never renamed or removed. Times are the registry's own strings.
 */

export function entryJson(entry: RegistryEntry, status: LockStatus) {
  const lock = entry.lock;
  return {
    name: entry.name,
    id: entry.id,
    component_type: entry.componentType,
    created_at: entry.createdAt.text,
    last_seen: entry.lastSeen.text,
    metadata: toPlain(entry.metadata),
    workcell_id: entry.workcellId,
    lock: lock && {
      holder_pid: lock.holderPid,
      holder_host: lock.holderHost,
      holder_instance: lock.holderInstance,
      acquired_at: lock.acquiredAt.text,
      heartbeat_at: lock.heartbeatAt.text,
      expires_at: lock.expiresAt.text,
    },
    lock_state: status.state,
    lock_reason: status.reason,
    lock_ms_left: status.msLeft ?? null,
  };
}

export function invalidEntryJson(entry: InvalidEntry) {
  return { name: entry.name, problems: entry.problems };
}

export { hubJson, lockJson } from './hub-format';
