import { ulid } from 'ulid';
import { isJsonObject, JsonNumber, JsonObject, JsonValue } from '../json/json-value';
import { isUlid } from '../registry/names';
import { stationProblem } from './lab-keys';
import { compactJson, RawJson, stringify } from './lab-json';
import { BadRequest, labNameProblem, parseBody, stringField } from './lab-request';
import { Forbidden, Route, Who } from './lab-routes';
import type { Answer } from './lab-server';
import { LabStore } from './lab-store';
import { findConflicts, publishedNames, requestJson, stationJson } from './fleet-json';
import { FleetStore, isRemoteKind, KeepAlive, REMOTE_KINDS, RemoteKind } from './fleet-store';
import { WakeBus } from './fleet-wake';
import { auditQuery, leaseEventsField, MAX_LEASE_EVENTS_PER_MINUTE } from './fleet-lease-events';
import { ChangeBus } from './fleet-changes';

/**
 * The station agents' routes (/fleet/…). A station token writes only its own station (its
 * incarnations, heartbeats, claims and results); any token may read the fleet and request a
 * remote action, which only the target station's agent executes, after checking it locally.
 * Every write an agent makes names its incarnation; the Lua scripts compare-and-set on it.
 */

export const MAX_POLL_WAIT_MS = 20_000;
/** The longest a reader of /fleet/changes waits for one; it asks again after that. */
export const MAX_CHANGES_WAIT_MS = 25_000;
const MAX_DEADLINE_MS = 10 * 60_000;
const ok = (body: Answer['body'], code = 200): Answer => ({ code, body });
const refuse = (code: number, error: string, extra: Record<string, unknown> = {}): Answer => ({ code, body: { error, ...extra } });

export class FleetRoutes {
  constructor(
    private readonly fleet: FleetStore,
    private readonly lab: LabStore,
    private readonly wake: WakeBus,
    private readonly changes: ChangeBus,
  ) {}

  match(s: string[], query: URLSearchParams = new URLSearchParams()): Route | undefined {
    const [a, b, c, d, e, f] = s;
    if (a !== 'fleet') return undefined;
    if (b === 'audit' && s.length === 2) return { methods: { GET: async () => this.leaseAudit(query) } };
    if (b === 'conflicts' && s.length === 2) return { methods: { GET: async () => this.conflicts() } };
    if (b === 'changes' && s.length === 2)
      return { longPollMs: MAX_CHANGES_WAIT_MS, methods: { GET: async (_who, _body, query) => this.changesAfter(query) } };
    if (b === 'requests' && s.length === 3) return { methods: { GET: async () => this.getRequest(requestId(c)) } };
    if (b !== 'stations') return undefined;
    if (s.length === 2) return { methods: { GET: async () => this.list() } };
    const st = station(c);
    if (s.length === 3) return { methods: { GET: async () => this.show(st) } };
    const own = (h: (body: JsonObject) => Promise<Answer>) => async (who: Who, raw: Buffer) => (ownStation(who, st), h(parseBody(raw)));
    if (s.length === 4 && d === 'incarnations') return { methods: { POST: own((body) => this.incarnate(st, body)) } };
    if (s.length === 4 && d === 'heartbeat') return { methods: { POST: own((body) => this.beat(st, body)) } };
    if (s.length === 4 && d === 'goodbye') return { methods: { POST: own((body) => this.goodbye(st, body)) } };
    if (s.length === 4 && d === 'requests') return { methods: { POST: (who, raw) => this.createRequest(st, who, parseBody(raw)) } };
    if (s.length === 5 && d === 'requests' && e === 'poll')
      return { longPollMs: MAX_POLL_WAIT_MS, methods: { POST: own((body) => this.poll(st, body)) } };
    if (s.length === 6 && d === 'requests' && f === 'claim')
      return { methods: { POST: own((body) => this.claim(st, requestId(e), body)) } };
    if (s.length === 6 && d === 'requests' && f === 'result')
      return { methods: { POST: own((body) => this.result(st, requestId(e), body)) } };
    return undefined;
  }

