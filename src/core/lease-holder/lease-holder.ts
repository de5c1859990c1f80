import { EventEmitter } from 'node:events';
import { hostName } from '../processes/host-name';
import { ulid } from 'ulid';
import { RegistryFile } from '../registry/registry-file';
import { RegistryDocument, RegistryEntry, RegistryLock } from '../registry/types';
import { Timestamp } from '../time/timestamp';
import {
  BOOT_ID_KEY,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_LEASE_TTL_MS,
  LeaseNow,
  MONO_HEARTBEAT_KEY,
  PID_NAMESPACE_KEY,
} from '../leases/lease-rules';
import { JsonNumber, JsonObject } from '../json/json-value';

/**
 * The leases (heartbeat locks) this process holds, and the one timer that keeps them alive.
 *
 * MADSci runs a thread per entry, each doing its own locked write. Here one heartbeat refreshes
 * every lease in a registry file with a single locked write, whatever their number.
 *
 * Fencing: a refresh only touches an entry whose lock still carries this holder's instance id and
 * the `acquired_at` it acquired with. If another holder took the lease (after expiry, or a forced
 * rename), the lease is reported lost through the 'lost' event and dropped; the new holder's lock
 * is never overwritten. The timer never throws: failures are reported through 'heartbeat-error'.
 */

export interface LeaseHolderOptions {
  instanceId?: string;
  ttlMs?: number;
  heartbeatMs?: number;
  hostname?: string;
  pid?: number;
}

export interface HeldLease {
  file: RegistryFile;
  name: string;
  /** The fence: the `acquired_at` (µs) of the lock this holder took. */
  acquiredAtMicros: number;
}

export interface LeaseHolderEvents {
  /** A lease this process believed it held belongs to someone else now, or its entry is gone. */
  lost: [lease: HeldLease, reason: string];
  /** A heartbeat could not be written (it is retried at the next interval). */
  'heartbeat-error': [err: Error, file: RegistryFile];
  /** A heartbeat wrote these names. */
  refreshed: [names: string[], file: RegistryFile];
}

export class LeaseHolder extends EventEmitter<LeaseHolderEvents> {
  readonly instanceId: string;
  readonly ttlMs: number;
  readonly heartbeatMs: number;
  readonly hostname: string;
  readonly pid: number;
  /** By registry path, so two RegistryFile objects on one file share one heartbeat. */
  private readonly held = new Map<string, Map<string, HeldLease>>();
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;

  constructor(options: LeaseHolderOptions = {}) {
    super();
    this.instanceId = options.instanceId ?? ulid();
    this.ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.hostname = options.hostname ?? hostName();
    this.pid = options.pid ?? process.pid;
  }

  /** A new lock for this holder, starting `now`. */
  newLock(now: LeaseNow): RegistryLock {
    return {
      holderPid: this.pid,
      holderHost: this.hostname,
      holderInstance: this.instanceId,
      acquiredAt: now.wall,
      heartbeatAt: now.wall,
      expiresAt: now.wall.plusMillis(this.ttlMs),
      extra: monotonicExtra(new Map(), now),
    };
  }

  /** The lock, refreshed at `now` (same holder, same acquired_at: the fence). */
  refreshedLock(lock: RegistryLock, now: LeaseNow): RegistryLock {
    return { ...lock, heartbeatAt: now.wall, expiresAt: now.wall.plusMillis(this.ttlMs), extra: monotonicExtra(new Map(lock.extra), now) };
  }

  /** Starts heartbeating `name` in `file`; called after the lock was written. */
  track(file: RegistryFile, name: string, acquiredAt: Timestamp): void {
    let leases = this.held.get(file.path);
    if (!leases) this.held.set(file.path, (leases = new Map()));
    leases.set(name, { file, name, acquiredAtMicros: acquiredAt.micros });
    this.ensureTimer();
  }

  /** Stops heartbeating `name` (after a release, or when it was renamed by this holder). */
  untrack(file: RegistryFile, name: string): HeldLease | undefined {
    const leases = this.held.get(file.path);
    const lease = leases?.get(name);
    leases?.delete(name);
    if (leases && leases.size === 0) this.held.delete(file.path);
    if (this.held.size === 0) this.stopTimer();
    return lease;
  }

  isHolding(file: RegistryFile, name: string): boolean {
    return this.held.get(file.path)?.has(name) ?? false;
  }

  /** One heartbeat now: one locked write per registry file. Never throws. */
  heartbeat(): Promise<void> {
    if (!this.beating) {
      this.beating = this.beatAll().finally(() => (this.beating = undefined));
    }
    return this.beating;
  }

