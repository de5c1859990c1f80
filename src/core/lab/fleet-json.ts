import { isoTime, RawJson } from './lab-json';
import { GONE_AFTER_BEATS, MISSED_BEATS, RequestRecord, StationRecord } from './fleet-store';

/**
 * How the fleet routes show stations and requests (README "JSON output"; fields are only ever
 * added). Health is judged on Redis' clock, per incarnation: `healthy` while the current
 * incarnation's heartbeat is younger than MISSED_BEATS intervals, then `stale`, then `gone` after
 * GONE_AFTER_BEATS; `stopped` once the agent said goodbye; `no-agent` for a state written
 * without one.
 */

export type StationHealth = 'healthy' | 'stale' | 'gone' | 'stopped' | 'no-agent';

export function stationHealth(s: StationRecord, nowUs: number): { health: StationHealth; ageMs: number | null } {
  if (!s.incarnation || s.beatUs === undefined || !s.intervalUs) return { health: 'no-agent', ageMs: null };
  const ageUs = Math.max(0, nowUs - s.beatUs);
  const ageMs = Math.round(ageUs / 1000);
  if (s.stoppedUs !== undefined) return { health: 'stopped', ageMs };
  const missed = ageUs / s.intervalUs;
  return { health: missed <= MISSED_BEATS ? 'healthy' : missed <= GONE_AFTER_BEATS ? 'stale' : 'gone', ageMs };
}

interface PublishedState {
  counts?: Record<string, number>;
  held?: unknown[];
  stale_locks?: unknown[];
  hubs?: { state?: string }[];
  stale_hub_locks?: unknown[];
  entries?: { name: string; id: string }[];
}

/**
 * A station's stored state, as far as the lab's own answers use it. The station wrote it and may
 * have written anything: a field of the wrong type counts as absent, so one station's state can
 * never break the fleet list (or the conflicts) for everyone.
 */
export function parseState(text: string | undefined): PublishedState | undefined {
  if (!text) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const r = raw as Record<string, unknown>;
  const objects = (v: unknown) =>
    Array.isArray(v) ? v.filter((x) => typeof x === 'object' && x !== null && !Array.isArray(x)) : undefined;
  const counts =
    typeof r.counts === 'object' && r.counts !== null && !Array.isArray(r.counts) ? (r.counts as Record<string, number>) : undefined;
  return {
    counts,
    held: objects(r.held),
    stale_locks: objects(r.stale_locks),
    hubs: objects(r.hubs) as { state?: string }[] | undefined,
    stale_hub_locks: objects(r.stale_hub_locks),
    entries: objects(r.entries)?.filter((e) => typeof e.name === 'string' && typeof e.id === 'string') as
      { name: string; id: string }[] | undefined,
  };
}

export function stationJson(s: StationRecord, nowUs: number, conflicts: number) {
  const { health, ageMs } = stationHealth(s, nowUs);
  const st = parseState(s.state);
  const sum = (o: Record<string, number> | undefined) => (o ? Object.values(o).reduce((a, b) => a + (Number(b) || 0), 0) : 0);
  return {
    station: s.station,
    health,
    incarnation: s.incarnation ?? null,
    epoch: s.epoch,
    last_heartbeat: s.beatUs === undefined ? null : isoTime(s.beatUs),
    heartbeat_age_ms: ageMs,
    heartbeat_interval_ms: s.intervalUs === undefined ? null : s.intervalUs / 1000,
    started_at: s.startedUs === undefined ? null : isoTime(s.startedUs),
    updated_at: s.updatedUs === undefined ? null : isoTime(s.updatedUs),
    agent_pid: s.agentPid ?? null,
    allow_remote: s.allow,
    state_hash: s.hash ?? null,
    counts: {
      entries: sum(st?.counts),
      held: st?.held?.length ?? 0,
      stale_locks: st?.stale_locks?.length ?? 0,
      hubs: st?.hubs?.length ?? 0,
      orphans: st?.hubs?.filter((h) => h.state === 'orphan').length ?? 0,
      stale_hub_locks: st?.stale_hub_locks?.length ?? 0,
      conflicts,
    },
  };
}

export function requestJson(r: RequestRecord, nowUs: number) {
  // A request nobody claimed before its deadline is refused when claimed; show it so already.
  const state = r.state === 'pending' && nowUs >= r.deadlineUs ? 'expired' : r.state;
  return {
    id: r.id,
    station: r.station,
    kind: r.kind,
    target: new RawJson(r.target),
    requested_by: r.by,
    created_at: isoTime(r.createdUs),
    deadline_at: isoTime(r.deadlineUs),
    state,
    detail: r.detail ?? (state === 'expired' ? 'refused: its deadline passed before the station could run it' : null),
    finished_at: r.finishedUs === undefined ? null : isoTime(r.finishedUs),
  };
}

export interface NameConflict {
  name: string;
  lab_id: string | null;
  ids: { station: string; id: string }[];
}

/**
 * Names whose ULID differs between stations' local registries, or from the lab's id. Read from
 * the published states, so a conflict shows as soon as both stations have published (on change,
 * or within one heartbeat).
 */
export function findConflicts(stations: StationRecord[], labIds: Map<string, string>): NameConflict[] {
  const byName = new Map<string, { station: string; id: string }[]>();
  for (const s of stations) {
    for (const e of parseState(s.state)?.entries ?? []) {
      const list = byName.get(e.name) ?? [];
      list.push({ station: s.station, id: e.id });
      byName.set(e.name, list);
    }
  }
  const out: NameConflict[] = [];
  for (const [name, ids] of byName) {
    const lab = labIds.get(name);
    const distinct = new Set(ids.map((i) => i.id));
    if (distinct.size > 1 || (lab !== undefined && [...distinct].some((id) => id !== lab))) {
      out.push({ name, lab_id: lab ?? null, ids });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Names each station publishes, for looking up their lab ids. */
export function publishedNames(stations: StationRecord[]): string[] {
  const names = new Set<string>();
  for (const s of stations) for (const e of parseState(s.state)?.entries ?? []) names.add(e.name);
  return [...names];
}
