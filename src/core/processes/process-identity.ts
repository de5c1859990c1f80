import * as fs from 'node:fs';

/**
 * Is a pid running, and since when? A pid alone is not an identity: pids are recycled, so a
 * holder recorded as pid 4242 an hour ago may now be some unrelated process. Comparing the
 * process's start time with the time the lock was taken tells them apart.
 */

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

let bootTimeMs: number | undefined;
const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ, 100 on every mainstream Linux architecture

/**
 * The process's start time in epoch ms, from /proc on Linux (±1 s: the boot time has whole
 * seconds). Undefined when it cannot be known (no such process, or not Linux).
 */
export function processStartTimeMs(pid: number): number | undefined {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may contain spaces or ')': skip past the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const startTicks = Number(fields[19]); // field 22 overall
  const boot = bootTime();
  if (!Number.isFinite(startTicks) || boot === undefined) return undefined;
  return boot + (startTicks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/**
 * The process's start time as the kernel keeps it: clock ticks since boot. Unlike the epoch time
 * derived from it, it does not move when the wall clock is stepped, so two processes comparing it
 * (with the same boot id) always agree.
 */
export function processStartTicks(pid: number): number | undefined {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

function bootTime(): number | undefined {
  if (bootTimeMs === undefined) {
    try {
      const m = /^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'latin1'));
      if (m) bootTimeMs = Number(m[1]) * 1000;
    } catch {
      /* not Linux */
    }
  }
  return bootTimeMs;
}

/**
 * Whether the process that took something at `sinceMs` may still be `pid`. False when the pid is
 * gone, or is now a process that started after that moment (a recycled pid). `slackMs` absorbs
 * the start time's one-second resolution.
 */
export function isSameProcessSince(pid: number, sinceMs: number, slackMs = 2000): boolean {
  if (!isPidRunning(pid)) return false;
  const started = processStartTimeMs(pid);
  return started === undefined || started <= sinceMs + slackMs;
}
