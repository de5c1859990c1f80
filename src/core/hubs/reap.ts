import { getProcess, ProcessInfo } from '../processes/process-table';
import { clearHubLockFiles, readHubLockStates } from './hub-lock-state';
import { HubEnv } from './hub-paths';
import { isHubProcess, sameArgv } from './hub-processes';
import { removeHubEntry } from './hub-registry';
import { HubInfo } from './hub-status';

/**
 * Stops a hub and removes what it leaves behind — without ever signalling the wrong process.
 * Right before each signal the process table is read again and the process must still be the one
 * that was shown: same pid, same start time, same command line, a hub's command line, owned by
 * this user, and not pid 1 or this process. bones skips these checks and can kill an unrelated
 * process that reused a hub's pid; Hubkeeper refuses instead.
 *
 * Then: SIGTERM, poll every 50 ms for the grace period, SIGKILL, poll up to 0.5 s, and only once
 * the process is gone remove the entry and the workspace's lock files that the dead hub held.
 */

export type ReapOutcome = 'reaped' | 'already-gone' | 'refused' | 'would-reap' | 'pruned';

export interface ReapResult {
  hub: HubInfo;
  outcome: ReapOutcome;
  /** For refusals, why; for reaps, how (SIGTERM / SIGKILL). */
  detail: string;
}

export interface ReapOptions {
  env: HubEnv;
  graceMs?: number;
  dryRun?: boolean;
  /** Test hook: the signal sender (default process.kill). */
  kill?: (pid: number, signal: NodeJS.Signals) => void;
}

export async function reapHub(hub: HubInfo, options: ReapOptions): Promise<ReapResult> {
  const kill = options.kill ?? ((pid, sig) => process.kill(pid, sig));
  const seen = hub.process;
  if (!seen || hub.pid === undefined) {
    // No live process: only the dead entry is left to remove.
    if (!hub.record) return { hub, outcome: 'refused', detail: 'nothing to reap: no process and no entry' };
    if (options.dryRun) return { hub, outcome: 'would-reap', detail: 'would remove the dead entry' };
    await cleanUp(hub, undefined, options.env);
    return { hub, outcome: 'pruned', detail: hub.reason ?? 'removed the dead entry' };
  }
  const refusal = whyNotSignal(seen, hub);
  if (refusal) return { hub, outcome: 'refused', detail: refusal };
  if (options.dryRun) return { hub, outcome: 'would-reap', detail: `would send SIGTERM to pid ${seen.pid}` };

  const grace = options.graceMs ?? 2000;
  let how = 'SIGTERM';
  const check = verify(seen, hub);
  if (check === 'gone') {
    await cleanUp(hub, seen, options.env);
    return { hub, outcome: 'already-gone', detail: `pid ${seen.pid} had already exited` };
  }
  if (check) return { hub, outcome: 'refused', detail: check };
  kill(seen.pid, 'SIGTERM');
  if (!(await waitGone(seen, grace))) {
    const again = verify(seen, hub);
    if (again && again !== 'gone') return { hub, outcome: 'refused', detail: `after SIGTERM: ${again}` };
    if (again !== 'gone') {
      kill(seen.pid, 'SIGKILL');
      how = `SIGKILL after ${grace / 1000} s`;
      if (!(await waitGone(seen, 500))) return { hub, outcome: 'refused', detail: `pid ${seen.pid} survived SIGKILL (uninterruptible?); entry kept` };
    }
  }
  await cleanUp(hub, seen, options.env);
  return { hub, outcome: 'reaped', detail: how };
}

/** Static reasons never to signal this process, whatever the table says later. */
function whyNotSignal(proc: ProcessInfo, hub: HubInfo): string | undefined {
  if (proc.pid <= 1) return `refusing to signal pid ${proc.pid}`;
  if (proc.pid === process.pid) return 'refusing to signal this process itself';
  const uid = process.getuid?.();
  if (uid !== undefined && proc.uid !== uid) return `pid ${proc.pid} belongs to another user (uid ${proc.uid})`;
  if (!isHubProcess(proc, hub.record?.entry.cmdline)) return `pid ${proc.pid} does not run a hub`;
  return undefined;
}

/** 'gone', undefined when still the same hub process, or why it no longer is. */
function verify(seen: ProcessInfo, hub: HubInfo): string | 'gone' | undefined {
  const now = getProcess(seen.pid);
  if (!now || now.zombie) return 'gone';
  if (Math.abs(now.startTimeMs - seen.startTimeMs) > 1000) return `pid ${seen.pid} is now another process (it started at ${new Date(now.startTimeMs).toISOString()}); not signalled`;
  if (!sameArgv(now.argv, seen.argv)) return `pid ${seen.pid} now runs another command; not signalled`;
  return whyNotSignal(now, hub);
}

async function waitGone(seen: ProcessInfo, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    const now = getProcess(seen.pid);
    if (!now || now.zombie || Math.abs(now.startTimeMs - seen.startTimeMs) > 1000) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Removes the entry and the lock files the (now dead) hub held in its workspace. */
async function cleanUp(hub: HubInfo, reaped: ProcessInfo | undefined, env: HubEnv): Promise<void> {
  if (hub.record) await removeHubEntry(hub.record.root, hub.record.id);
  if (!hub.cwd) return;
  const pid = reaped?.pid ?? hub.pid;
  for (const state of await readHubLockStates(hub.cwd, env)) {
    if (state.state !== 'free' && state.pid === pid) await clearHubLockFiles(state);
  }
}