  private async incarnate(st: string, body: JsonObject): Promise<Answer> {
    const incarnation = ulidField(body, 'incarnation', true) as string;
    const previous = ulidField(body, 'previous', false);
    const allow = (arrayField(body, 'allow_remote') ?? []).map((k) => {
      if (typeof k !== 'string' || !isRemoteKind(k)) throw new BadRequest(`allow_remote: expected some of ${REMOTE_KINDS.join(', ')}`);
      return k as RemoteKind;
    });
    const r = await this.fleet.incarnate(st, {
      incarnation,
      previous,
      intervalMs: intField(body, 'heartbeat_ms', 100, 3_600_000),
      bootId: stringField(body, 'boot_id', false) ?? '',
      agentPid: intField(body, 'pid', 0, 2 ** 31),
      allow,
    });
    if (r.kind === 'superseded')
      return refuse(409, `station '${st}' has a newer agent (incarnation ${r.current}); this one was replaced`, {
        reason: 'superseded',
        incarnation: r.current,
      });
    await this.changes.bump(st);
    return ok({ station: st, incarnation, epoch: r.epoch, lease_ttl_ms: this.lab.leaseTtlMs });
  }

  private async beat(st: string, body: JsonObject): Promise<Answer> {
    const incarnation = ulidField(body, 'incarnation', true) as string;
    const hash = stringField(body, 'hash', true) as string;
    const state = body.get('state');
    if (state !== undefined && state !== null && !isJsonObject(state)) throw new BadRequest('state: expected a JSON object');
    const locks: KeepAlive[] = (arrayField(body, 'locks') ?? []).map((l) => {
      if (!isJsonObject(l)) throw new BadRequest('locks: expected objects {name, pid, instance}');
      const name = stringField(l, 'name', true) as string;
      if (labNameProblem(name)) throw new BadRequest(`locks: ${labNameProblem(name)}`);
      return { name, pid: intField(l, 'pid', 0, 2 ** 31), instance: stringField(l, 'instance', true) as string };
    });
    const events = leaseEventsField(body);
    const r = await this.fleet.beat(st, incarnation, hash, state ? compactJson(state) : undefined, locks, this.lab.leaseTtlMs);
    if (r.kind === 'superseded')
      return refuse(409, `station '${st}' has a newer agent; this incarnation was replaced and may not write`, { reason: 'superseded' });
    if (r.kind === 'expired')
      return refuse(409, `this incarnation of station '${st}' missed its heartbeats (or said goodbye); start a new one`, {
        reason: 'expired',
      });
    if (r.kind !== 'ok') return refuse(409, `station '${st}' has no agent incarnation; start one first`, { reason: 'expired' });
    // Stored as this station's (the token's, checked by the route), whatever the events say.
    const stored = await this.fleet.recordLeaseEvents(st, events);
    // A beat without a state changes only the heartbeat's age: the feeds' periodic re-read shows it.
    if (state) await this.changes.bump(st);
    const beat = { station: st, state_stored: r.hashStored, renewed: r.renewed };
    if (stored.kind === 'limited')
      // The beat itself counted (the fields above); only the events wait.
      return refuse(
        429,
        `station '${st}' sent more than ${MAX_LEASE_EVENTS_PER_MINUTE} lease events this minute; none of these ${events.length} were stored, send them again in ${Math.ceil(stored.retryAfterMs / 1000)} s`,
        { reason: 'rate-limited', retry_after_ms: stored.retryAfterMs, ...beat, lease_events_stored: 0 },
      );
    return ok({ ...beat, lease_events_stored: events.length });
  }

  private async goodbye(st: string, body: JsonObject): Promise<Answer> {
    const said = await this.fleet.goodbye(st, ulidField(body, 'incarnation', true) as string);
    if (said) await this.changes.bump(st);
    return said
      ? ok({ station: st, stopped: true })
      : refuse(409, `station '${st}' has a newer agent; nothing changed`, { reason: 'superseded' });
  }

