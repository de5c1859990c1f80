import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { readProcStat, ticksToEpochMs } from './proc-stat';

/**
 * The host's process table: pid, parent, owner, start time and command line — what a process's
 * identity is made of. On Linux it is read from /proc directly (no child process, and it gives
 * the start time and cwd that `ps` output would need parsing for); elsewhere from one `ps` call.
 */

export interface ProcessInfo {
  pid: number;
  ppid: number;
  uid: number;
  /** Start time in epoch ms (±1 s on Linux): for display, and the identity where ticks are unknown. */
  startTimeMs: number;
  /** Start in clock ticks since boot (Linux): the exact part of the identity. */
  startTicks?: number;
  /** The command line; [] for kernel threads and processes whose cmdline cannot be read. */
  argv: string[];
  /** True for a zombie (exited, not yet reaped by its parent): it no longer runs. */
  zombie: boolean;
}

export function listProcesses(): ProcessInfo[] {
  if (process.platform !== 'linux') return listWithPs();
  const out: ProcessInfo[] = [];
  for (const name of fs.readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const info = readProc(pid);
    if (info) out.push(info);
  }
  return out;
}

/** One process, read fresh (e.g. right before signalling it). */
export function getProcess(pid: number): ProcessInfo | undefined {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  if (process.platform !== 'linux') return listWithPs().find((p) => p.pid === pid);
  return readProc(pid);
}

function readProc(pid: number): ProcessInfo | undefined {
  try {
    const stat = readProcStat(pid);
    const startTimeMs = stat && ticksToEpochMs(stat.startTicks);
    if (!stat || startTimeMs === undefined) return undefined;
    let argv: string[] = [];
    try {
      const raw = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      argv = raw.split('\0');
      // A process that rewrote its title leaves NUL padding behind.
      while (argv.length > 0 && argv[argv.length - 1] === '') argv.pop();
    } catch {
      /* kernel thread or gone */
    }
    const zombie = stat.state === 'Z' || stat.state === 'X';
    return { pid, ppid: stat.ppid, uid: fs.statSync(`/proc/${pid}`).uid, startTimeMs, startTicks: stat.startTicks, argv, zombie };
  } catch {
    return undefined; // exited while we looked
  }
}

/**
 * A process's working directory, and whether it was deleted (Linux shows `<path> (deleted)`).
 * Undefined when it cannot be read (another user's process, or not Linux without lsof).
 */
export function processCwd(pid: number): { cwd: string; deleted: boolean } | undefined {
  if (process.platform === 'linux') {
    try {
      const link = fs.readlinkSync(`/proc/${pid}/cwd`);
      const deleted = link.endsWith(' (deleted)') && !fs.existsSync(link);
      return { cwd: deleted ? link.slice(0, -' (deleted)'.length) : link, deleted };
    } catch {
      return undefined;
    }
  }
  try {
    const out = execFileSync('lsof', ['-a', '-p', String(pid), '-d', 'cwd', '-Fn'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const line = out.split('\n').find((l) => l.startsWith('n'));
    return line ? { cwd: line.slice(1), deleted: !fs.existsSync(line.slice(1)) } : undefined;
  } catch {
    return undefined;
  }
}

function listWithPs(): ProcessInfo[] {
  // lstart is a fixed-width date ("Mon Nov 23 12:00:00 2026"): five words before the command.
  const out = execFileSync('ps', ['-axo', 'pid=,ppid=,uid=,state=,lstart=,command='], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const rows: ProcessInfo[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\w+ \w+ +\d+ [\d:]+ \d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    rows.push({
      pid: Number(m[1]),
      ppid: Number(m[2]),
      uid: Number(m[3]),
      zombie: m[4].startsWith('Z'),
      startTimeMs: Date.parse(m[5]),
      argv: m[6].split(' '),
    });
  }
  return rows;
}
