import type { NameConflict, StationHealth } from '../lab/fleet-json';
import { STATION_RE } from '../lab/lab-keys';
import { REMOTE_KINDS } from '../lab/fleet-store';
import { nameProblem } from '../registry/names';
import type { LabEntrySummary, PublishedMachineState, StationSummary } from './fleet-snapshot';

/**
 * The fleet's JSON as it arrives over HTTP, checked field by field before a window keeps it. A
 * station writes what it likes into its own state (and a lab, or whoever answers in its place,
 * what it likes into every answer): each field must have its type or it is dropped (an item
 * without its name or id is dropped whole), strings lose control and bidirectional characters and
 * are capped, lists are capped, unknown fields are not kept. Text that looks like HTML or
 * Markdown stays text: escaping it is the renderer's job (views/markdown-text.ts).
 */

export const MAX_STATIONS = 2000;
export const MAX_ITEMS = 5000;
export const MAX_TEXT = 1024;
const MAX_DEPTH = 6;
const MAX_KEYS = 200;
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const HEALTH: readonly StationHealth[] = ['healthy', 'stale', 'gone', 'stopped', 'no-agent'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function text(v: unknown, max = MAX_TEXT): string | undefined {
  return typeof v === 'string' ? v.replace(UNSAFE_CHARS, '').slice(0, max) : undefined;
}
const textOrNull = (v: unknown, max = MAX_TEXT) => text(v, max) ?? null;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const count = (v: unknown): number => {
  const n = num(v);
  return n === undefined || n < 0 ? 0 : Math.min(Math.floor(n), Number.MAX_SAFE_INTEGER);
};
const list = (v: unknown, max = MAX_ITEMS): unknown[] => (Array.isArray(v) ? v.slice(0, max) : []);

/** A component name as the registry allows it (nameProblem); anything else is not a name. */
function componentName(v: unknown): string | undefined {
  return typeof v === 'string' && !nameProblem(v) ? v : undefined;
}

/** One element of GET /fleet/stations; undefined when it has no valid station name. */
export function stationSummaryFrom(raw: unknown): StationSummary | undefined {
  if (!isObj(raw) || typeof raw.station !== 'string' || !STATION_RE.test(raw.station)) return undefined;
  const c = isObj(raw.counts) ? raw.counts : {};
  const health = HEALTH.includes(raw.health as StationHealth) ? (raw.health as StationHealth) : 'no-agent';
  return {
    station: raw.station,
    health,
    incarnation: textOrNull(raw.incarnation, 64),
    epoch: count(raw.epoch),
    last_heartbeat: textOrNull(raw.last_heartbeat, 64),
    heartbeat_age_ms: num(raw.heartbeat_age_ms) ?? null,
    heartbeat_interval_ms: num(raw.heartbeat_interval_ms) ?? null,
    started_at: textOrNull(raw.started_at, 64),
    updated_at: textOrNull(raw.updated_at, 64),
    agent_pid: num(raw.agent_pid) ?? null,
    allow_remote: list(raw.allow_remote, 10).filter((k): k is string => (REMOTE_KINDS as readonly unknown[]).includes(k)),
    state_hash: textOrNull(raw.state_hash, 128),
    counts: {
      entries: count(c.entries),
      held: count(c.held),
      stale_locks: count(c.stale_locks),
      hubs: count(c.hubs),
      orphans: count(c.orphans),
      stale_hub_locks: count(c.stale_hub_locks),
      conflicts: count(c.conflicts),
    },
  };
}

export function stationListFrom(raw: unknown): { serverTimeUs: number; stations: StationSummary[] } | undefined {
  if (!isObj(raw) || !Array.isArray(raw.stations)) return undefined;
  const seen = new Set<string>();
  const stations: StationSummary[] = [];
  for (const s of list(raw.stations, MAX_STATIONS).map(stationSummaryFrom)) {
    if (!s || seen.has(s.station)) continue;
    stations.push(s);
    seen.add(s.station);
  }
  return { serverTimeUs: num(raw.server_time_us) ?? 0, stations };
}

/**
 * Any JSON, bounded: depth, keys, items and string lengths capped, non-JSON numbers dropped. What
 * comes out is plain data of bounded size; its meaning is checked by whoever reads it.
 */
export function boundedJson(v: unknown, depth = 0): unknown {
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') return text(v);
  if (depth >= MAX_DEPTH) return null;
  if (Array.isArray(v)) return v.slice(0, MAX_ITEMS).map((x) => boundedJson(x, depth + 1));
  if (!isObj(v)) return null;
  // No prototype, and the key checked once cleaned: "__pro\u0000to__" becomes __proto__ only then.
  const out: Obj = Object.create(null);
  for (const k of Object.keys(v).slice(0, MAX_KEYS)) {
    const key = text(k, 128) as string;
    if (key !== '__proto__') out[key] = boundedJson(v[k], depth + 1);
  }
  return out;
}

/** An item of a state's component lists: its name and id must be valid, the rest is bounded. */
function componentItem(raw: unknown): Obj | undefined {
  if (!isObj(raw)) return undefined;
  const name = componentName(raw.name);
  const id = text(raw.id, 64);
  if (name === undefined || !id) return undefined;
  return { ...(boundedJson(raw) as Obj), name, id };
}

function objects(raw: unknown, keep: (o: Obj) => boolean = () => true): Obj[] {
  return list(raw)
    .filter(isObj)
    .filter(keep)
    .map((o) => boundedJson(o) as Obj);
}

/** A station's published machine state (`status --json`), or null when it is not an object at all. */
export function publishedStateFrom(raw: unknown): PublishedMachineState | null {
  if (!isObj(raw)) return null;
  const reg = isObj(raw.registry) ? raw.registry : {};
  const counts: Record<string, number> = {};
  if (isObj(raw.counts))
    for (const k of Object.keys(raw.counts).slice(0, 20)) {
      const key = text(k, 64) as string;
      if (key !== '__proto__') counts[key] = count(raw.counts[k]);
    }
  const items = (v: unknown) =>
    list(v)
      .map(componentItem)
      .filter((x): x is Obj => x !== undefined);
  const state = {
    registry: {
      path: text(reg.path) ?? '',
      reason: text(reg.reason) ?? '',
      exists: reg.exists === true,
      error: textOrNull(reg.error),
      write_refused: textOrNull(reg.write_refused),
    },
    counts,
    held: items(raw.held),
    stale_locks: items(raw.stale_locks),
    invalid: objects(raw.invalid, (o) => typeof o.name === 'string'),
    hubs: objects(raw.hubs, (o) => typeof o.key === 'string'),
    stale_hub_locks: objects(raw.stale_hub_locks, (o) => typeof o.workspace === 'string'),
    unreadable_hub_files: objects(raw.unreadable_hub_files, (o) => typeof o.file === 'string'),
    entries: items(raw.entries),
  };
  // The shape machineStateJson promises, now that every field has its type; its meaning (a hub's
  // state, a lease's) is checked by the view's converter.
  return state as unknown as PublishedMachineState;
}

/** GET /registry/entries → the entries with valid names and ids. */
export function labEntriesFrom(raw: unknown): LabEntrySummary[] | undefined {
  if (!isObj(raw) || !Array.isArray(raw.entries)) return undefined;
  const out: LabEntrySummary[] = [];
  // One per name (the first), as the station list: the views' item ids are made of the names.
  const seen = new Set<string>();
  for (const e of list(raw.entries)) {
    if (!isObj(e)) continue;
    const name = componentName(e.name);
    const id = text(e.id, 64);
    if (name === undefined || !id || seen.has(name)) continue;
    seen.add(name);
    const l = isObj(e.lock) ? e.lock : undefined;
    out.push({
      name,
      id,
      component_type: text(e.component_type, 64),
      registered_by: text(e.registered_by, 256),
      created_at: text(e.created_at, 64),
      last_seen: text(e.last_seen, 64),
      lock: l
        ? {
            holder_host: text(l.holder_host, 256),
            holder_pid: num(l.holder_pid),
            holder_instance: text(l.holder_instance, 256),
            fencing_token: num(l.fencing_token),
            expires_at: text(l.expires_at, 64),
          }
        : null,
    });
  }
  return out;
}

/** GET /fleet/conflicts → names with two ids; an id pair without a valid station is dropped. */
export function conflictsFrom(raw: unknown): NameConflict[] | undefined {
  if (!isObj(raw) || !Array.isArray(raw.conflicts)) return undefined;
  const out: NameConflict[] = [];
  // One conflict per name and one id per station in it (the first): the views' item ids are made of them.
  const seen = new Set<string>();
  for (const c of list(raw.conflicts)) {
    if (!isObj(c)) continue;
    const name = componentName(c.name);
    if (name === undefined || seen.has(name)) continue;
    seen.add(name);
    const stations = new Set<string>();
    const ids: NameConflict['ids'] = [];
    for (const i of list(c.ids, 100)) {
      if (!isObj(i) || typeof i.station !== 'string' || !STATION_RE.test(i.station) || typeof i.id !== 'string') continue;
      if (stations.has(i.station)) continue;
      stations.add(i.station);
      ids.push({ station: i.station, id: text(i.id, 64) as string });
    }
    out.push({ name, lab_id: text(c.lab_id, 64) ?? null, ids });
  }
  return out;
}
