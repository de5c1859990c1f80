import { ulid } from 'ulid';
import { JsonObject, JsonValue } from '../json/json-value';
import { canAcquire, heldByAnother, isExpired, LeaseNow, lockStatus, LockStatus } from '../leases/lease-rules';
import { HeartbeatWatch } from '../leases/heartbeat-watch';
import { LeaseHolder } from '../lease-holder/lease-holder';
import { Timestamp } from '../time/timestamp';
import { alreadyExists, notFound, RegistryError, RegistryLockError } from './errors';
import { assertName } from './names';
import { mergeMetadata, usableEntry } from './entries';
import { cleanStale, CleanStaleOptions, exportDocument, importDocument } from './registry-maintenance';
import { RegistryFile, RegistryFileOptions } from './registry-file';
import {
  ComponentType,
  COMPONENT_TYPES,
  emptyDocument,
  EntryRecord,
  isComponentType,
  RegistryDocument,
  RegistryEntry,
  RegistryLock,
} from './types';

/**
 * The component registry: MADSci's LocalRegistryManager operations and messages over one
 * registry.json, with Hubkeeper's fixes (one bad entry never blocks the others, a type mismatch
 * is an error instead of silently returning the old id, reads never create files).
 */

export interface ComponentRegistryOptions extends RegistryFileOptions {
  /** The holder whose leases this registry takes (default: one per process). */
  holder?: LeaseHolder;
}

export interface ResolveOptions {
  metadata?: JsonObject;
  acquireLock?: boolean;
  /** On contention, retry until this many ms have passed (MADSci's `retry_timeout`); default: fail at once. */
  retryTimeoutMs?: number;
  /** Pause between retries (MADSci: 2 s). */
  retryIntervalMs?: number;
}

/** The lock a release is meant for: its holder instance and acquisition (as shown to whoever asked). */
export interface ExpectedLock {
  holderInstance: string;
  acquiredAt: string;
}

export interface ListOptions {
  type?: ComponentType;
  /** Include entries whose lock has expired (MADSci hides them by default). */
  includeStale?: boolean;
}

let processHolder: LeaseHolder | undefined;
/** The lease holder of this process: one `holder_instance` per process, as in MADSci. */
export function defaultLeaseHolder(): LeaseHolder {
  return (processHolder ??= new LeaseHolder());
}

export class ComponentRegistry {
  readonly file: RegistryFile;
  readonly holder: LeaseHolder;
  /** Earlier reads of each lock: a reader that looks again can see a heartbeat advance or stop. */
  private readonly heartbeats = new HeartbeatWatch();

  constructor(
    readonly path: string,
    options: ComponentRegistryOptions = {},
  ) {
    this.file = new RegistryFile(path, options);
    this.holder = options.holder ?? defaultLeaseHolder();
  }

  /** The whole document as read (undefined when the file does not exist). Throws if corrupt. */
  snapshot(): Promise<RegistryDocument | undefined> {
    return this.file.read();
  }

  async getEntry(name: string): Promise<EntryRecord | undefined> {
    return (await this.file.read())?.entries.get(name);
  }

  /** The id for `name` without taking a lock, or undefined. */
  async lookup(name: string): Promise<string | undefined> {
    const record = await this.getEntry(name);
    return record?.kind === 'entry' ? record.id : undefined;
  }

  /** Valid entries, optionally of one type; entries with an expired lock only when asked. */
  async list(options: ListOptions = {}): Promise<RegistryEntry[]> {
    const doc = await this.file.read();
    if (!doc) return [];
    const now = this.file.clock.leaseNow();
    const out: RegistryEntry[] = [];
    for (const record of doc.entries.values()) {
      if (record.kind !== 'entry') continue;
      if (options.type && record.componentType !== options.type) continue;
      if (!options.includeStale && record.lock && isExpired(record.lock, now)) continue;
      out.push(record);
    }
    return out;
  }

  canAcquire(entry: Pick<RegistryEntry, 'lock'>): { ok: boolean; reason: string } {
    return canAcquire(entry, this.holder.instanceId, this.file.clock.leaseNow());
  }

  /** The entry's lock state by the one rule (lease-rules.ts), with what this object's earlier reads saw. */
  lockStatus(entry: Pick<RegistryEntry, 'name' | 'lock'>): LockStatus {
    return this.statusAt(entry.name, entry.lock, this.file.clock.leaseNow());
  }

