import { bootId } from '../time/monotonic';
import { readProcStat, ticksToEpochMs } from './proc-stat';
import { getProcess, ProcessInfo } from './process-table';

/**
 * "Is this still the same process?" — answered here, and nowhere else.
 *
 * A pid alone is not an identity: pids are recycled, so a holder recorded as pid 4242 an hour ago
 * may now be an unrelated process. Hubkeeper knows a process by its pid, its start and its
 * command line, and judges a record by the best evidence it carries:
 *
 * 1. Exact start: clock ticks since boot plus the boot's id, as a process records itself (hub
 *    entries and hub lock holder files Hubkeeper writes) or as we read it from /proc. Same only
 *    when the ticks are equal in the same boot; a record from another boot names a dead process.
 *    Wall-clock steps cannot move it.
 * 2. Start time in epoch ms (records written where ticks were unknown): equal within
 *    START_TOLERANCE_MS (the boot time behind it, and `ps`, have whole seconds).
 * 3. Claim time only — when a lock was taken or an entry written (bones' files, MADSci locks):
 *    the process can be the claimant only if it started no later than the claim (+ CLAIM_SLACK_MS).
 *    A claim dated in the future proves nothing and is not accepted.
 *
 * Verdicts from 2 and 3 are `exact: false`: good enough to show a lock as held or to tell a
 * recycled pid, never enough to let a recorded command line make a process a hub (see
 * hubs/hub-processes.ts). Two readings of the process table (shown, then about to be signalled)
 * are compared with `sameObservedProcess`: same start and same command line.
 */

export interface RecordedProcess {
  pid: number;
  /** Exact start: ticks since boot, meaningful only with the boot id. */
  startTicks?: number;
  bootId?: string;
  /** Start time in epoch ms. */
  startMs?: number;
  /** When the process claimed something (took a lock, wrote an entry), epoch ms. */
  claimedAtMs?: number;
}

export type IdentityVerdict =
  | { same: true; exact: boolean; evidence: string }
  /** `gone`: no such process (or it belonged to another boot); otherwise the pid is someone else's now. */
  | { same: false; gone: boolean; evidence: string };

export const START_TOLERANCE_MS = 1500;
export const CLAIM_SLACK_MS = 2000;

/** True when a process with this pid exists (EPERM means it exists but belongs to someone else). */
export function isPidRunning(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What a process records about itself so others can recognise it later (this process by default). */
export function recordSelf(pid = process.pid): Required<Pick<RecordedProcess, 'pid'>> & Omit<RecordedProcess, 'claimedAtMs'> {
  const stat = readProcStat(pid);
  return {
    pid,
    startTicks: stat?.startTicks,
    bootId: stat ? bootId() : undefined,
    startMs: stat ? ticksToEpochMs(stat.startTicks) : undefined,
  };
}

/** Is `observed` (default: the process table now) the process `rec` describes? */
export function judgeRecorded(
  rec: RecordedProcess,
  observed: ProcessInfo | undefined = getProcess(rec.pid),
  now = Date.now(),
): IdentityVerdict {
  const pid = rec.pid;
  if (!observed || observed.zombie || observed.pid !== pid) return { same: false, gone: true, evidence: `pid ${pid} is not running` };
  const startedWords = `pid ${pid} now belongs to a process that started at ${new Date(observed.startTimeMs).toISOString()}`;
  if (rec.startTicks !== undefined && rec.bootId !== undefined) {
    const boot = bootId();
    if (boot !== undefined && rec.bootId !== boot)
      return { same: false, gone: true, evidence: `pid ${pid} was recorded before the machine restarted` };
    if (boot !== undefined && observed.startTicks !== undefined) {
      return observed.startTicks === rec.startTicks
        ? { same: true, exact: true, evidence: `pid ${pid} has the recorded start` }
        : { same: false, gone: false, evidence: `${startedWords}, not the recorded one` };
    }
  }
  if (rec.startMs !== undefined) {
    return Math.abs(observed.startTimeMs - rec.startMs) <= START_TOLERANCE_MS
      ? { same: true, exact: false, evidence: `pid ${pid} started at the recorded time` }
      : { same: false, gone: false, evidence: `${startedWords}, not the recorded one` };
  }
  if (rec.claimedAtMs !== undefined && Number.isFinite(rec.claimedAtMs)) {
    const claimed = new Date(rec.claimedAtMs).toISOString();
    if (rec.claimedAtMs > now + CLAIM_SLACK_MS)
      return { same: false, gone: false, evidence: `the record for pid ${pid} is dated ${claimed}, in the future` };
    return observed.startTimeMs <= rec.claimedAtMs + CLAIM_SLACK_MS
      ? { same: true, exact: false, evidence: `pid ${pid} runs and started before ${claimed}` }
      : { same: false, gone: false, evidence: `${startedWords}, after it was recorded (${claimed})` };
  }
  return { same: true, exact: false, evidence: `pid ${pid} runs (no start recorded to compare)` };
}

/** Is the process that `seen` showed a moment ago still the one at its pid (same start, same command line)? */
export function sameObservedProcess(seen: ProcessInfo, now: ProcessInfo | undefined = getProcess(seen.pid)): IdentityVerdict {
  if (!now || now.zombie || now.pid !== seen.pid) return { same: false, gone: true, evidence: `pid ${seen.pid} has exited` };
  const sameStart =
    seen.startTicks !== undefined && now.startTicks !== undefined
      ? seen.startTicks === now.startTicks
      : Math.abs(now.startTimeMs - seen.startTimeMs) <= START_TOLERANCE_MS;
  if (!sameStart)
    return {
      same: false,
      gone: false,
      evidence: `pid ${seen.pid} is now another process (it started at ${new Date(now.startTimeMs).toISOString()})`,
    };
  if (!sameArgv(now.argv, seen.argv)) return { same: false, gone: false, evidence: `pid ${seen.pid} now runs another command` };
  return { same: true, exact: seen.startTicks !== undefined, evidence: `pid ${seen.pid} is unchanged` };
}

export function sameArgv(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The wall-clock-only rule (3) on its own: may `pid` be the process that claimed something at `sinceMs`? */
export function mayBeClaimant(pid: number, sinceMs: number): boolean {
  return judgeRecorded({ pid, claimedAtMs: sinceMs }).same;
}
