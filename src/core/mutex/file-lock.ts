import * as lockfile from 'proper-lockfile';

/**
 * Hubkeeper's lock between its own processes: `proper-lockfile` (a directory created atomically
 * with mkdir, its mtime refreshed as a heartbeat, reclaimed when stale). The lock path is always
 * given explicitly: proper-lockfile's default for `registry.json` would be `registry.json.lock`,
 * the file MADSci flocks, and a directory there would break MADSci.
 */

export interface FileLockOptions {
  lockfilePath: string;
  /** How long to keep retrying before giving up (default 10 s). */
  timeoutMs?: number;
  /** A lock not refreshed for this long is taken over (default 10 s, minimum 2 s). */
  staleMs?: number;
  /** Called (never thrown) when the lock was lost while held, e.g. after the machine slept. */
  onCompromised?: (err: Error) => void;
}

export class FileLockTimeoutError extends Error {
  constructor(readonly lockfilePath: string) {
    super(`timed out waiting for ${lockfilePath}`);
    this.name = 'FileLockTimeoutError';
  }
}

export async function acquireFileLock(target: string, options: FileLockOptions): Promise<() => Promise<void>> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxTimeout = 100;
  try {
    return await lockfile.lock(target, {
      lockfilePath: options.lockfilePath,
      realpath: false,
      stale: Math.max(options.staleMs ?? 10_000, 2000),
      retries: {
        retries: Math.max(1, Math.ceil(timeoutMs / (maxTimeout * 0.75))),
        minTimeout: 5,
        maxTimeout,
        factor: 1.5,
        randomize: true,
      },
      onCompromised: options.onCompromised ?? (() => undefined),
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') throw new FileLockTimeoutError(options.lockfilePath);
    throw err;
  }
}