  /** Releases every lease (clearing the locks that are still ours) and stops the timer. */
  async releaseAll(): Promise<void> {
    this.stopTimer();
    await this.beating;
    const files = [...this.held.values()];
    this.held.clear();
    await Promise.all(
      files.map(async (leases) => {
        const file = [...leases.values()][0].file;
        try {
          await file.update((doc) => {
            if (!doc) return { result: undefined };
            const entries = new Map(doc.entries);
            let changed = false;
            for (const lease of leases.values()) {
              const entry = entries.get(lease.name);
              if (entry?.kind === 'entry' && this.fenceHolds(entry, lease)) {
                entries.set(lease.name, { ...entry, lock: null });
                changed = true;
              }
            }
            return { doc: changed ? { ...doc, entries } : undefined, result: undefined };
          });
        } catch (err) {
          this.emit('heartbeat-error', err as Error, file);
        }
      }),
    );
  }

  stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  fenceHolds(entry: RegistryEntry, lease: Pick<HeldLease, 'acquiredAtMicros'>): boolean {
    return entry.lock?.holderInstance === this.instanceId && entry.lock.acquiredAt.micros === lease.acquiredAtMicros;
  }

  private ensureTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.heartbeat(), this.heartbeatMs);
    this.timer.unref(); // leases never keep a process alive on their own
  }

  private async beatAll(): Promise<void> {
    await Promise.all([...this.held.keys()].map((key) => this.beatFile(key)));
  }

  private async beatFile(key: string): Promise<void> {
    const leases = this.held.get(key);
    if (!leases || leases.size === 0) return;
    const file = [...leases.values()][0].file;
    let outcome: { refreshed: string[]; lost: [HeldLease, string][] };
    try {
      outcome = await file.update((doc, now) => this.refresh(file, doc, [...leases.values()], now));
    } catch (err) {
      this.emit('heartbeat-error', err as Error, file);
      return;
    }
    for (const [lease, reason] of outcome.lost) {
      if (this.held.get(key)?.get(lease.name) === lease) this.untrack(file, lease.name);
      this.emit('lost', lease, reason);
    }
    if (outcome.refreshed.length > 0) this.emit('refreshed', outcome.refreshed, file);
  }

  private refresh(file: RegistryFile, doc: RegistryDocument | undefined, leases: HeldLease[], now: Timestamp) {
    const refreshed: string[] = [];
    const lost: [HeldLease, string][] = [];
    const entries = new Map(doc?.entries ?? []);
    for (const lease of leases) {
      const entry = entries.get(lease.name);
      if (!doc || !entry) lost.push([lease, `entry '${lease.name}' no longer exists`]);
      else if (entry.kind !== 'entry') lost.push([lease, `entry '${lease.name}' is no longer readable`]);
      else if (!this.fenceHolds(entry, lease)) lost.push([lease, lostReason(entry)]);
      else {
        const lock = entry.lock as RegistryLock;
        entries.set(lease.name, { ...entry, lastSeen: now, lock: this.refreshedLock(lock, file.clock.leaseNow(now)) });
        refreshed.push(lease.name);
      }
    }
    const changed = doc && refreshed.length > 0 ? { ...doc, entries } : undefined;
    return { doc: changed, result: { refreshed, lost } };
  }
}

function lostReason(entry: RegistryEntry): string {
  const lock = entry.lock;
  if (!lock) return `the lock on '${entry.name}' was released or cleared by another process`;
  return `'${entry.name}' is now locked by ${lock.holderHost} (PID ${lock.holderPid}) since ${lock.acquiredAt.text}`;
}

/**
 * Records the monotonic heartbeat (this boot only) beside MADSci's wall-clock fields, and the pid
 * namespace that `holder_pid` belongs to (a reader in another namespace must not judge it by pid).
 */
function monotonicExtra(extra: JsonObject, now: LeaseNow): JsonObject {
  extra.delete(MONO_HEARTBEAT_KEY);
  extra.delete(BOOT_ID_KEY);
  extra.delete(PID_NAMESPACE_KEY);
  if (now.mono !== undefined && now.bootId) {
    extra.set(MONO_HEARTBEAT_KEY, new JsonNumber(String(Math.round(now.mono))));
    extra.set(BOOT_ID_KEY, now.bootId);
    if (now.pidNamespace) extra.set(PID_NAMESPACE_KEY, now.pidNamespace);
  }
  return extra;
}
