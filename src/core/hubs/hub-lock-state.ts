import * as fs from 'node:fs';
import * as path from 'node:path';
import { isPidRunning, processStartTimeMs } from '../processes/process-identity';
import { HubEnv, HubKind, workspaceStateDir } from './hub-paths';
import { hubLockPaths, isHolderDead, readHubLockHolder, removeDeadHubLock } from './hub-lock';

/**
 * The read side of both hub locks of a workspace, with the evidence: Hubkeeper's
 * `.hubkeeper/hub.lock` and bones' `.bones/hub.lock` + `hub.lock.pid`. Reading takes no lock.
 *
 * bones never deletes `hub.lock` (it is an flock'd file) and removes `hub.lock.pid` on release, so
 * its lock counts as held while the pid file names a live process that started before the pid
 * file was written. A pid that now belongs to a newer process is exactly the case bones itself
 * gets wrong (it refuses while that unrelated process lives): shown here as stale.
 */

export interface HubLockState {
  kind: HubKind;
  /** The lock path (hub.lock). */
  path: string;
  state: 'free' | 'held' | 'stale';
  pid?: number;
  since?: string;
  /** Why this state, in words. */
  evidence: string;
}

const HUBKEEPER_STALE_MS = 10_000;

export async function readHubLockStates(workspace: string, env: HubEnv): Promise<HubLockState[]> {
  return [await hubkeeperLockState(workspaceStateDir(workspace, 'hubkeeper', env)), await bonesLockState(workspaceStateDir(workspace, 'bones', env))];
}

export async function hubkeeperLockState(stateDir: string, staleMs = HUBKEEPER_STALE_MS): Promise<HubLockState> {
  const paths = hubLockPaths(stateDir);
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(paths.lock);
  } catch {
    return { kind: 'hubkeeper', path: paths.lock, state: 'free', evidence: 'no lock' };
  }
  const holder = await readHubLockHolder(stateDir);
  const base = { kind: 'hubkeeper' as const, path: paths.lock, pid: holder?.pid, since: holder?.acquiredAt };
  if (holder && isHolderDead(holder)) {
    const why = isPidRunning(holder.pid) ? `pid ${holder.pid} now belongs to a process that started after the lock was taken` : `holder pid ${holder.pid} is not running`;
    return { ...base, state: 'stale', evidence: why };
  }
  const age = Date.now() - st.mtimeMs;
  if (age > staleMs) return { ...base, state: 'stale', evidence: `not renewed for ${Math.round(age / 1000)} s (stale after ${staleMs / 1000} s)` };
  return { ...base, state: 'held', evidence: holder ? `held by live pid ${holder.pid}` : 'held (holder not recorded yet)' };
}

export async function bonesLockState(stateDir: string): Promise<HubLockState> {
  const lock = path.join(stateDir, 'hub.lock');
  const pidFile = path.join(stateDir, 'hub.lock.pid');
  let pidText: string;
  let written: fs.Stats;
  try {
    pidText = await fs.promises.readFile(pidFile, 'utf8');
    written = await fs.promises.stat(pidFile);
  } catch {
    return { kind: 'bones', path: lock, state: 'free', evidence: fs.existsSync(lock) ? 'no holder recorded (hub.lock.pid absent)' : 'no lock' };
  }
  const pid = Number(pidText.trim());
  const since = written.mtime.toISOString();
  if (!Number.isSafeInteger(pid) || pid <= 0) return { kind: 'bones', path: lock, state: 'stale', since, evidence: `hub.lock.pid does not hold a pid: ${JSON.stringify(pidText.slice(0, 20))}` };
  if (!isPidRunning(pid)) return { kind: 'bones', path: lock, state: 'stale', pid, since, evidence: `holder pid ${pid} is not running` };
  const started = processStartTimeMs(pid);
  if (started !== undefined && started > written.mtimeMs + 2000) {
    return { kind: 'bones', path: lock, state: 'stale', pid, since, evidence: `pid ${pid} now belongs to a process that started after the lock was taken` };
  }
  return { kind: 'bones', path: lock, state: 'held', pid, since, evidence: `held by live pid ${pid}` };
}

/** Removes a hub lock's files: Hubkeeper's lock directory and holder files, or bones' pid file. */
/**
 * Removes a hub lock's files when its holder is gone: Hubkeeper's lock directory and holder
 * files (judged again under the lock's guard flock, so a lock another process has just taken over
 * is never removed), or bones' pid file. Returns whether anything was removed.
 */
export async function clearHubLockFiles(state: HubLockState): Promise<boolean> {
  const dir = path.dirname(state.path);
  if (state.kind === 'hubkeeper') return removeDeadHubLock(dir, state.pid);
  // bones never deletes hub.lock itself (an flock'd file); hub.lock.pid records the holder.
  await fs.promises.rm(path.join(dir, 'hub.lock.pid'), { force: true });
  return true;
}

/** Clears the workspace's hub locks whose holder is gone, re-checking each right before. */
export async function clearStaleHubLocks(workspace: string, env: HubEnv): Promise<HubLockState[]> {
  const cleared: HubLockState[] = [];
  for (const state of await readHubLockStates(workspace, env)) {
    if (state.state === 'stale' && (await clearHubLockFiles(state))) cleared.push(state);
  }
  return cleared;
}

/** Stale hub locks among the given workspaces (those that exist), with the evidence. */
export async function findStaleHubLocks(workspaces: Iterable<string>, env: HubEnv): Promise<{ workspace: string; state: HubLockState }[]> {
  const out: { workspace: string; state: HubLockState }[] = [];
  for (const workspace of new Set(workspaces)) {
    if (!workspace || !fs.existsSync(workspace)) continue;
    for (const state of await readHubLockStates(workspace, env)) if (state.state === 'stale') out.push({ workspace, state });
  }
  return out;
}
