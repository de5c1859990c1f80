import * as fs from 'node:fs';
import { WriteTarget } from '../fs/write-target';
import { acquireFileLock, FileLockTimeoutError } from '../mutex/file-lock';
import { acquireFlock, FlockHandle } from '../mutex/flock';
import { lockError } from './io-errors';

/**
 * The locks a registry write holds. Through a symlink, they belong to the file that is written,
 * so every writer of that file meets them whichever path it used; MADSci's flock is also taken
 * beside the path as given, which a MADSci process started with that path locks (named by its real
 * directory: two names of one lock file would be two flocks of ours on one file, each waiting for
 * the other). The flocks come first (see acquireOwnLock), in the same order in every Hubkeeper
 * process.
 */

export interface RegistryLocks {
  /** False if a flock was lost while held (its helper process died): do not write. */
  readonly held: boolean;
  release(): Promise<void>;
}

/** Takes the locks for a write to `planned` (see write-target.ts); errors name `file`. */
export async function acquireRegistryLocks(file: string, planned: WriteTarget, timeoutMs: number): Promise<RegistryLocks> {
  const releases: (() => Promise<void>)[] = [];
  const release = async () => {
    for (const r of releases.splice(0).reverse()) await r().catch(() => undefined);
  };
  const flocks: FlockHandle[] = [];
  try {
    for (const lockPath of new Set([`${planned.target}.lock`, `${planned.entry}.lock`])) {
      const flock = await acquireFlock(lockPath, timeoutMs);
      releases.push(() => flock.release());
      flocks.push(flock);
    }
    releases.push(
      await acquireOwnLock(
        planned.target,
        timeoutMs,
        flocks.every((f) => f.exclusive),
      ),
    );
  } catch (err) {
    await release();
    throw lockError(file, err);
  }
  return {
    get held() {
      return flocks.every((f) => f.held);
    },
    release,
  };
}

/**
 * Hubkeeper's own lock, taken while already holding the flock. Every live Hubkeeper writer holds
 * the flock for as long as it holds this lock, so when we hold the flock and this lock is still
 * there, its holder died mid-write (kill -9): it is taken over at once instead of after its
 * stale time. Without a working flock the stale time (2 s) is all there is.
 */
async function acquireOwnLock(target: string, timeoutMs: number, flockHeld: boolean): Promise<() => Promise<void>> {
  const lockfilePath = `${target}.hubkeeper-lock`;
  try {
    return await acquireFileLock(target, { lockfilePath, timeoutMs: flockHeld ? 0 : timeoutMs * 2, staleMs: 2000 });
  } catch (err) {
    if (!(err instanceof FileLockTimeoutError) || !flockHeld) throw err;
    await fs.promises.rmdir(lockfilePath).catch(() => undefined);
    return acquireFileLock(target, { lockfilePath, timeoutMs: timeoutMs * 2, staleMs: 2000 });
  }
}
