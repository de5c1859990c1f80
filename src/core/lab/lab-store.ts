import { LabKeys } from './lab-keys';
import { LOCK, READ_ENTRY, REGISTER, runScript, STATION_STATE, UNLOCK } from './lab-scripts';
import type { LabRedis } from './redis-connection';

/**
 * The lab registry's state in Redis: entries, lab locks with fencing tokens, conflicts and the
 * stations' state blobs. Every decision is made inside a Lua script on Redis' clock (see
 * lab-scripts.ts); this class only packs arguments and unpacks answers, and holds no state of
 * its own, so any number of replicas can use it side by side.
 */

export interface LabLock {
  holderHost: string;
  holderPid: number;
  holderInstance: string;
  acquiredUs: number;
  heartbeatUs: number;
  expiresUs: number;
  /** Grows with every grant of this name's lock, never reused. */
  fence: number;
}

export interface LabEntry {
  name: string;
  id: string;
  componentType: string;
  createdUs: number;
  lastSeenUs: number;
  /** Top-level metadata keys with their JSON text. */
  metadata: [string, string][];
  /** The lock while it is live (server time < expires), else null. */
  lock: LabLock | null;
  /** Conflict records, newest first (JSON text). */
  conflicts: string[];
  nowUs: number;
}

export interface Holder {
  host: string;
  pid: number;
  instance: string;
}

export interface RegisterRequest {
  id: string;
  componentType: string;
  metadata: [string, string][];
  acquire?: Holder;
  /** Who is asking, for the conflict record: the station of the token, or null for the lab token. */
  station: string | null;
  /** Host/pid/instance the client gave, recorded with a conflict even without acquire. */
  claimed: Partial<Holder>;
}

export type RegisterResult =
  | { kind: 'created' | 'ok'; lock?: LabLock & { granted: boolean } }
  | { kind: 'conflict'; labId: string }
  | { kind: 'type'; labType: string }
  | { kind: 'locked'; lock: LabLock };

export type LockResult = { kind: 'ok'; lock: LabLock & { granted: boolean } } | { kind: 'locked'; lock: LabLock } | { kind: 'missing' };

export type UnlockResult =
  | { kind: 'released' | 'free'; atUs: number }
  | { kind: 'locked'; lock: LabLock }
  | { kind: 'forbidden'; holderHost: string }
  | { kind: 'missing' };

export const CONFLICTS_SHOWN = 20;

export class LabStore {
  readonly keys: LabKeys;

  constructor(
    readonly redis: LabRedis,
    fleet: string,
    readonly leaseTtlMs: number,
  ) {
    this.keys = new LabKeys(fleet);
  }

  get ready(): boolean {
    return this.redis.isReady;
  }

  async register(name: string, req: RegisterRequest): Promise<RegisterResult> {
    const k = this.keys;
    const holder = req.acquire ?? { host: '', pid: 0, instance: '' };
    const record = JSON.stringify({
      offered_id: req.id,
      host: req.claimed.host ?? null,
      pid: req.claimed.pid ?? null,
      instance: req.claimed.instance ?? null,
      station: req.station,
    });
    const args = [
      name,
      req.id,
      req.componentType,
      req.acquire ? '1' : '0',
      holder.host,
      String(holder.pid),
      holder.instance,
      this.ttlUs(),
      record.slice(1),
    ];
    for (const [key, text] of req.metadata) args.push(key, text);
    const r = (await runScript(
      this.redis,
      REGISTER,
      [k.entry(name), k.meta(name), k.names, k.fences, k.conflicts(name), k.conflicted],
      args,
    )) as string[];
    if (r[0] === 'conflict') return { kind: 'conflict', labId: r[1] };
    if (r[0] === 'type') return { kind: 'type', labType: r[1] };
    if (r[0] === 'locked') return { kind: 'locked', lock: lockFrom(r.slice(1)) };
    const kind = r[0] as 'created' | 'ok';
    return r[1] === 'ok' ? { kind, lock: { ...lockFrom(r.slice(2)), granted: r[9] === '1' } } : { kind };
  }

  async lock(name: string, holder: Holder): Promise<LockResult> {
    const k = this.keys;
    const r = (await runScript(
      this.redis,
      LOCK,
      [k.entry(name), k.fences],
      [name, holder.host, String(holder.pid), holder.instance, this.ttlUs()],
    )) as string[];
    if (r[0] === 'missing') return { kind: 'missing' };
    if (r[0] === 'locked') return { kind: 'locked', lock: lockFrom(r.slice(1)) };
    return { kind: 'ok', lock: { ...lockFrom(r.slice(1)), granted: r[8] === '1' } };
  }

