import { LabKeys } from './lab-keys';
import { runScript } from './lab-scripts';
import { BEAT, CLAIM_REQUEST, CREATE_REQUEST, FINISH_REQUEST, GOODBYE, INCARNATE, LEASE_EVENTS } from './fleet-scripts';
import { LeaseEvent } from '../journal/lease-event';
import { AuditQuery, LEASE_AUDIT_MAXLEN, MAX_LEASE_EVENTS_PER_MINUTE, readLeaseEvents, streamFields } from './fleet-lease-events';
import type { LabRedis } from './redis-connection';

/**
 * The fleet's state in Redis: station incarnations and heartbeats, published machine states, and
 * remote-action requests with their audit stream, and the lease events stations observed (their
 * own stream, so no station's volume can push the remote-action records out). Decisions are the Lua scripts'
 * (fleet-scripts.ts); this class packs and unpacks, and keeps nothing between calls.
 */

export const AUDIT_MAXLEN = 10_000;
/** Requests (and their results) are kept this long for `fleet show` and the requester. */
export const KEEP_REQUEST_S = 7 * 86400;
/** Heartbeats an incarnation may miss before it is stale (and its writes refused): goa-ai's 3. */
export const MISSED_BEATS = 3;
/** Missed heartbeats after which a station is shown as gone. */
export const GONE_AFTER_BEATS = 10;

export const REMOTE_KINDS = ['release', 'reap', 'adopt'] as const;
export type RemoteKind = (typeof REMOTE_KINDS)[number];
export const isRemoteKind = (k: string): k is RemoteKind => (REMOTE_KINDS as readonly string[]).includes(k);

export interface Incarnation {
  incarnation: string;
  previous?: string;
  intervalMs: number;
  bootId: string;
  agentPid: number;
  allow: RemoteKind[];
}

export type IncarnateResult = { kind: 'ok'; epoch: number; atUs: number } | { kind: 'superseded'; current: string };

export interface KeepAlive {
  name: string;
  pid: number;
  instance: string;
}

export type BeatResult =
  { kind: 'ok'; hashStored: boolean; atUs: number; renewed: string[] } | { kind: 'superseded' | 'expired' | 'unknown' };

export interface StationRecord {
  station: string;
  incarnation?: string;
  epoch: number;
  beatUs?: number;
  intervalUs?: number;
  startedUs?: number;
  stoppedUs?: number;
  updatedUs?: number;
  bootId?: string;
  agentPid?: number;
  allow: string[];
  hash?: string;
  state?: string;
}

export interface RequestRecord {
  id: string;
  station: string;
  kind: string;
  target: string;
  by: string;
  createdUs: number;
  deadlineUs: number;
  state: string;
  claimedBy?: string;
  detail?: string;
  finishedUs?: number;
}

export type ClaimResult =
  { kind: 'ok'; request: RequestRecord } | { kind: 'superseded' | 'missing' | 'expired' } | { kind: 'taken'; state: string };

export class FleetStore {
  readonly keys: LabKeys;

  constructor(
    readonly redis: LabRedis,
    fleet: string,
  ) {
    this.keys = new LabKeys(fleet);
  }

  async incarnate(station: string, i: Incarnation): Promise<IncarnateResult> {
    const k = this.keys;
    const args = [
      station,
      i.incarnation,
      i.previous ?? '',
      String(i.intervalMs * 1000),
      i.bootId,
      String(i.agentPid),
      i.allow.join(','),
      k.request(''),
      String(AUDIT_MAXLEN),
    ];
    const r = (await runScript(this.redis, INCARNATE, [k.station(station), k.stations, k.audit, k.inflight(station)], args)) as string[];
    return r[0] === 'superseded' ? { kind: 'superseded', current: r[1] } : { kind: 'ok', epoch: Number(r[1]), atUs: Number(r[2]) };
  }

  async beat(
    station: string,
    incarnation: string,
    hash: string,
    state: string | undefined,
    locks: KeepAlive[],
    leaseTtlMs: number,
  ): Promise<BeatResult> {
    const k = this.keys;
    const args = [station, incarnation, hash, state ?? '', String(Math.round(leaseTtlMs * 1000)), String(MISSED_BEATS)];
    for (const l of locks) args.push(String(l.pid), l.instance);
    const r = (await runScript(this.redis, BEAT, [k.station(station), k.stations, ...locks.map((l) => k.entry(l.name))], args)) as string[];
    if (r[0] !== 'ok') return { kind: r[0] as 'superseded' | 'expired' | 'unknown' };
    return {
      kind: 'ok',
      hashStored: r[1] === '1',
      atUs: Number(r[2]),
      renewed: locks.filter((_, i) => r[3 + i] === '1').map((l) => l.name),
    };
  }

  async goodbye(station: string, incarnation: string): Promise<boolean> {
    const r = (await runScript(this.redis, GOODBYE, [this.keys.station(station)], [incarnation])) as string[];
    return r[0] === 'ok';
  }

  async station(station: string): Promise<StationRecord | undefined> {
    const h = await this.redis.hGetAll(this.keys.station(station));
    return Object.keys(h).length === 0 ? undefined : stationFrom(station, h);
  }

  async stations(): Promise<StationRecord[]> {
    const names = await this.redis.zRange(this.keys.stations, 0, -1);
    const out: StationRecord[] = [];
    for (let i = 0; i < names.length; i += 100) {
      const slice = await Promise.all(names.slice(i, i + 100).map((n) => this.station(n)));
      for (const s of slice) if (s) out.push(s);
    }
    return out.sort((a, b) => a.station.localeCompare(b.station));
  }

