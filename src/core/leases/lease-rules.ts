import * as os from 'node:os';
import { mayBeClaimant } from '../processes/process-identity';
import { RegistryEntry, RegistryLock } from '../registry/types';
import { Timestamp } from '../time/timestamp';
import { JsonNumber } from '../json/json-value';

/** MADSci's defaults: a lock lives 30 s and is refreshed every 10 s. */
export const DEFAULT_LEASE_TTL_MS = 30_000;
export const DEFAULT_HEARTBEAT_MS = 10_000;

export interface AcquireDecision {
  ok: boolean;
  /** MADSci's exact reason text. */
  reason: string;
}

/**
 * "Now" for lease decisions. With a monotonic reading (and this boot's id and host name), a lock
 * that Hubkeeper wrote on this machine is judged by the monotonic clock it recorded, so a jump of
 * the wall clock can neither steal a live holder's lease (forward) nor keep a dead one's for an
 * hour (backward). Locks without that record (MADSci's, other hosts') follow MADSci's wall-clock
 * rule.
 */
export interface LeaseNow {
  wall: Timestamp;
  mono?: number;
  bootId?: string;
  hostname?: string;
}

/** Extra lock keys Hubkeeper writes (MADSci ignores them and drops them on its next write). */
export const MONO_HEARTBEAT_KEY = 'hubkeeper_heartbeat_mono';
export const BOOT_ID_KEY = 'hubkeeper_boot_id';

function asLeaseNow(now: Timestamp | LeaseNow): LeaseNow {
  return now instanceof Timestamp ? { wall: now } : now;
}

/** Milliseconds the lock has left (negative once expired). */
export function msLeft(lock: RegistryLock, now: Timestamp | LeaseNow): number {
  const t = asLeaseNow(now);
  const beat = lock.extra.get(MONO_HEARTBEAT_KEY);
  if (t.mono !== undefined && t.bootId && lock.extra.get(BOOT_ID_KEY) === t.bootId && lock.holderHost === t.hostname && beat instanceof JsonNumber) {
    const ttlMs = (lock.expiresAt.micros - lock.heartbeatAt.micros) / 1000;
    return beat.toNumber() + ttlMs - t.mono;
  }
  return (lock.expiresAt.micros - t.wall.micros) / 1000;
}

/** MADSci's `can_acquire`: a lock is held while `now < expires_at`; the holder's pid is not checked. */
export function canAcquire(entry: Pick<RegistryEntry, 'lock'>, instanceId: string, now: Timestamp | LeaseNow): AcquireDecision {
  const lock = entry.lock;
  if (!lock) return { ok: true, reason: 'No existing lock' };
  if (lock.holderInstance === instanceId) return { ok: true, reason: 'Already locked by this instance' };
  if (isExpired(lock, now)) return { ok: true, reason: `Lock expired at ${lock.expiresAt.toPython()}` };
  return { ok: false, reason: `Locked by ${lock.holderHost} (PID ${lock.holderPid}) until ${lock.expiresAt.toPython()}` };
}

export function isExpired(lock: RegistryLock, now: Timestamp | LeaseNow): boolean {
  return msLeft(lock, now) <= 0;
}

/**
 * - `free`: no lock;
 * - `held`: not expired, and the holder is alive as far as this machine can tell;
 * - `abandoned`: not expired yet, but the holder ran on this machine and is gone (crashed), so
 *   the lock is dead before its TTL says so;
 * - `expired`: `now ≥ expires_at` (MADSci's rule). `holderAlive` still says whether the holder
 *   runs, for display.
 */
export type LockState = 'free' | 'held' | 'abandoned' | 'expired';

export interface LockStatus {
  state: LockState;
  /** Milliseconds until expiry (negative once expired); undefined when free. */
  msLeft?: number;
  /** Whether the holder process runs: undefined when it is on another host (cannot be checked). */
  holderAlive?: boolean;
  /** Evidence, in words: "expired at …", "holder pid 4242 on this machine is not running". */
  reason: string;
}

export interface LockStatusContext {
  now: Timestamp | LeaseNow;
  hostname?: string;
  /** Whether `pid` is the process that took the lock at `sinceMs` (injectable for tests). */
  isHolderAlive?: (pid: number, sinceMs: number) => boolean;
}

export function lockStatus(lock: RegistryLock | null, ctx: LockStatusContext): LockStatus {
  if (!lock) return { state: 'free', reason: 'not locked' };
  const left = msLeft(lock, ctx.now);
  const local = lock.holderHost === (ctx.hostname ?? os.hostname());
  const holderAlive = local ? (ctx.isHolderAlive ?? mayBeClaimant)(lock.holderPid, lock.acquiredAt.millis) : undefined;
  const deadWords = `holder pid ${lock.holderPid} on this machine is not running`;
  if (left <= 0) {
    return { state: 'expired', msLeft: left, holderAlive, reason: `expired at ${lock.expiresAt.text}${holderAlive === false ? `; ${deadWords}` : ''}` };
  }
  if (holderAlive === false) return { state: 'abandoned', msLeft: left, holderAlive, reason: deadWords };
  return { state: 'held', msLeft: left, holderAlive, reason: `held by ${lock.holderHost} (pid ${lock.holderPid})` };
}

/** Stale = expired or abandoned: what the Stale Locks view and `locks list` show. */
export function isStale(status: LockStatus): boolean {
  return status.state === 'expired' || status.state === 'abandoned';
}