  /** `scope`: the station whose locks may be released, or null (the lab token) for any. */
  async unlock(name: string, instance: string, scope: string | null): Promise<UnlockResult> {
    const r = (await runScript(this.redis, UNLOCK, [this.keys.entry(name)], [instance, scope ?? ''])) as string[];
    if (r[0] === 'missing') return { kind: 'missing' };
    if (r[0] === 'locked') return { kind: 'locked', lock: lockFrom(r.slice(1)) };
    if (r[0] === 'forbidden') return { kind: 'forbidden', holderHost: r[1] };
    return { kind: r[0] as 'released' | 'free', atUs: Number(r[1]) };
  }

  async read(name: string): Promise<LabEntry | undefined> {
    const k = this.keys;
    const r = (await runScript(this.redis, READ_ENTRY, [k.entry(name), k.meta(name), k.conflicts(name)], [String(CONFLICTS_SHOWN)])) as [
      string,
      string[]?,
      string[]?,
      string[]?,
    ];
    if (!r[1]) return undefined;
    return entryFrom(name, Number(r[0]), pairs(r[1]), pairs(r[2] ?? []), r[3] ?? []);
  }

  /** Every entry in the order the lab first heard of them. */
  async list(): Promise<LabEntry[]> {
    const names = await this.redis.zRange(this.keys.names, 0, -1);
    const entries: LabEntry[] = [];
    // Read in slices so 10,000 names neither go one round trip at a time nor all at once.
    for (let i = 0; i < names.length; i += 200) {
      const slice = await Promise.all(names.slice(i, i + 200).map((n) => this.read(n)));
      for (const e of slice) if (e) entries.push(e);
    }
    return entries;
  }

  /** Conflicts of every name, newest name first: [name, lab id, record JSON text][]. */
  async conflicts(): Promise<[string, string, string][]> {
    const names = await this.redis.zRange(this.keys.conflicted, 0, -1, { REV: true });
    const out: [string, string, string][] = [];
    for (const name of names) {
      const [id, records] = await Promise.all([
        this.redis.hGet(this.keys.entry(name), 'id'),
        this.redis.lRange(this.keys.conflicts(name), 0, -1),
      ]);
      for (const r of records) out.push([name, id ?? '', r]);
    }
    return out;
  }

  async putStationState(station: string, stateJson: string): Promise<number> {
    return Number(await runScript(this.redis, STATION_STATE, [this.keys.station(station), this.keys.stations], [station, stateJson]));
  }

  async stationState(station: string): Promise<{ state: string; updatedUs: number } | undefined> {
    const h = await this.redis.hGetAll(this.keys.station(station));
    return h.state === undefined ? undefined : { state: h.state, updatedUs: Number(h.updated_us) };
  }

  async serverTimeUs(): Promise<number> {
    const [s, u] = (await this.redis.sendCommand(['TIME'])) as [string, string];
    return Number(s) * 1e6 + Number(u);
  }

  private ttlUs(): string {
    return String(Math.round(this.leaseTtlMs * 1000));
  }
}

function pairs(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

/** [host, pid, instance, acquired_us, heartbeat_us, expires_us, fence] as the scripts return them. */
function lockFrom(r: string[]): LabLock {
  return {
    holderHost: r[0],
    holderPid: Number(r[1]),
    holderInstance: r[2],
    acquiredUs: Number(r[3]),
    heartbeatUs: Number(r[4]),
    expiresUs: Number(r[5]),
    fence: Number(r[6]),
  };
}

function entryFrom(name: string, nowUs: number, fields: [string, string][], metadata: [string, string][], conflicts: string[]): LabEntry {
  const f = new Map(fields);
  const expires = Number(f.get('lock_expires_us'));
  const live = f.has('lock_instance') && nowUs < expires;
  return {
    name,
    id: f.get('id') ?? '',
    componentType: f.get('component_type') ?? '',
    createdUs: Number(f.get('created_us')),
    lastSeenUs: Number(f.get('last_seen_us') ?? f.get('created_us')),
    metadata,
    lock: live
      ? lockFrom(
          ['lock_host', 'lock_pid', 'lock_instance', 'lock_acquired_us', 'lock_heartbeat_us', 'lock_expires_us', 'lock_fence'].map(
            (key) => f.get(key) ?? '',
          ),
        )
      : null,
    conflicts,
    nowUs,
  };
}