  private async poll(st: string, body: JsonObject): Promise<Answer> {
    const incarnation = ulidField(body, 'incarnation', true) as string;
    const waitMs = Math.min(MAX_POLL_WAIT_MS, intField(body, 'wait_ms', 0, 3_600_000, 0));
    const current = async () => (await this.fleet.station(st))?.incarnation === incarnation;
    if (!(await current()))
      return refuse(409, `station '${st}' has a newer agent; this incarnation may not take requests`, { reason: 'superseded' });
    const wake = this.wake.wait(st, waitMs);
    let pending = await this.fleet.pending(st);
    if (pending.length === 0 && waitMs > 0) {
      await wake.done;
      pending = await this.fleet.pending(st);
    }
    wake.cancel();
    const nowUs = await this.lab.serverTimeUs();
    return ok(stringify({ requests: pending.map((r) => requestJson(r, nowUs)) }));
  }

  /** GET /fleet/changes?after=<version>&generation=<id>&wait_ms=<ms>: a long poll for fleet-feed.ts. */
  private async changesAfter(q: URLSearchParams): Promise<Answer> {
    const after = queryInt(q, 'after', 0, Number.MAX_SAFE_INTEGER, 0);
    const generation = q.get('generation') ?? '';
    if (generation.length > 64) throw new BadRequest('generation: at most 64 characters');
    const waitMs = Math.min(MAX_CHANGES_WAIT_MS, queryInt(q, 'wait_ms', 0, 3_600_000, 0));
    const c = await this.changes.next(after, generation, waitMs);
    return ok({
      version: c.version,
      generation: c.generation,
      reset: c.reset,
      changed_stations: c.stations,
      lab_changed: c.lab,
    });
  }

  private async claim(st: string, id: string, body: JsonObject): Promise<Answer> {
    const r = await this.fleet.claim(st, id, ulidField(body, 'incarnation', true) as string);
    if (r.kind === 'superseded')
      return refuse(409, `station '${st}' has a newer agent; this incarnation may not claim requests`, { reason: 'superseded' });
    if (r.kind === 'missing') return refuse(404, `no request ${id} for station '${st}'`);
    if (r.kind === 'taken')
      return refuse(409, `request ${id} is ${r.state} already; it runs at most once`, { reason: 'taken', state: r.state });
    if (r.kind !== 'ok') return refuse(409, `request ${id} is past its deadline; refused`, { reason: 'expired' });
    const q = r.request;
    return ok(stringify({ id, kind: q.kind, target: new RawJson(q.target), requested_by: q.by, deadline_us: q.deadlineUs }));
  }

  private async result(st: string, id: string, body: JsonObject): Promise<Answer> {
    const outcome = stringField(body, 'outcome', true);
    if (outcome !== 'done' && outcome !== 'refused') throw new BadRequest('outcome: expected done or refused');
    const detail = (stringField(body, 'detail', false) ?? '').slice(0, 2000);
    const stored = await this.fleet.finish(st, id, ulidField(body, 'incarnation', true) as string, outcome, detail);
    return stored
      ? ok({ id, state: outcome })
      : refuse(409, `request ${id} is not running for this incarnation; its result was not stored`, { reason: 'not-claimed' });
  }

  private async createRequest(st: string, who: Who, body: JsonObject): Promise<Answer> {
    const kind = stringField(body, 'kind', true) as string;
    if (!isRemoteKind(kind)) throw new BadRequest(`kind: expected ${REMOTE_KINDS.join(', ')}`);
    const target = body.get('target');
    if (!isJsonObject(target ?? null)) throw new BadRequest('target: expected a JSON object');
    const deadlineMs = intField(body, 'deadline_ms', 1, MAX_DEADLINE_MS, 30_000);
    const id = ulid();
    const by = who.kind === 'lab' ? 'lab token' : `station ${who.station}`;
    const made = await this.fleet.createRequest(id, st, kind, compactJson(target as JsonValue), by, deadlineMs);
    if (!made) return refuse(404, `station '${st}' has never run an agent; nobody there could execute the request`);
    const r = await this.fleet.request(id);
    return ok(stringify(requestJson(r!, made.createdUs)), 201);
  }

  private async getRequest(id: string): Promise<Answer> {
    const r = await this.fleet.request(id);
    if (!r) return refuse(404, `no request ${id} (requests are kept 7 days)`);
    return ok(stringify(requestJson(r, await this.lab.serverTimeUs())));
  }

