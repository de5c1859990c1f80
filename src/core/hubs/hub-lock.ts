import * as fs from 'node:fs';
import { DEFAULT_HUB_LOCK_STALE_MS } from '../defaults';
import * as os from 'node:os';
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';
import { ulid } from 'ulid';
import { HubkeeperError } from '../errors/hubkeeper-error';
import { writeFileAtomic } from '../fs/atomic-write';
import { acquireFlock } from '../mutex/flock';
import { readSmallFile } from '../fs/read-small-file';
import { judgeRecorded, recordSelf } from '../processes/process-identity';
import { ensureStateDir } from './state-dir';

/**
 * One hub per workspace: `<workspace>/.hubkeeper/hub.lock`, a proper-lockfile lock whose mtime,
 * refreshed while held, is the lease. Beside it `hub.lock.pid` (`"<pid>\n"`, as bones writes its
 * own) and `hub.lock.json`, who holds it. A holder that died is taken over at once (its pid is gone
 * or now belongs to a newer process); one that stopped renewing is taken over after `staleMs`.
 * A holder that lost its lock (the machine slept past the stale time and another process took
 * over) is told through `onLost`, never by an exception.
 */

export interface HubLockHolder {
  pid: number;
  /** Start time of the holder process (epoch ms), to tell a recycled pid from the holder. */
  processStartMs?: number;
  /** The same as clock ticks since boot, with the boot's id: exact, whatever the wall clock does. */
  processStartTicks?: number;
  bootId?: string;
  host: string;
  holderId: string;
  acquiredAt: string;
  hubUrl?: string;
}

export class HubLockHeldError extends HubkeeperError {
  constructor(
    readonly lockPath: string,
    readonly holder: HubLockHolder | undefined,
  ) {
    super(
      `workspace hub lock ${lockPath} held by pid ${holder?.pid ?? 'unknown'}${holder ? ` since ${holder.acquiredAt}` : ''}`,
      'held',
      lockPath,
    );
    this.name = 'HubLockHeldError';
  }
}

export interface AcquireHubLockOptions {
  /** Keep trying this long while another live process holds the lock (default: refuse at once). */
  waitMs?: number;
  /** A lock not renewed for this long is stale (default 10 s; minimum 2 s). */
  staleMs?: number;
  hubUrl?: string;
  onLost?: (err: Error) => void;
  log?: (line: string) => void;
}

export function hubLockPaths(stateDir: string) {
  return {
    lock: path.join(stateDir, 'hub.lock'),
    pid: path.join(stateDir, 'hub.lock.pid'),
    holder: path.join(stateDir, 'hub.lock.json'),
    /** flock'd only while a lock is being taken or judged (see HubLock.acquire). */
    guard: path.join(stateDir, 'hub.lock.guard'),
  };
}

export class HubLock {
  private released = false;

  private constructor(
    readonly stateDir: string,
    readonly holder: HubLockHolder,
    private readonly releaseLock: () => Promise<void>,
  ) {}

