import type { FleetSnapshot, FleetStation, LabConnection, LabEntrySummary } from '../../core/fleet/fleet-snapshot';
import { MISSED_BEATS } from '../../core/lab/fleet-store';
import { stationProblem } from '../../core/lab/lab-keys';
import { RemoteMachineState, stateFromJson } from '../../core/overview/state-from-json';
import { isUlid } from '../../core/registry/names';
import { ago, duration } from '../../core/time/relative';
import { english, Translate } from '../translate';
import type { Badge } from './badge';

/**
 * What the Fleet view shows of the lab's fleet (core/fleet/fleet-snapshot.ts), without vscode:
 * each station with its health and its published state turned back into the local views' shapes
 * (core/overview/state-from-json.ts), the lab registry's entries, the conflicts with where each id
 * lives and on which station "Adopt the Lab's ID" is offered, the view's message and its badge.
 * Unit-tested without an editor; fleet-view.ts turns it into TreeItems. The strings go through
 * `t` (vscode.l10n.t in the editor).
 */

export interface StationModel {
  name: string;
  health: string;
  /** healthy · stale since 2 min ago · gone · stopped · no agent */
  healthText: string;
  isThis: boolean;
  lastHeartbeat: string | null;
  heartbeatAgeMs: number | null;
  /** How long this incarnation of its agent has run, by the lab's clock. */
  incarnationAgeMs: number | null;
  allowRemote: string[];
  /** undefined until the station has published a state. */
  state: RemoteMachineState | undefined;
}

export interface AdoptChoice {
  name: string;
  station: string;
  /** The station's id now, and the lab's id it would take. */
  stationId: string;
  labId: string | null;
  /** Whether "Adopt the Lab's ID on <station>" is offered; when not, why. */
  offered: boolean;
  why?: string;
}

export interface ConflictModel {
  name: string;
  labId: string | null;
  /** Each station's id for the name (where each lives), with whether adopting there is offered. */
  ids: AdoptChoice[];
}

const MAX_STATIONS = 500;
const MAX_LAB_ENTRIES = 5000;

/** `thisStation`: the window's station name, for a snapshot that does not mark it (isThisStation). */
export function stationModels(
  snapshot: FleetSnapshot | undefined,
  t: Translate = english,
  nowMs = Date.now(),
  thisStation?: string,
): StationModel[] {
  if (!snapshot) return [];
  const labNowMs = Math.round(snapshot.serverTimeUs / 1000) + Math.max(0, nowMs - snapshot.receivedAtMs);
  const seen = new Set<string>();
  const out: StationModel[] = [];
  for (const st of (Array.isArray(snapshot.stations) ? snapshot.stations : []).slice(0, MAX_STATIONS)) {
    const m = stationModel(st, labNowMs, t, thisStation);
    if (m && !seen.has(m.name)) {
      seen.add(m.name);
      out.push(m);
    }
  }
  // This machine's station first, then by name.
  return out.sort((a, b) => Number(b.isThis) - Number(a.isThis) || a.name.localeCompare(b.name));
}

function stationModel(st: FleetStation, labNowMs: number, t: Translate, thisStation: string | undefined): StationModel | undefined {
  const s = st?.summary as Partial<FleetStation['summary']> | undefined;
  const name = typeof s?.station === 'string' ? s.station : undefined;
  if (!name || stationProblem(name)) return undefined;
  const ageMs = finite(s?.heartbeat_age_ms);
  const intervalMs = finite(s?.heartbeat_interval_ms);
  const started = typeof s?.started_at === 'string' ? Date.parse(s.started_at) : NaN;
  const health = typeof s?.health === 'string' ? s.health : 'unknown';
  return {
    name,
    health,
    healthText: healthText(health, ageMs, intervalMs, t),
    isThis: st.isThisStation === true || name === thisStation,
    lastHeartbeat: typeof s?.last_heartbeat === 'string' ? s.last_heartbeat.slice(0, 64) : null,
    heartbeatAgeMs: ageMs,
    incarnationAgeMs: Number.isFinite(started) ? Math.max(0, labNowMs - started) : null,
    allowRemote: Array.isArray(s?.allow_remote) ? s.allow_remote.filter((k): k is string => typeof k === 'string').slice(0, 3) : [],
    state: st.state === null || st.state === undefined ? undefined : stateFromJson(st.state),
  };
}

function healthText(health: string, ageMs: number | null, intervalMs: number | null, t: Translate): string {
  switch (health) {
    case 'healthy':
      return t('healthy');
    case 'stale':
      // Stale from the moment MISSED_BEATS heartbeats were missed (fleet-json.ts stationHealth).
      return ageMs !== null && intervalMs !== null ? t('stale since {0}', ago(Math.max(0, ageMs - MISSED_BEATS * intervalMs))) : t('stale');
    case 'gone':
      return ageMs !== null ? t('gone (last heartbeat {0})', ago(ageMs)) : t('gone');
    case 'stopped':
      return t('stopped');
    case 'no-agent':
      return t('no agent');
    default:
      return t('unknown health');
  }
}