  private statusAt(name: string, lock: RegistryLock | null, now: LeaseNow): LockStatus {
    const observed = this.heartbeats.observe(name, lock, now.mono ?? now.wall.millis);
    return lockStatus(lock, { now, hostname: this.holder.hostname, observed });
  }

  /**
   * The id for `name`, creating the entry (with a new ULID) if needed; with `acquireLock` (the
   * default) also takes its lease and keeps it alive with heartbeats until released.
   */
  async resolve(name: string, type: ComponentType, options: ResolveOptions = {}): Promise<string> {
    assertName(name);
    if (!isComponentType(type)) {
      throw new RegistryError(`Unknown component type '${type}' (expected one of ${COMPONENT_TYPES.join(', ')})`, 'invalid-argument');
    }
    const deadline = options.retryTimeoutMs === undefined ? undefined : Date.now() + options.retryTimeoutMs;
    for (;;) {
      try {
        return await this.resolveOnce(name, type, options);
      } catch (err) {
        const left = deadline === undefined ? 0 : deadline - Date.now();
        if (!(err instanceof RegistryLockError) || left <= 0) throw err;
        // Retry every interval, and once more right at the deadline.
        await new Promise((r) => setTimeout(r, Math.min(options.retryIntervalMs ?? 2000, left)));
      }
    }
  }

  private async resolveOnce(name: string, type: ComponentType, options: ResolveOptions): Promise<string> {
    const acquire = options.acquireLock ?? true;
    const { id, acquiredAt } = await this.file.update((doc, now) => {
      const base = doc ?? emptyDocument(now);
      const existing = base.entries.get(name);
      let entry: RegistryEntry;
      if (existing) {
        entry = usableEntry(existing, this.path);
        if (entry.componentType !== type) {
          throw new RegistryError(`Entry '${name}' is a ${entry.componentType}, not a ${type}`, 'invalid-argument', this.path);
        }
        entry = { ...entry, lastSeen: now, metadata: mergeMetadata(entry.metadata, options.metadata) };
      } else {
        entry = {
          kind: 'entry',
          name,
          id: ulid(now.millis),
          componentType: type,
          createdAt: now,
          lastSeen: now,
          metadata: options.metadata ?? new Map(),
          lock: null,
          workcellId: null,
          extra: new Map(),
        };
      }
      let acquiredAt: Timestamp | undefined;
      if (acquire) {
        const lnow = this.file.clock.leaseNow(now);
        const decision = canAcquire(entry, this.holder.instanceId, lnow);
        if (!decision.ok) throw new RegistryLockError(`Cannot acquire lock for '${entry.id}': ${decision.reason}`, this.path);
        // Re-acquiring our own lock keeps its acquired_at, so the heartbeat's fence stays valid.
        const mine = entry.lock?.holderInstance === this.holder.instanceId && !isExpired(entry.lock, lnow);
        const lock = mine && entry.lock ? this.holder.refreshedLock(entry.lock, lnow) : this.holder.newLock(lnow);
        entry = { ...entry, lock };
        acquiredAt = lock.acquiredAt;
      }
      const entries = new Map(base.entries);
      entries.set(name, entry);
      return { doc: { ...base, entries }, result: { id: entry.id, acquiredAt } };
    });
    if (acquiredAt) this.holder.track(this.file, name, acquiredAt);
    return id;
  }

  /** Renames an entry; its id never changes. A live lock of another holder refuses unless `force`, which clears it. */
  async rename(oldName: string, newName: string, options: { force?: boolean } = {}): Promise<string> {
    assertName(newName);
    const result = await this.file.update((doc, now) => {
      const record = doc?.entries.get(oldName);
      if (!doc || !record) throw notFound(oldName, this.path);
      if (doc.entries.has(newName)) throw alreadyExists(newName, this.path);
      let entry = usableEntry(record, this.path);
      const lock = entry.lock;
      const ours = lock?.holderInstance === this.holder.instanceId;
      if (lock && !ours && !isExpired(lock, this.file.clock.leaseNow(now))) {
        if (!options.force)
          throw new RegistryLockError(
            `Cannot rename '${oldName}': currently locked by ${lock.holderHost} (PID ${lock.holderPid})`,
            this.path,
          );
        entry = { ...entry, lock: null };
      }
      const entries = new Map(doc.entries);
      entries.delete(oldName); // a renamed entry moves to the end, as in MADSci
      entries.set(newName, { ...entry, name: newName });
      return { doc: { ...doc, entries }, result: { id: entry.id, keptLock: ours && entry.lock ? entry.lock.acquiredAt : undefined } };
    });
    const lease = this.holder.untrack(this.file, oldName);
    if (lease && result.keptLock) this.holder.track(this.file, newName, result.keptLock);
    return result.id;
  }