  static async acquire(stateDir: string, options: AcquireHubLockOptions = {}): Promise<HubLock> {
    const paths = hubLockPaths(stateDir);
    const staleMs = Math.max(options.staleMs ?? DEFAULT_HUB_LOCK_STALE_MS, 2000);
    const deadline = Date.now() + (options.waitMs ?? 0);
    await ensureStateDir(stateDir);
    let lock: HubLock | undefined;
    for (;;) {
      // Taking the lock, writing who holds it, and deciding that a holder is dead happen under a
      // short flock, so no process ever judges a lock by the holder files of the one before it
      // (a fresh lock whose holder files are not written yet would look dead).
      const guard = await acquireFlock(paths.guard, 10_000);
      try {
        try {
          const self = recordSelf();
          const holder: HubLockHolder = {
            pid: process.pid,
            processStartMs: self.startMs,
            processStartTicks: self.startTicks,
            bootId: self.bootId,
            host: os.hostname(),
            holderId: ulid(),
            acquiredAt: new Date().toISOString(),
            hubUrl: options.hubUrl,
          };
          const release = await lockfile.lock(stateDir, {
            lockfilePath: paths.lock,
            realpath: false,
            stale: staleMs,
            onCompromised: (err) => {
              if (lock && !lock.released) {
                lock.released = true;
                options.onLost?.(new Error(`lost the workspace hub lock ${paths.lock}: ${err.message}`));
              }
            },
          });
          lock = new HubLock(stateDir, holder, release);
          try {
            await lock.writeHolderFiles();
          } catch (err) {
            // Holding a lock nobody can attribute would block the workspace until we exit.
            await lock.release();
            throw err;
          }
          return lock;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
        }
        const holder = await readHubLockHolder(stateDir);
        if (await reclaimIfHolderDead(paths.lock, holder, options.log)) continue;
        if (Date.now() >= deadline) throw new HubLockHeldError(paths.lock, holder);
      } finally {
        await guard.release();
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Records the hub URL once the server listens. */
  async setHubUrl(url: string): Promise<void> {
    this.holder.hubUrl = url;
    await this.writeHolderFiles();
  }

  get isHeld(): boolean {
    return !this.released;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const paths = hubLockPaths(this.stateDir);
    // Remove the holder files only while they are still ours.
    const current = await readHubLockHolder(this.stateDir);
    if (current?.holderId === this.holder.holderId) {
      await fs.promises.rm(paths.holder, { force: true });
      await fs.promises.rm(paths.pid, { force: true });
    }
    await this.releaseLock().catch(() => undefined);
  }

  private async writeHolderFiles(): Promise<void> {
    const paths = hubLockPaths(this.stateDir);
    await writeFileAtomic(paths.pid, `${this.holder.pid}\n`, { mode: 0o600 });
    await writeFileAtomic(paths.holder, JSON.stringify(this.holder, null, 2) + '\n', { mode: 0o600 });
  }
}

/**
 * Removes the lock in `stateDir` if its holder (pid `expectedPid`, when given) is gone, judged under
 * the guard flock like a takeover: between reading the holder files and removing the lock, no
 * other process can take it over. A lock not renewed for its stale time counts as gone too.
 */
export async function removeDeadHubLock(stateDir: string, expectedPid?: number, staleMs = DEFAULT_HUB_LOCK_STALE_MS): Promise<boolean> {
  const paths = hubLockPaths(stateDir);
  const guard = await acquireFlock(paths.guard, 10_000);
  try {
    const holder = await readHubLockHolder(stateDir);
    if (expectedPid !== undefined && holder && holder.pid !== expectedPid) return false;
    let stale = false;
    try {
      stale = Date.now() - (await fs.promises.stat(paths.lock)).mtimeMs > staleMs;
    } catch {
      /* no lock directory */
    }
    if (!stale && !(holder && isHolderDead(holder))) return false;
    await fs.promises.rm(paths.holder, { force: true });
    await fs.promises.rm(paths.pid, { force: true });
    await removeLockDirectory(paths.lock);
    return true;
  } finally {
    await guard.release();
  }
}

/** Holder files are a few hundred bytes; a larger one is not ours and is not read. */
const MAX_HOLDER_FILE_BYTES = 16 * 1024;

/** Who holds the lock, from hub.lock.json, else hub.lock.pid; read without following links or blocking on a FIFO. */
export async function readHubLockHolder(stateDir: string): Promise<HubLockHolder | undefined> {
  const paths = hubLockPaths(stateDir);
  try {
    const holder = parseHolder(JSON.parse((await readSmallFile(paths.holder, MAX_HOLDER_FILE_BYTES, 'lock holder file')).text));
    if (holder) return holder;
  } catch {
    /* fall back to the pid file */
  }
  try {
    const { text, st } = await readSmallFile(paths.pid, MAX_HOLDER_FILE_BYTES, 'lock pid file');
    const pid = Number(text.trim());
    if (Number.isSafeInteger(pid) && pid > 0) return { pid, host: os.hostname(), holderId: '', acquiredAt: st.mtime.toISOString() };
  } catch {
    /* no holder information */
  }
  return undefined;
}

/** A holder file's fields, each of the type it must have (a wrong one is dropped, never trusted). */
function parseHolder(raw: unknown): HubLockHolder | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (!Number.isSafeInteger(r.pid) || (r.pid as number) <= 0) return undefined;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    pid: r.pid as number,
    processStartMs: num(r.processStartMs),
    processStartTicks: num(r.processStartTicks),
    bootId: str(r.bootId),
    host: str(r.host) ?? '',
    holderId: str(r.holderId) ?? '',
    acquiredAt: str(r.acquiredAt) ?? '',
    hubUrl: str(r.hubUrl),
  };
}

/** Whether the recorded holder is gone: its pid is not running, or belongs to another process now. */
export function isHolderDead(holder: HubLockHolder): boolean {
  if (holder.host !== os.hostname()) return false;
  return !judgeRecorded({
    pid: holder.pid,
    startTicks: holder.processStartTicks,
    bootId: holder.bootId,
    startMs: holder.processStartMs,
    claimedAtMs: Date.parse(holder.acquiredAt),
  }).same;
}

/**
 * proper-lockfile's lock is an empty directory. rmdir, never a recursive delete: a directory
 * swapped for a symlink (or filled with files) mid-delete must not take anything else with it.
 */
async function removeLockDirectory(lockPath: string): Promise<void> {
  try {
    await fs.promises.rmdir(lockPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    throw new Error(
      `${lockPath}: ${code === 'ENOTDIR' ? 'is not a directory (a symlink?)' : code === 'ENOTEMPTY' || code === 'EEXIST' ? 'is not empty' : (err as Error).message}; not removed`,
    );
  }
}

/**
 * Takes over a lock whose holder died, without waiting for it to go stale: marks it stale (its
 * mtime in the past) so proper-lockfile's own stale takeover removes it. Called under the guard
 * flock, so the holder files read belong to the lock on disk.
 */
async function reclaimIfHolderDead(lockPath: string, holder: HubLockHolder | undefined, log?: (line: string) => void): Promise<boolean> {
  if (!holder || !isHolderDead(holder)) return false;
  try {
    const before = await fs.promises.stat(lockPath);
    const again = await readHubLockHolder(path.dirname(lockPath));
    const after = await fs.promises.stat(lockPath);
    if (again?.holderId !== holder.holderId || before.mtimeMs !== after.mtimeMs) return false;
    await fs.promises.utimes(lockPath, new Date(0), new Date(0));
  } catch {
    return true; // the lock vanished meanwhile: just try again
  }
  log?.(`reclaiming workspace hub lock ${lockPath}: holder pid ${holder.pid} (since ${holder.acquiredAt}) is no longer running`);
  return true;
}
