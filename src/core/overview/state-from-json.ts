import { HubInfo, HubState } from '../hubs/hub-status';
import { HubLockState } from '../hubs/hub-lock-state';
import { LockState, LockStatus } from '../leases/lease-rules';
import { JsonObject } from '../json/json-value';
import { isUlid } from '../registry/names';
import { isComponentType, MAX_NAME_LENGTH, RegistryEntry, RegistryLock } from '../registry/types';
import { Timestamp } from '../time/timestamp';
import { ComponentState } from './components-state';
import { StaleHubLock } from './hubs-state';

/**
 * A station's published machine state (state-json.ts machineStateJson, as its agent sent it)
 * turned back into what the local views' node classes take: entries with their lock status, hubs,
 * stale locks. A station is on the network and writes what it likes: every field is checked for
 * its type and size, an item that does not fit is left out (and counted in `dropped`), and the
 * lists are capped. Text stays text: names reach tooltips only through markdown-text.ts.
 */

export interface RemoteHub {
  info: HubInfo;
  /** The exact process start the station published (with the pid, what a remote reap names). */
  startTicks: number | null;
}

export interface RemoteMachineState {
  registryPath: string;
  components: ComponentState[];
  staleLeases: ComponentState[];
  hubs: RemoteHub[];
  staleHubLocks: StaleHubLock[];
  /** What was left out, in words (at most MAX_DROPPED lines). */
  dropped: string[];
}

export const MAX_ENTRIES = 5000;
export const MAX_HUBS = 500;
export const MAX_TEXT = 1000;
const MAX_DROPPED = 20;
const LOCK_STATES: readonly LockState[] = ['free', 'held', 'expired', 'abandoned'];
const HUB_STATES: readonly HubState[] = ['running', 'unreachable', 'orphan', 'idle', 'stopped'];
/**
 * The created_at/last_seen of an entry the station published without them (a free entry is in
 * `entries` only, as name, id, type and lock state: the published state stays small). The nodes
 * show it as unknown; compared by identity.
 */
export const UNPUBLISHED_TIME = Timestamp.fromMillis(0);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown, max = MAX_TEXT): string | undefined => (typeof v === 'string' && v.length <= max ? v : undefined);
const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined);
const time = (v: unknown): Timestamp | undefined => (typeof v === 'string' && v.length <= 64 ? Timestamp.parse(v) : undefined);