  private async list(): Promise<Answer> {
    const [stations, nowUs] = await Promise.all([this.fleet.stations(), this.lab.serverTimeUs()]);
    const conflicts = await this.conflictsOf(stations);
    const per = (st: string) => conflicts.filter((c) => c.ids.some((i) => i.station === st)).length;
    return ok({ server_time_us: nowUs, stations: stations.map((s) => stationJson(s, nowUs, per(s.station))), conflicts: conflicts.length });
  }

  private async show(st: string): Promise<Answer> {
    const [s, nowUs, all] = await Promise.all([this.fleet.station(st), this.lab.serverTimeUs(), this.fleet.stations()]);
    if (!s) return refuse(404, `station '${st}' has published nothing`);
    const conflicts = (await this.conflictsOf(all)).filter((c) => c.ids.some((i) => i.station === st));
    const audit = await this.fleet.audit(20, st);
    return ok(
      stringify({
        ...stationJson(s, nowUs, conflicts.length),
        conflicts,
        audit: audit.map((m) => ({ id: m.id, ...m.fields })),
        state: s.state ? new RawJson(s.state) : null,
      }),
    );
  }

  /** GET /fleet/audit?since_ms=&until_ms=&station=: lease events (their own stream only), oldest first, bounded. */
  private async leaseAudit(query: URLSearchParams): Promise<Answer> {
    const nowMs = Math.floor((await this.lab.serverTimeUs()) / 1000);
    const q = auditQuery(query, nowMs, stationProblem);
    const { events, truncated } = await this.fleet.leaseEvents(q);
    return ok({ server_time_ms: nowMs, since_ms: q.sinceMs, until_ms: q.untilMs, truncated, events });
  }

  private async conflicts(): Promise<Answer> {
    return ok({ conflicts: await this.conflictsOf(await this.fleet.stations()) });
  }

  private async conflictsOf(stations: Awaited<ReturnType<FleetStore['stations']>>) {
    const names = publishedNames(stations);
    const ids = new Map<string, string>();
    for (let i = 0; i < names.length; i += 500) {
      const slice = names.slice(i, i + 500);
      const got = await Promise.all(slice.map((n) => this.lab.redis.hGet(this.lab.keys.entry(n), 'id')));
      slice.forEach((n, j) => got[j] && ids.set(n, got[j] as string));
    }
    return findConflicts(stations, ids);
  }
}

function station(segment: string): string {
  const problem = stationProblem(segment);
  if (problem) throw new BadRequest(problem);
  return segment;
}

function requestId(segment: string | undefined): string {
  if (!segment || !isUlid(segment)) throw new BadRequest('a request id is a ULID');
  return segment;
}

/** A station token writes only its own station's agent data. */
function ownStation(who: Who, st: string): void {
  if (who.kind === 'station' && who.station !== st)
    throw new Forbidden(`this token belongs to station '${who.station}'; it may not write the agent data of '${st}'`);
}

function ulidField(body: JsonObject, key: string, required: boolean): string | undefined {
  const v = stringField(body, key, required);
  if (v !== undefined && !isUlid(v)) throw new BadRequest(`${key}: expected a ULID`);
  return v;
}

function intField(body: JsonObject, key: string, min: number, max: number, fallback?: number): number {
  const v = body.get(key);
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    throw new BadRequest(`${key}: required`);
  }
  const n = v instanceof JsonNumber && v.isIntegerLiteral() ? v.toNumber() : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new BadRequest(`${key}: expected an integer from ${min} to ${max}`);
  return n;
}

function queryInt(q: URLSearchParams, key: string, min: number, max: number, fallback: number): number {
  const v = q.get(key);
  if (v === null || v === '') return fallback;
  const n = /^\d{1,16}$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new BadRequest(`${key}: expected an integer from ${min} to ${max}`);
  return n;
}

function arrayField(body: JsonObject, key: string): JsonValue[] | undefined {
  const v = body.get(key);
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new BadRequest(`${key}: expected an array`);
  return v;
}
