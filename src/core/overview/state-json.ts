import { toPlain } from '../json/json-value';
import { HubLockState } from '../hubs/hub-lock-state';
import { HubInfo } from '../hubs/hub-status';
import { LockStatus } from '../leases/lease-rules';
import { DiscoveredRegistry } from '../registry/discovery';
import { InvalidEntry, RegistryEntry } from '../registry/types';
import { countsByType, heldLeases, staleLeases } from './components-state';
import { MachineState } from './machine-state';

/**
 * The stable JSON of the machine state: what `hubkeeper … --json` prints and what the station
 * agent will publish. Part of the contract (README "JSON output"): fields are only ever added,
 * never renamed or removed. Times are the files' own strings. No hub token and no raw file
 * content beyond the entry fields ever goes in here.
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

export function hubJson(h: HubInfo) {
  return {
    key: h.key,
    source: h.source,
    id: h.id ?? null,
    name: h.name,
    cwd: h.cwd ?? null,
    hub_url: h.hubUrl ?? null,
    pid: h.pid ?? null,
    started_at: h.startedAt ?? null,
    uptime_ms: h.uptimeMs ?? null,
    touched_at: h.touchedMs === undefined ? null : new Date(h.touchedMs).toISOString(),
    state: h.state,
    reason: h.reason ?? null,
    dead: h.dead,
    kind: h.kind ?? null,
    // The exact start of the process seen (Linux clock ticks since boot): with the pid, what a
    // remote reap must name, so that a recycled pid is never signalled.
    process_start_ticks: h.process?.startTicks ?? null,
    untrusted: h.untrusted ?? null,
    entry_file: h.record?.file ?? null,
    lock: h.lock ? lockJson(h.lock) : null,
  };
}

export function lockJson(l: HubLockState) {
  return { kind: l.kind, path: l.path, state: l.state, pid: l.pid ?? null, since: l.since ?? null, evidence: l.evidence };
}

/** `hubkeeper status --json`. */
export function machineStateJson(state: MachineState, found: Pick<DiscoveredRegistry, 'path' | 'reason'>) {
  const c = state.components;
  return {
    registry: { path: found.path, reason: found.reason, exists: c.exists, error: c.error ?? null, write_refused: c.writeRefused ?? null },
    counts: countsByType(c),
    held: heldLeases(c).map((s) => entryJson(s.entry, s.status)),
    stale_locks: staleLeases(c).map((s) => entryJson(s.entry, s.status)),
    invalid: c.invalid.map(invalidEntryJson),
    hubs: state.hubs.hubs.map(hubJson),
    stale_hub_locks: state.hubs.staleHubLocks.map((h) => ({ workspace: h.workspace, ...lockJson(h.state) })),
    unreadable_hub_files: state.hubs.unreadable.map((u) => ({ file: u.file, problem: u.problem })),
    // Every name with its id, so the fleet can see a name with two ids on two machines.
    entries: c.entries.map((s) => ({
      name: s.entry.name,
      id: s.entry.id,
      component_type: s.entry.componentType,
      lock_state: s.status.state,
    })),
  };
}