  async createRequest(
    id: string,
    station: string,
    kind: string,
    target: string,
    by: string,
    deadlineMs: number,
  ): Promise<{ createdUs: number; deadlineUs: number } | undefined> {
    const k = this.keys;
    const args = [id, station, kind, target, by, String(deadlineMs), String(AUDIT_MAXLEN), k.wake, String(KEEP_REQUEST_S)];
    const r = (await runScript(
      this.redis,
      CREATE_REQUEST,
      [k.request(id), k.pending(station), k.audit, k.station(station)],
      args,
    )) as string[];
    return r[0] === 'ok' ? { createdUs: Number(r[1]), deadlineUs: Number(r[2]) } : undefined;
  }

  /** Requests waiting for the station's agent, oldest first. */
  async pending(station: string): Promise<RequestRecord[]> {
    const ids = await this.redis.zRange(this.keys.pending(station), 0, 99);
    const all = await Promise.all(ids.map((id) => this.request(id)));
    return all.filter((r): r is RequestRecord => r !== undefined && r.state === 'pending');
  }

  async claim(station: string, id: string, incarnation: string): Promise<ClaimResult> {
    const k = this.keys;
    const r = (await runScript(
      this.redis,
      CLAIM_REQUEST,
      [k.request(id), k.pending(station), k.inflight(station), k.station(station), k.audit],
      [id, incarnation, station, String(AUDIT_MAXLEN)],
    )) as string[];
    if (r[0] === 'taken') return { kind: 'taken', state: r[1] };
    if (r[0] !== 'ok') return { kind: r[0] as 'superseded' | 'missing' | 'expired' };
    return {
      kind: 'ok',
      request: {
        id,
        station,
        kind: r[1],
        target: r[2],
        by: r[3],
        deadlineUs: Number(r[4]),
        createdUs: 0,
        state: 'running',
        claimedBy: incarnation,
      },
    };
  }

  async finish(station: string, id: string, incarnation: string, outcome: 'done' | 'refused', detail: string): Promise<boolean> {
    const k = this.keys;
    const r = (await runScript(
      this.redis,
      FINISH_REQUEST,
      [k.request(id), k.inflight(station), k.audit],
      [id, incarnation, outcome, detail, station, String(AUDIT_MAXLEN)],
    )) as string[];
    return r[0] === 'ok';
  }

  async request(id: string): Promise<RequestRecord | undefined> {
    const h = await this.redis.hGetAll(this.keys.request(id));
    if (!h.id) return undefined;
    const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
    return {
      id: h.id,
      station: h.station,
      kind: h.kind,
      target: h.target,
      by: h.by,
      createdUs: Number(h.created_us),
      deadlineUs: Number(h.deadline_us),
      state: h.state,
      claimedBy: h.claimed_by,
      detail: h.detail,
      finishedUs: num(h.finished_us),
    };
  }

  /**
   * The newest request audit records (newest first) of one station, or of all. The stream holds
   * remote-action records only (lease events have their own); `event: lease` records an older
   * version wrote here are skipped.
   */
  async audit(count: number, station?: string): Promise<{ id: string; fields: Record<string, string> }[]> {
    const all = await this.redis.xRevRange(this.keys.audit, '+', '-', { COUNT: count * 20 });
    return (all ?? [])
      .map((m) => ({ id: m.id, fields: m.message as Record<string, string> }))
      .filter((m) => m.fields.event !== 'lease' && (!station || m.fields.station === station))
      .slice(0, count);
  }

  /**
   * A station's observed lease events, into the lease stream (`event: lease`, that station), or
   * none of them when the station passed its rate cap: then how long until it may send again.
   */
  async recordLeaseEvents(
    station: string,
    events: readonly LeaseEvent[],
  ): Promise<{ kind: 'ok' } | { kind: 'limited'; retryAfterMs: number }> {
    if (events.length === 0) return { kind: 'ok' };
    const args = [String(LEASE_AUDIT_MAXLEN), station, String(MAX_LEASE_EVENTS_PER_MINUTE)];
    for (const e of events) {
      const fields = streamFields(e);
      args.push(String(fields.length / 2), ...fields);
    }
    const r = (await runScript(this.redis, LEASE_EVENTS, [this.keys.leaseAudit, this.keys.leaseRate(station)], args)) as string[];
    return r[0] === 'limited' ? { kind: 'limited', retryAfterMs: Math.max(1, Number(r[1])) } : { kind: 'ok' };
  }

  /** The lease events of a time range (oldest first): at most MAX_AUDIT_READ of the newest, from a bounded scan. */
  leaseEvents(q: AuditQuery): Promise<{ events: (LeaseEvent & { id: string })[]; truncated: boolean }> {
    return readLeaseEvents(this.redis, this.keys.leaseAudit, q);
  }
}

function stationFrom(station: string, h: Record<string, string>): StationRecord {
  const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));
  return {
    station,
    incarnation: h.incarnation,
    epoch: Number(h.epoch ?? 0),
    beatUs: num(h.beat_us),
    intervalUs: num(h.interval_us),
    startedUs: num(h.started_us),
    stoppedUs: num(h.stopped_us),
    updatedUs: num(h.updated_us),
    bootId: h.boot_id,
    agentPid: num(h.agent_pid),
    allow: h.allow ? h.allow.split(',').filter(Boolean) : [],
    hash: h.hash || undefined,
    state: h.state,
  };
}
