import { sameObservedProcess } from '../processes/process-identity';
import { ProcessInfo } from '../processes/process-table';
import { readHubLockStates } from './hub-lock-state';
import { HubEnv } from './hub-paths';
import { readHubRegistry } from './hub-registry';
import { HubInfo } from './hub-status';
import { removeStopRequest, writeStopRequest } from './stop-request';
import type { ReapResult } from './reap';

/**
 * Reaping a hub that runs inside an editor: leave a stop request for it (stop-request.ts) and wait
 * until its window has let go — the entry no longer names the process and no hub lock of the
 * workspace is held by it — while the process itself runs on. Nothing is signalled. A hub that
 * does not react within the deadline is reported as refused; the request is taken back.
 */

export async function askHubToStop(
  hub: HubInfo,
  seen: ProcessInfo,
  options: { timeoutMs: number; requestedBy: string; env: HubEnv },
): Promise<ReapResult> {
  const record = hub.record;
  if (!record)
    return { hub, outcome: 'refused', detail: `pid ${seen.pid} runs a hub inside another program but has no entry to ask it through` };
  const file = await writeStopRequest(
    record.root,
    record.id,
    { pid: seen.pid, startTicks: record.entry.processStartTicks, bootId: record.entry.bootId },
    options.requestedBy,
  );
  const deadline = Date.now() + options.timeoutMs;
  try {
    for (;;) {
      if (!(await stillHolds(hub, seen, options.env))) {
        return {
          hub,
          outcome: 'reaped',
          detail: `asked pid ${seen.pid} to stop its hub; the window hosting it released it (no signal sent)`,
        };
      }
      if (Date.now() >= deadline) {
        return {
          hub,
          outcome: 'refused',
          detail: `pid ${seen.pid} runs the hub inside another program and did not stop it within ${options.timeoutMs / 1000} s of being asked; not signalled`,
        };
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await removeStopRequest(file).catch(() => undefined);
  }
}

/** Does the process still hold the hub: its entry names it, or a lock of the workspace is its? */
async function stillHolds(hub: HubInfo, seen: ProcessInfo, env: HubEnv): Promise<boolean> {
  if (!sameObservedProcess(seen).same) return false; // the host itself went away
  const record = hub.record;
  if (!record) return false;
  const { records } = await readHubRegistry([record.root], () => false);
  if (records.some((r) => r.id === record.id && r.entry.hubPid === seen.pid)) return true;
  if (!hub.cwd) return false;
  return (await readHubLockStates(hub.cwd, env)).some((s) => s.state === 'held' && s.pid === seen.pid);
}