/** A station row's description: health · last heartbeat · incarnation age. */
export function stationDescription(m: StationModel, t: Translate = english): string {
  const parts = [
    m.isThis ? t('this machine') : undefined,
    m.healthText,
    m.heartbeatAgeMs !== null && m.health !== 'gone' ? t('heartbeat {0}', ago(m.heartbeatAgeMs)) : undefined,
    m.incarnationAgeMs !== null ? t('agent up {0}', duration(m.incarnationAgeMs)) : undefined,
  ];
  return parts.filter(Boolean).join(' · ');
}

/** The lab registry's entries, checked (the lab is the one source here, but the wire is not trusted either). */
export function labEntries(snapshot: FleetSnapshot | undefined): LabEntrySummary[] {
  if (!snapshot || !Array.isArray(snapshot.labEntries)) return [];
  return snapshot.labEntries
    .slice(0, MAX_LAB_ENTRIES)
    .filter((e) => typeof e?.name === 'string' && e.name.length <= 200 && typeof e.id === 'string' && isUlid(e.id));
}

/** "locked by host · pid · fencing token N", or "free". */
export function labLockText(e: LabEntrySummary, t: Translate = english): string {
  const l = e.lock;
  if (!l || typeof l !== 'object') return t('free');
  const host = typeof l.holder_host === 'string' ? l.holder_host.slice(0, 255) : '?';
  const pid = typeof l.holder_pid === 'number' ? l.holder_pid : '?';
  const fence = typeof l.fencing_token === 'number' ? l.fencing_token : '?';
  return t('locked by {0} · pid {1} · fencing token {2}', host, pid, fence);
}

/**
 * Each name with two ids, with where each id lives. Adopting the lab's id on a station is offered
 * only where that station's id differs from the lab's, and only while the entry is not locked: not
 * in the lab (a lab lock) and not on that station (a held lease: the running holder keeps the id
 * it resolved, and the station would refuse, registry-adopt.ts).
 */
export function conflictModels(snapshot: FleetSnapshot | undefined, stations: StationModel[], t: Translate = english): ConflictModel[] {
  if (!snapshot || !Array.isArray(snapshot.conflicts)) return [];
  const labLocked = new Set(
    labEntries(snapshot)
      .filter((e) => e.lock && typeof e.lock === 'object')
      .map((e) => e.name),
  );
  const byName = new Map(stations.map((s) => [s.name, s]));
  const out: ConflictModel[] = [];
  for (const c of snapshot.conflicts.slice(0, MAX_LAB_ENTRIES)) {
    if (typeof c?.name !== 'string' || c.name.length > 200 || !Array.isArray(c.ids)) continue;
    const labId = typeof c.lab_id === 'string' && isUlid(c.lab_id) ? c.lab_id : null;
    const ids: AdoptChoice[] = [];
    for (const i of c.ids.slice(0, MAX_STATIONS)) {
      if (typeof i?.station !== 'string' || stationProblem(i.station) || typeof i.id !== 'string' || !isUlid(i.id)) continue;
      const local = byName.get(i.station)?.state?.components.find((x) => x.entry.name === c.name);
      const why =
        labId === null
          ? t('the lab has no id for this name')
          : i.id === labId
            ? t("already the lab's id")
            : labLocked.has(c.name)
              ? t('locked in the lab: adopt once it is free')
              : local?.status.state === 'held'
                ? t('held on {0}: adopt once it is free', i.station)
                : undefined;
      ids.push({ name: c.name, station: i.station, stationId: i.id, labId, offered: why === undefined, why });
    }
    out.push({ name: c.name, labId, ids });
  }
  return out;
}

/** The view's message (TreeView.message): the connection, never a modal. */
export function fleetMessage(connection: LabConnection | undefined, t: Translate = english, nowMs = Date.now()): string | undefined {
  switch (connection?.kind) {
    case undefined:
    case 'not-configured':
      return t('Not configured: set hubkeeper.lab.url or run "Hubkeeper: Connect to Lab…".');
    case 'connecting':
      return t('Connecting to {0}…', connection.url);
    case 'connected':
      return t('Connected to {0}.', connection.url);
    case 'reconnecting':
      return t('Reconnecting to {0} since {1}: {2}', connection.url, ago(nowMs - connection.sinceMs), connection.reason);
    case 'refused':
      return t('Refused by {0}: {1}', connection.url, connection.reason);
  }
}

/** Stale stations and conflicts: what someone should look at. */
export function fleetBadge(stations: StationModel[], conflicts: ConflictModel[], t: Translate = english): Badge | undefined {
  const stale = stations.filter((s) => s.health === 'stale').length;
  const value = stale + conflicts.length;
  if (value === 0) return undefined;
  return { value, tooltip: t('{0} stale station(s), {1} conflict(s)', stale, conflicts.length) };
}

const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
