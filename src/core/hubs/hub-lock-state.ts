import * as fs from 'node:fs';
import { DEFAULT_HUB_LOCK_STALE_MS } from '../defaults';
import * as path from 'node:path';
import { readSmallFile } from '../fs/read-small-file';
import { judgeRecorded } from '../processes/process-identity';
import { HubEnv, HubKind, workspaceStateDir } from './hub-paths';
import { hubLockPaths, isHolderDead, readHubLockHolder } from './hub-lock';

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

export async function readHubLockStates(workspace: string, env: HubEnv): Promise<HubLockState[]> {
  return [
    await hubkeeperLockState(workspaceStateDir(workspace, 'hubkeeper', env)),
    await bonesLockState(workspaceStateDir(workspace, 'bones', env)),
  ];
}

export async function hubkeeperLockState(stateDir: string, staleMs = DEFAULT_HUB_LOCK_STALE_MS): Promise<HubLockState> {
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
    const verdict = judgeRecorded({
      pid: holder.pid,
      startTicks: holder.processStartTicks,
      bootId: holder.bootId,
      startMs: holder.processStartMs,
      claimedAtMs: Date.parse(holder.acquiredAt),
    });
    return {
      ...base,
      state: 'stale',
      evidence: verdict.same || verdict.gone ? `holder pid ${holder.pid} is not running` : verdict.evidence,
    };
  }
  const age = Date.now() - st.mtimeMs;
  if (age > staleMs)
    return { ...base, state: 'stale', evidence: `not renewed for ${Math.round(age / 1000)} s (stale after ${staleMs / 1000} s)` };
  return { ...base, state: 'held', evidence: holder ? `held by live pid ${holder.pid}` : 'held (holder not recorded yet)' };
}

export async function bonesLockState(stateDir: string): Promise<HubLockState> {
  const lock = path.join(stateDir, 'hub.lock');
  const pidFile = path.join(stateDir, 'hub.lock.pid');
  let pidText: string;
  let written: fs.Stats;
  try {
    ({ text: pidText, st: written } = await readSmallFile(pidFile, 4096, 'lock pid file'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return {
        kind: 'bones',
        path: lock,
        state: 'free',
        evidence: fs.existsSync(lock) ? 'no holder recorded (hub.lock.pid absent)' : 'no lock',
      };
    }
    return { kind: 'bones', path: lock, state: 'stale', evidence: `hub.lock.pid cannot be read: ${(err as Error).message}` };
  }
  const pid = Number(pidText.trim());
  const since = written.mtime.toISOString();
  if (!Number.isSafeInteger(pid) || pid <= 0)
    return {
      kind: 'bones',
      path: lock,
      state: 'stale',
      since,
      evidence: `hub.lock.pid does not hold a pid: ${JSON.stringify(pidText.slice(0, 20))}`,
    };
  const verdict = judgeRecorded({ pid, claimedAtMs: written.mtimeMs });
  if (!verdict.same)
    return {
      kind: 'bones',
      path: lock,
      state: 'stale',
      pid,
      since,
      evidence: verdict.gone ? `holder pid ${pid} is not running` : verdict.evidence,
    };
  return { kind: 'bones', path: lock, state: 'held', pid, since, evidence: `held by live pid ${pid}` };
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