export function stateFromJson(raw: unknown): RemoteMachineState {
  const dropped: string[] = [];
  const drop = (why: string) => dropped.length < MAX_DROPPED && dropped.push(why);
  const st = isObj(raw) ? raw : (drop('the state is not a JSON object'), {});
  const registryPath = (isObj(st.registry) && text(st.registry.path)) || '?';
  const list = (key: string, max: number): unknown[] => {
    const v = st[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return (drop(`${key}: not a list`), []);
    if (v.length > max) drop(`${key}: ${v.length} items, only the first ${max} shown`);
    return v.slice(0, max);
  };

  // The held and stale ones carry their whole entry (lock and all); `entries` names every one.
  const full = new Map<string, Obj>();
  for (const e of [...list('held', MAX_ENTRIES), ...list('stale_locks', MAX_ENTRIES)])
    if (isObj(e) && typeof e.name === 'string') full.set(e.name, e);
  const components: ComponentState[] = [];
  const seen = new Set<string>();
  for (const [i, row] of list('entries', MAX_ENTRIES).entries()) {
    const c = isObj(row) ? component(typeof row.name === 'string' ? { ...row, ...(full.get(row.name) ?? {}) } : row) : undefined;
    if (!c) drop(`entries[${i}]: not a valid entry (name, ULID id, component type, lock state, and the lock if held)`);
    else if (!seen.has(c.entry.name)) {
      seen.add(c.entry.name);
      components.push(c);
    }
  }
  // One item per key and per path, as for the entries: the tree's item ids are made of them, and
  // VS Code refuses a second element with the same id (the whole view fails, not just the item).
  const hubs: RemoteHub[] = [];
  const hubKeys = new Set<string>();
  for (const [i, h] of list('hubs', MAX_HUBS).entries()) {
    const hub = remoteHub(h);
    if (!hub) drop(`hubs[${i}]: not a valid hub (key, name, state)`);
    else if (!hubKeys.has(hub.info.key)) {
      hubKeys.add(hub.info.key);
      hubs.push(hub);
    }
  }
  const staleHubLocks: StaleHubLock[] = [];
  const lockPaths = new Set<string>();
  for (const [i, l] of list('stale_hub_locks', MAX_HUBS).entries()) {
    const lock = staleHubLock(l);
    if (!lock) drop(`stale_hub_locks[${i}]: not a valid hub lock (workspace, path, kind)`);
    else if (!lockPaths.has(lock.state.path)) {
      lockPaths.add(lock.state.path);
      staleHubLocks.push(lock);
    }
  }
  const staleLeases = components.filter((c) => c.status.state === 'expired' || c.status.state === 'abandoned');
  return { registryPath, components, staleLeases, hubs, staleHubLocks, dropped };
}

function component(e: Obj): ComponentState | undefined {
  const name = text(e.name, MAX_NAME_LENGTH);
  const id = text(e.id, 64);
  const state = LOCK_STATES.find((s) => s === e.lock_state);
  if (!name || !id || !isUlid(id) || !state || !isComponentType(e.component_type)) return undefined;
  const lock = isObj(e.lock) ? registryLock(e.lock) : null;
  if (state !== 'free' && !lock) return undefined;
  const msLeft = typeof e.lock_ms_left === 'number' && Number.isFinite(e.lock_ms_left) ? e.lock_ms_left : undefined;
  const status: LockStatus = {
    state,
    msLeft: state === 'free' ? undefined : msLeft,
    reason: text(e.lock_reason) ?? (state === 'free' ? 'not locked' : state),
  };
  const entry: RegistryEntry = {
    kind: 'entry',
    name,
    id,
    componentType: e.component_type,
    createdAt: time(e.created_at) ?? UNPUBLISHED_TIME,
    lastSeen: time(e.last_seen) ?? UNPUBLISHED_TIME,
    // Metadata is not shown for another station's entries: it is the station's free-form text.
    metadata: new Map() as JsonObject,
    lock: state === 'free' ? null : lock,
    workcellId: text(e.workcell_id, MAX_NAME_LENGTH) ?? null,
    extra: new Map() as JsonObject,
  };
  return { entry, status };
}

function registryLock(l: Obj): RegistryLock | null {
  const holderHost = text(l.holder_host, 255);
  const holderPid = int(l.holder_pid);
  const holderInstance = text(l.holder_instance, 64);
  const [acquiredAt, heartbeatAt, expiresAt] = [time(l.acquired_at), time(l.heartbeat_at), time(l.expires_at)];
  if (holderHost === undefined || holderPid === undefined || !holderInstance || !acquiredAt || !heartbeatAt || !expiresAt) return null;
  return { holderHost, holderPid, holderInstance, acquiredAt, heartbeatAt, expiresAt, extra: new Map() as JsonObject };
}

function remoteHub(h: unknown): RemoteHub | undefined {
  if (!isObj(h)) return undefined;
  const key = text(h.key, 300);
  const name = text(h.name, MAX_NAME_LENGTH);
  const state = HUB_STATES.find((s) => s === h.state);
  if (!key || name === undefined || !state) return undefined;
  const source = h.source === 'hubkeeper' || h.source === 'bones' || h.source === 'process-scan' ? h.source : 'process-scan';
  const info: HubInfo = {
    key,
    source,
    id: text(h.id, 100),
    name,
    cwd: text(h.cwd),
    // Another machine's hub URL and entry file mean nothing here: never shown as links.
    pid: int(h.pid),
    startedAt: text(h.started_at, 64),
    uptimeMs: int(h.uptime_ms),
    state,
    reason: text(h.reason),
    dead: h.dead === true,
    untrusted: text(h.untrusted),
    kind: h.kind === 'embedded' || h.kind === 'standalone' ? h.kind : undefined,
  };
  return { info, startTicks: int(h.process_start_ticks) ?? null };
}

function staleHubLock(l: unknown): StaleHubLock | undefined {
  if (!isObj(l)) return undefined;
  const workspace = text(l.workspace);
  const path = text(l.path);
  const kind = l.kind === 'hubkeeper' || l.kind === 'bones' ? l.kind : undefined;
  if (!workspace || !path || !kind) return undefined;
  const state: HubLockState = {
    kind,
    path,
    state: 'stale',
    pid: int(l.pid),
    since: text(l.since, 64),
    evidence: text(l.evidence) ?? 'stale',
  };
  return { workspace, state };
}
