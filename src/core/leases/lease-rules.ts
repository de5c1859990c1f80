import { hostName } from '../processes/host-name';
import { mayBeClaimant } from '../processes/process-identity';
import { RegistryEntry, RegistryLock } from '../registry/types';
import { LeaseNow } from '../time/lease-clock';
import { Timestamp } from '../time/timestamp';
import { JsonNumber } from '../json/json-value';
import { duration } from '../time/relative';

export { DEFAULT_HEARTBEAT_MS, DEFAULT_LEASE_TTL_MS } from '../defaults';

export interface AcquireDecision {
  ok: boolean;
  /** MADSci's exact reason text. */
  reason: string;
}

export type { LeaseNow } from '../time/lease-clock';

/** Extra lock keys Hubkeeper writes (MADSci ignores them and drops them on its next write). */
export const MONO_HEARTBEAT_KEY = 'hubkeeper_heartbeat_mono';
export const BOOT_ID_KEY = 'hubkeeper_boot_id';
export const PID_NAMESPACE_KEY = 'hubkeeper_pid_ns';

function asLeaseNow(now: Timestamp | LeaseNow): LeaseNow {
  return now instanceof Timestamp ? { wall: now } : now;
}

/** The monotonic heartbeat the lock recorded, when it is comparable with `now`'s (same boot and host). */
function monoHeartbeat(lock: RegistryLock, t: LeaseNow): number | undefined {
  const beat = lock.extra.get(MONO_HEARTBEAT_KEY);
  if (t.mono === undefined || !t.bootId || lock.extra.get(BOOT_ID_KEY) !== t.bootId || lock.holderHost !== t.hostname) return undefined;
  return beat instanceof JsonNumber ? beat.toNumber() : undefined;
}

/** The lease the holder asked for: `expires_at − heartbeat_at` (MADSci: 30 s). */
function leaseMs(lock: RegistryLock): number {
  return (lock.expiresAt.micros - lock.heartbeatAt.micros) / 1000;
}

/** Milliseconds the lock has left (negative once expired). */
export function msLeft(lock: RegistryLock, now: Timestamp | LeaseNow): number {
  const t = asLeaseNow(now);
  const beat = monoHeartbeat(lock, t);
  if (beat !== undefined) return beat + leaseMs(lock) - (t.mono as number);
  return (lock.expiresAt.micros - t.wall.micros) / 1000;
}

/** Milliseconds since the last heartbeat, on the same clock as msLeft (negative if written "in the future"). */
function heartbeatAgeMs(lock: RegistryLock, t: LeaseNow): number {
  const beat = monoHeartbeat(lock, t);
  if (beat !== undefined) return (t.mono as number) - beat;
  return (t.wall.micros - lock.heartbeatAt.micros) / 1000;
}

/**
 * Whether the lock was written by Hubkeeper on this boot and in this pid namespace, so that its
 * `holder_pid` is a pid of this machine's process table. Locks of Hubkeeper versions that did not
 * record the namespace count as this namespace's.
 */
