import * as fs from 'node:fs';
import * as path from 'node:path';
import { removeDeadHubLock } from './hub-lock';
import { bonesLockState, HubLockState, readHubLockStates } from './hub-lock-state';
import { HubEnv } from './hub-paths';

/**
 * Clearing hub locks whose holder is gone — the one place that removes them (reading their state
 * is hub-lock-state.ts, which never writes). Each lock is judged again right before it goes:
 * Hubkeeper's under its guard flock, so a lock another process has just taken over is never
 * removed; bones' pid file by reading it once more.
 */

/** Removes a stale lock's files: Hubkeeper's lock directory and holder files, or bones' pid file. */
export async function clearHubLockFiles(state: HubLockState): Promise<boolean> {
  const dir = path.dirname(state.path);
  if (state.kind === 'hubkeeper') return removeDeadHubLock(dir, state.pid);
  // bones never deletes hub.lock itself (an flock'd file); hub.lock.pid records the holder.
  const now = await bonesLockState(dir);
  if (now.state === 'held' || now.pid !== state.pid) return false;
  await fs.promises.rm(path.join(dir, 'hub.lock.pid'), { force: true });
  return true;
}

/** Clears the workspace's hub locks whose holder is gone. */
export async function clearStaleHubLocks(workspace: string, env: HubEnv): Promise<HubLockState[]> {
  const cleared: HubLockState[] = [];
  for (const state of await readHubLockStates(workspace, env)) {
    if (state.state === 'stale' && (await clearHubLockFiles(state))) cleared.push(state);
  }
  return cleared;
}
