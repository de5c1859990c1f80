import * as fs from 'node:fs';

/**
 * The one reader of `/proc/<pid>/stat` (Linux). The command name (field 2) is in parentheses and
 * may itself contain spaces or ')', so the fields are counted from after the last ')'.
 */

export interface ProcStat {
  /** R, S, D, Z, X, T, … */
  state: string;
  ppid: number;
  /** Start as the kernel keeps it: clock ticks since boot. Exact, and immune to wall-clock steps. */
  startTicks: number;
}

/** USER_HZ: 100 on every mainstream Linux architecture. */
export const CLOCK_TICKS_PER_SECOND = 100;

export function readProcStat(pid: number): ProcStat | undefined {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined; // no such process (or not Linux)
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const startTicks = Number(fields[19]); // field 22 overall
  const ppid = Number(fields[1]);
  if (!Number.isSafeInteger(startTicks) || !Number.isSafeInteger(ppid)) return undefined;
  return { state: fields[0], ppid, startTicks };
}

let bootTimeMs: number | null | undefined;

/** When this boot started, in epoch ms (whole seconds: /proc/stat's btime). */
export function bootTime(): number | undefined {
  if (bootTimeMs === undefined) {
    try {
      const m = /^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'latin1'));
      bootTimeMs = m ? Number(m[1]) * 1000 : null;
    } catch {
      bootTimeMs = null; // not Linux
    }
  }
  return bootTimeMs ?? undefined;
}

/** A start in ticks as epoch ms (±1 s: the boot time has whole seconds). For display and ps-era records. */
export function ticksToEpochMs(ticks: number): number | undefined {
  const boot = bootTime();
  return boot === undefined ? undefined : boot + (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}