function pidIsOurs(lock: RegistryLock, t: LeaseNow): boolean {
  if (monoHeartbeat(lock, t) === undefined) return false;
  const ns = lock.extra.get(PID_NAMESPACE_KEY);
  return ns === undefined || ns === t.pidNamespace;
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
 * - `held`: not expired, and the holder may be alive as far as this machine can tell;
 * - `abandoned`: not expired yet, but the holder cannot be alive, so the lock is dead before its
 *   TTL says so (see lockStatus for the evidence that decides);
 * - `expired`: `now ≥ expires_at` (MADSci's rule). `holderAlive` still says whether the holder
 *   runs, for display.
 */
export type LockState = 'free' | 'held' | 'abandoned' | 'expired';

export interface LockStatus {
  state: LockState;
  /** Milliseconds until expiry (negative once expired); undefined when free. */
  msLeft?: number;
  /** Whether the holder's pid runs here: undefined when it is on another host (cannot be checked). */
  holderAlive?: boolean;
  /** Evidence, in words: "expired at …", "holder pid 4242 on this machine is not running". */
  reason: string;
}

/** What earlier reads of the same lock (same holder, same acquisition) saw; see HeartbeatWatch. */
export interface HeartbeatObservation {
  /** This reader saw `heartbeat_at` change: the holder is beating. */
  advanced: boolean;
  /** How long (reader's monotonic clock, ms) `heartbeat_at` has kept its current value across reads. */
  unchangedForMs: number;
}

export interface LockStatusContext {
  now: Timestamp | LeaseNow;
  hostname?: string;
  /** Whether `pid` is the process that took the lock at `sinceMs` (injectable for tests). */
  isHolderAlive?: (pid: number, sinceMs: number) => boolean;
  /** Earlier reads of this lock, when the caller reads more than once. */
  observed?: HeartbeatObservation;
}

/**
 * The one rule for a lock's state, for every view, command and check.
 *
 * A lock whose `holder_host` is another machine is held until it expires. One that names this
 * machine but whose pid is not running here (or now belongs to a process that started later) is
 * abandoned at once only when Hubkeeper wrote it in this boot and pid namespace. Anything else may
 * come from a container with `network_mode: host`: same hostname, a pid of another namespace. Such
 * a lock is abandoned only when its heartbeat has stopped too: `heartbeat_at` kept its value for
 * more than half the lease (`expires_at − heartbeat_at`) across this reader's reads, or, failing a
 * heartbeat seen advancing, it is more than half the lease old on the reader's clock (the wall
 * clock, as MADSci's expiry; the monotonic one for Hubkeeper's own locks).
 */
export function lockStatus(lock: RegistryLock | null, ctx: LockStatusContext): LockStatus {
  if (!lock) return { state: 'free', reason: 'not locked' };
  const t = asLeaseNow(ctx.now);
  const left = msLeft(lock, t);
  const local = lock.holderHost === (ctx.hostname ?? hostName());
  const holderAlive = local ? (ctx.isHolderAlive ?? mayBeClaimant)(lock.holderPid, lock.acquiredAt.millis) : undefined;
  const deadWords = `holder pid ${lock.holderPid} on this machine is not running`;
  if (left <= 0) {
    return {
      state: 'expired',
      msLeft: left,
      holderAlive,
      reason: `expired at ${lock.expiresAt.text}${holderAlive === false ? `; ${deadWords}` : ''}`,
    };
  }
  const held = (why = '') => ({
    state: 'held' as const,
    msLeft: left,
    holderAlive,
    reason: `held by ${lock.holderHost} (pid ${lock.holderPid}${why})`,
  });
  if (holderAlive !== false) return held();
  if (pidIsOurs(lock, t)) return { state: 'abandoned', msLeft: left, holderAlive, reason: deadWords };
  const beat = heartbeatEvidence(lock, t, ctx.observed);
  if (beat.stopped) return { state: 'abandoned', msLeft: left, holderAlive, reason: `${deadWords} and ${beat.words}` };
  return held(`; not a process on this machine — another pid namespace? — but ${beat.words}`);
}

/** Has the heartbeat stopped, by the file's own evidence and this reader's reads? In words either way. */
function heartbeatEvidence(
  lock: RegistryLock,
  t: LeaseNow,
  observed: HeartbeatObservation | undefined,
): { stopped: boolean; words: string } {
  const lease = leaseMs(lock);
  const limit = lease / 2;
  const ofLease = `(more than half its ${duration(lease)} lease)`;
  if (observed && observed.unchangedForMs > limit) {
    return {
      stopped: true,
      words: `its heartbeat has not advanced in the ${duration(observed.unchangedForMs)} Hubkeeper watched it ${ofLease}`,
    };
  }
  if (observed?.advanced) return { stopped: false, words: 'its heartbeat is advancing' };
  const age = heartbeatAgeMs(lock, t);
  if (age > limit) return { stopped: true, words: `its heartbeat stopped ${duration(age)} ago ${ofLease}` };
  return { stopped: false, words: `its heartbeat is ${duration(Math.max(0, age))} old` };
}

/** Stale = expired or abandoned: what the Stale Locks view and `locks list` show. */
export function isStale(status: LockStatus): boolean {
  return status.state === 'expired' || status.state === 'abandoned';
}

/**
 * A live lease of another holder (`status` is the lock's lockStatus): release and delete refuse
 * it without force, and a front end asks before forcing. Ours, expired or abandoned is not.
 */
export function heldByAnother(lock: RegistryLock | null, status: LockStatus, instanceId: string): boolean {
  return lock !== null && lock.holderInstance !== instanceId && status.state === 'held';
}
