import { isJsonObject } from '../json/json-value';
import { Timestamp } from '../time/timestamp';
import { stationProblem } from './lab-keys';
import { compactJson, conflictJson, entryJson, isoTime, lockJson, RawJson, stringify } from './lab-json';
import { listReplicas } from './lab-replicas';
import { BadRequest, holderFields, labNameProblem, parseBody, registerBody, stringField } from './lab-request';
import type { Answer } from './lab-server';
import { Holder, LabLock, LabStore } from './lab-store';
import { LabTokens } from './lab-tokens';

/**
 * What each lab route does once the request is known to be well-formed and authenticated. Who
 * may write what: the lab token anything; a station token only locks in its own host name (as
 * `holder_host`), releases of locks its host holds, and its own /fleet/stations/{station}/state.
 */

export type Who = { kind: 'lab' } | { kind: 'station'; station: string };
type Handler = (who: Who, body: Buffer, query: URLSearchParams) => Promise<Answer>;

export interface Route {
  /** No token needed (only /health). */
  open?: boolean;
  /** A long poll: may take this much longer than the store timeout. */
  longPollMs?: number;
  methods: Record<string, Handler>;
}

export interface ReplicaSelf {
  instance: string;
  host: string;
  pid: number;
  url: string;
  startedUs: number;
  redis: string;
}

const ok = (body: Answer['body'], code = 200): Answer => ({ code, body });
const refuse = (code: number, error: string, extra: Record<string, unknown> = {}): Answer => ({ code, body: { error, ...extra } });

export class LabRoutes {
  constructor(
    private readonly store: LabStore,
    private readonly tokens: LabTokens,
    private readonly self: () => ReplicaSelf,
    private readonly log?: (line: string) => void,
    /** After a write the fleet feeds show: a station's state (its name) or the lab registry (none). */
    private readonly changed: (station?: string) => Promise<void> = async () => undefined,
  ) {}

  match(s: string[]): Route | undefined {
    const [a, b, c, d] = s;
    if (s.length === 1 && a === 'health') return { open: true, methods: { GET: async () => this.health() } };
    if (a === 'registry') {
      if (s.length === 2 && b === 'entries') return { methods: { GET: async () => this.list() } };
      if (s.length === 3 && b === 'resolve') return { methods: { GET: async () => this.resolve(name(c)) } };
      if (s.length === 3 && b === 'entries') return { methods: { POST: (who, body) => this.register(name(c), who, body) } };
      if (s.length === 4 && b === 'entries' && d === 'lock') return { methods: { POST: (who, body) => this.lock(name(c), who, body) } };
      if (s.length === 4 && b === 'entries' && d === 'unlock') return { methods: { POST: (who, body) => this.unlock(name(c), who, body) } };
    }
    if (a === 'fleet' && b === 'stations' && s.length === 4 && d === 'state') {
      return { methods: { GET: async () => this.getState(station(c)), PUT: (who, body) => this.putState(station(c), who, body) } };
    }
    if (a === 'lab') {
      if (s.length === 2 && b === 'status') return { methods: { GET: async () => this.status() } };
      if (s.length === 2 && b === 'conflicts') return { methods: { GET: async () => this.conflicts() } };
      if (s.length === 4 && b === 'stations' && d === 'tokens') {
        return {
          methods: { POST: async (who) => this.createToken(station(c), who), DELETE: async (who) => this.revokeTokens(station(c), who) },
        };
      }
    }
    return undefined;
  }

  private health(): Answer {
    return this.store.ready
      ? ok({ ok: true, service: 'hubkeeper-lab', fleet: this.store.keys.fleet })
      : refuse(503, 'the lab store (Redis) is unreachable', { ok: false, service: 'hubkeeper-lab' });
  }

  private async resolve(n: string): Promise<Answer> {
    const entry = await this.store.read(n);
    if (!entry) return refuse(404, `Entry '${n}' not found in the lab registry`);
    return ok(stringify(entryJson(entry)));
  }

  private async list(): Promise<Answer> {
    const entries = await this.store.list();
    return ok(stringify({ entries: entries.map(entryJson) }));
  }

  private async register(n: string, who: Who, raw: Buffer): Promise<Answer> {
    const body = registerBody(parseBody(raw));
    if (body.claimed.host !== undefined) ownHost(who, body.claimed.host, 'lock_holder_host');
    const acquire = body.acquireLock ? (body.claimed as Holder) : undefined;
    const r = await this.store.register(n, { ...body, acquire, station: who.kind === 'station' ? who.station : null });
    if (r.kind !== 'type' && r.kind !== 'locked') await this.changed();
    if (r.kind === 'conflict') {
      this.log?.(
        `lab: conflict: '${n}' has id ${r.labId}; ${body.claimed.host ?? '?'} (PID ${body.claimed.pid ?? '?'}) offered ${body.id}`,
      );
      return refuse(409, `'${n}' already has id ${r.labId} in the lab; the offered id ${body.id} was refused and recorded as a conflict`, {
        id: r.labId,
      });
    }
    if (r.kind === 'type')
      return refuse(409, `'${n}' is a ${r.labType} in the lab, not a ${body.componentType}`, { id: body.id, component_type: r.labType });
    if (r.kind === 'locked') return refuse(409, lockedBy(r.lock), { id: body.id, lock: lockJson(r.lock) });
    const entry = await this.store.read(n);
    if (!entry) throw new Error(`'${n}' vanished right after it was registered`);
    return ok(stringify({ ...entryJson(entry), created: r.kind === 'created', lock: r.lock ? lockJson(r.lock) : entryJson(entry).lock }));
  }

