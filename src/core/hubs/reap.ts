import { getProcess, ProcessInfo } from '../processes/process-table';
import { DEFAULT_ASK_TO_STOP_MS, DEFAULT_REAP_GRACE_MS } from '../defaults';
import { judgeRecorded, sameObservedProcess } from '../processes/process-identity';
import { clearHubLockFiles } from './hub-lock-clear';
import { readHubLockStates } from './hub-lock-state';
import { HubEnv } from './hub-paths';
import { hubProcessKind } from './hub-processes';
import { removeHubEntryIfUnchanged } from './hub-registry';
import { HubInfo } from './hub-status';
import { planReap, whyNotStop } from './reap-plan';
import { askHubToStop } from './reap-request';

/**
 * Stops a hub and removes what it leaves behind — without ever signalling the wrong process.
 * What to do is decided by planReap (reap-plan.ts); right before each signal the process table is
 * read again and the process must still be the one that was shown: same pid, same start, same
 * command line, still a hub, owned by this user, and not pid 1 or this process. bones skips these
 * checks and can kill an unrelated process that reused a hub's pid; Hubkeeper refuses instead.
 *
 * Standalone hubs: SIGTERM, poll every 50 ms for the grace period, SIGKILL, poll up to 0.5 s, and
 * only once the process is gone remove the entry (if it is still the one that was shown) and the
 * workspace's lock files that the dead hub held. Hubs inside an editor are asked to stop instead
 * (reap-request.ts): they release their own lock and entry.
 */

export type ReapOutcome = 'reaped' | 'already-gone' | 'refused' | 'would-reap' | 'pruned';

export interface ReapResult {
  hub: HubInfo;
  outcome: ReapOutcome;
  /** For refusals, why; for reaps, how (SIGTERM / SIGKILL / asked to stop). */
  detail: string;
}

export interface ReapOptions {
  env: HubEnv;
  graceMs?: number;
  dryRun?: boolean;
  /** Who is reaping, in words, for the stop request an editor's hub shows. */
  requestedBy?: string;
  /** How long a hub inside an editor gets to stop when asked (default 10 s). */
  askTimeoutMs?: number;
  /** Test hook: the signal sender (default process.kill). */
  kill?: (pid: number, signal: NodeJS.Signals) => void;
}

export async function reapHub(hub: HubInfo, options: ReapOptions): Promise<ReapResult> {
  const plan = planReap(hub);
  if (plan.kind === 'refuse') return { hub, outcome: 'refused', detail: plan.why };
  if (plan.kind === 'prune') {
    if (options.dryRun) return { hub, outcome: 'would-reap', detail: 'would remove the dead entry' };
    const kept = await cleanUp(hub, undefined, options.env);
    return kept ? { hub, outcome: 'refused', detail: kept } : { hub, outcome: 'pruned', detail: hub.reason ?? 'removed the dead entry' };
  }
  const seen = plan.process;
  if (options.dryRun)
    return {
      hub,
      outcome: 'would-reap',
      detail: plan.kind === 'ask' ? `would ask pid ${seen.pid} to stop its hub` : `would send SIGTERM to pid ${seen.pid}`,
    };
  const check = verify(seen, hub);
  if (check === 'gone') {
    const kept = await cleanUp(hub, seen, options.env);
    return { hub, outcome: 'already-gone', detail: `pid ${seen.pid} had already exited${kept ? `; ${kept}` : ''}` };
  }
  if (check) return { hub, outcome: 'refused', detail: check };
  if (plan.kind === 'ask')
    return askHubToStop(hub, seen, {
      timeoutMs: options.askTimeoutMs ?? DEFAULT_ASK_TO_STOP_MS,
      requestedBy: options.requestedBy ?? `hubkeeper (pid ${process.pid})`,
      env: options.env,
    });
  return signalHub(hub, seen, options);
}

async function signalHub(hub: HubInfo, seen: ProcessInfo, options: ReapOptions): Promise<ReapResult> {
  const kill = options.kill ?? ((pid, sig) => process.kill(pid, sig));
  const grace = options.graceMs ?? DEFAULT_REAP_GRACE_MS;
  let how = 'SIGTERM';
  kill(seen.pid, 'SIGTERM');
  if (!(await waitGone(seen, grace))) {
    const again = verify(seen, hub);
    if (again && again !== 'gone') return { hub, outcome: 'refused', detail: `after SIGTERM: ${again}` };
    if (again !== 'gone') {
      kill(seen.pid, 'SIGKILL');
      how = `SIGKILL after ${grace / 1000} s`;
      if (!(await waitGone(seen, 500)))
        return { hub, outcome: 'refused', detail: `pid ${seen.pid} survived SIGKILL (uninterruptible?); entry kept` };
    }
  }
  const kept = await cleanUp(hub, seen, options.env);
  return { hub, outcome: 'reaped', detail: kept ? `${how}; ${kept}` : how };
}

/** 'gone', undefined when still the same hub process (signalled only then), or why it no longer is. */
function verify(seen: ProcessInfo, hub: HubInfo): string | 'gone' | undefined {
  const now = getProcess(seen.pid);
  const same = sameObservedProcess(seen, now);
  if (!same.same) return same.gone ? 'gone' : `${same.evidence}; not signalled`;
  const current = now as ProcessInfo;
  const e = hub.record?.entry;
  const start = e && judgeRecorded({ pid: current.pid, startTicks: e.processStartTicks, bootId: e.bootId }, current);
  const exactStart = start !== undefined && start.same && start.exact;
  if (hubProcessKind(current, { cmdline: e?.cmdline, exactStart }) !== hub.kind)
    return `pid ${seen.pid} no longer runs the hub that was shown; not signalled`;
  return whyNotStop(current, hub);
}

async function waitGone(seen: ProcessInfo, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = sameObservedProcess(seen);
    if (!v.same) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Removes the entry — only if it is still the one that was shown: a hub that started meanwhile
 * has written a new one, which is kept — and the lock files the (now dead) hub held in its
 * workspace. Returns why the entry was kept, or undefined.
 */
async function cleanUp(hub: HubInfo, reaped: ProcessInfo | undefined, env: HubEnv): Promise<string | undefined> {
  const kept = hub.record ? await removeHubEntryIfUnchanged(hub.record) : undefined;
  if (!hub.cwd) return kept;
  const pid = reaped?.pid ?? hub.pid;
  for (const state of await readHubLockStates(hub.cwd, env)) {
    if (state.state !== 'free' && state.pid === pid) await clearHubLockFiles(state);
  }
  return kept;
}