  /**
   * Clears the lock on `name` and stops heartbeating it. A live lock of another holder refuses
   * unless `force` (an abandoned one, whose holder cannot be alive, is not live). Returns false
   * when there was no lock to release.
   */
  async release(name: string, options: { force?: boolean; expect?: ExpectedLock } = {}): Promise<boolean> {
    this.holder.untrack(this.file, name);
    return this.file.update((doc, now) => {
      const record = doc?.entries.get(name);
      if (!doc || !record) throw notFound(name, this.path);
      const entry = usableEntry(record, this.path);
      const lock = entry.lock;
      if (!lock) return { result: false };
      // Checked under the file lock, so a lock taken again since it was shown is never released.
      const e = options.expect;
      if (e && (lock.holderInstance !== e.holderInstance || lock.acquiredAt.text !== e.acquiredAt)) {
        throw new RegistryLockError(
          `Cannot release '${name}': the lock is no longer the one named (now instance ${lock.holderInstance} of ${lock.holderHost} (PID ${lock.holderPid}), acquired ${lock.acquiredAt.text})`,
          this.path,
        );
      }
      if (!this.isReleasable(name, lock, now) && !options.force) {
        throw new RegistryLockError(
          `Cannot release '${name}': Locked by ${lock.holderHost} (PID ${lock.holderPid}) until ${lock.expiresAt.toPython()}`,
          this.path,
        );
      }
      const entries = new Map(doc.entries);
      entries.set(name, { ...entry, lock: null });
      return { doc: { ...doc, entries }, result: true };
    });
  }

  /** Deletes an entry (its id is gone for good). A live lock of another holder refuses unless `force`. */
  async remove(name: string, options: { force?: boolean } = {}): Promise<void> {
    this.holder.untrack(this.file, name);
    await this.file.update((doc, now) => {
      const record = doc?.entries.get(name);
      if (!doc || !record) throw notFound(name, this.path);
      const lock = record.kind === 'entry' ? record.lock : null;
      if (lock && !this.isReleasable(name, lock, now) && !options.force) {
        throw new RegistryLockError(`Cannot delete '${name}': currently locked by ${lock.holderHost} (PID ${lock.holderPid})`, this.path);
      }
      const entries = new Map(doc.entries);
      entries.delete(name);
      return { doc: { ...doc, entries }, result: undefined };
    });
  }

  /** Ours, expired, or abandoned (its holder cannot be alive): no live holder would lose it. */
  private isReleasable(name: string, lock: RegistryLock, now: Timestamp): boolean {
    if (lock.holderInstance === this.holder.instanceId) return true;
    return !this.heldByAnother({ name, lock }, this.statusAt(name, lock, this.file.clock.leaseNow(now)));
  }

  /** A live lease of another holder (lease-rules.ts): what release and delete refuse without force. */
  heldByAnother(entry: Pick<RegistryEntry, 'name' | 'lock'>, status: LockStatus = this.lockStatus(entry)): boolean {
    return heldByAnother(entry.lock, status, this.holder.instanceId);
  }

  /** Removes entries not seen for `olderThanDays` and without a live lock; returns their names. */
  cleanStale(options: CleanStaleOptions = {}): Promise<string[]> {
    return cleanStale(this.file, options);
  }

  /** The whole document as JSON (MADSci's `export()`). */
  export(): Promise<JsonObject> {
    return exportDocument(this.file);
  }

  /** Adds the names not present yet (`merge`, the default) or replaces every entry. Returns the names added. */
  import(data: JsonValue, options: { merge?: boolean; source?: string } = {}): Promise<string[]> {
    return importDocument(this.file, data, options);
  }
}