  private async lock(n: string, who: Who, raw: Buffer): Promise<Answer> {
    const holder = holderFields(parseBody(raw), 'holder_', true) as Holder;
    ownHost(who, holder.host, 'holder_host');
    const r = await this.store.lock(n, holder);
    if (r.kind === 'missing') return refuse(404, `Entry '${n}' not found in the lab registry`);
    if (r.kind === 'locked') return refuse(409, lockedBy(r.lock), { lock: lockJson(r.lock) });
    // A renewal by the same holder changes only the expiry, which the feeds' periodic re-read shows.
    if (r.lock.granted) await this.changed();
    return ok({ name: n, granted: r.lock.granted, fencing_token: r.lock.fence, lock: lockJson(r.lock) });
  }

  private async unlock(n: string, who: Who, raw: Buffer): Promise<Answer> {
    const instance = stringField(parseBody(raw), 'holder_instance', true) as string;
    const r = await this.store.unlock(n, instance, who.kind === 'station' ? who.station : null);
    if (r.kind === 'missing') return refuse(404, `Entry '${n}' not found in the lab registry`);
    if (r.kind === 'locked') return refuse(409, lockedBy(r.lock), { lock: lockJson(r.lock) });
    if (r.kind === 'forbidden')
      return refuse(403, `the lab lock on '${n}' is held by ${r.holderHost}; this station token may release only its own station's locks`);
    if (r.kind === 'released') await this.changed();
    return ok({ name: n, released: r.kind === 'released', at: isoTime(r.atUs) });
  }

  private async getState(st: string): Promise<Answer> {
    const s = await this.store.stationState(st);
    if (!s) return refuse(404, `station '${st}' has stored no state`);
    return ok(stringify({ station: st, state: new RawJson(s.state), updated_at: isoTime(s.updatedUs) }));
  }

  private async putState(st: string, who: Who, raw: Buffer): Promise<Answer> {
    if (who.kind === 'station' && who.station !== st)
      return refuse(403, `this token belongs to station '${who.station}'; it may not write the state of '${st}'`);
    const body = parseBody(raw);
    const state = body.get('state');
    if (!isJsonObject(state ?? null)) throw new BadRequest('state: expected a JSON object');
    const updatedUs = await this.store.putStationState(st, compactJson(state!));
    await this.changed(st);
    return ok({ station: st, updated_at: isoTime(updatedUs) });
  }

  private async status(): Promise<Answer> {
    const redis = this.store.redis;
    const nowUs = await this.store.serverTimeUs();
    const [replicas, entries, conflicted, stations, tokens, info] = await Promise.all([
      listReplicas(redis, this.store.keys, nowUs),
      redis.zCard(this.store.keys.names),
      redis.zCard(this.store.keys.conflicted),
      redis.zCard(this.store.keys.stations),
      this.tokens.list(),
      redis.info(),
    ]);
    const field = (key: string) => new RegExp(`^${key}:(.*)$`, 'm').exec(String(info))?.[1]?.trim() ?? null;
    const me = this.self();
    return ok({
      fleet: this.store.keys.fleet,
      lease_ttl_seconds: this.store.leaseTtlMs / 1000,
      server_time: isoTime(nowUs),
      replica: { instance: me.instance, host: me.host, pid: me.pid, url: me.url, started_at: isoTime(me.startedUs) },
      replicas: replicas.map((r) => ({
        instance: r.instance,
        host: r.host,
        pid: r.pid,
        url: r.url,
        started_at: isoTime(r.startedUs),
        seen_at: isoTime(r.seenUs),
        alive: r.alive,
      })),
      redis: {
        url: me.redis,
        version: field('redis_version'),
        used_memory_bytes: Number(field('used_memory')),
        aof_enabled: field('aof_enabled') === '1',
      },
      counts: { entries, conflicted_names: conflicted, stations, station_tokens: tokens.length },
    });
  }

  private async conflicts(): Promise<Answer> {
    const all = await this.store.conflicts();
    return ok({ conflicts: all.map(([n, labId, text]) => conflictJson(n, labId, text)) });
  }

  private async createToken(st: string, who: Who): Promise<Answer> {
    if (who.kind !== 'lab') return refuse(403, 'only the lab token may create station tokens');
    const t = await this.tokens.create(st);
    return ok({ station: t.station, token: t.token, token_id: t.tokenId, created_at: isoTime(t.createdUs) }, 201);
  }

  private async revokeTokens(st: string, who: Who): Promise<Answer> {
    if (who.kind !== 'lab') return refuse(403, 'only the lab token may revoke station tokens');
    return ok({ station: st, revoked: await this.tokens.revoke(st) });
  }
}

function name(segment: string): string {
  const problem = labNameProblem(segment);
  if (problem) throw new BadRequest(problem);
  return segment;
}

function station(segment: string): string {
  const problem = stationProblem(segment);
  if (problem) throw new BadRequest(problem);
  return segment;
}

/** A station token locks only in its own name: the lock's host is what says whose it is. */
function ownHost(who: Who, host: string | undefined, field: string): void {
  if (who.kind === 'station' && host !== who.station)
    throw new Forbidden(`${field} '${host}' is not this token's station '${who.station}'`);
}

export class Forbidden extends Error {}

/** MADSci's wording: "Locked by {host} (PID {pid}) until {expires_at}". */
function lockedBy(lock: LabLock): string {
  return `Locked by ${lock.holderHost} (PID ${lock.holderPid}) until ${Timestamp.fromMicros(lock.expiresUs).text}`;
}
