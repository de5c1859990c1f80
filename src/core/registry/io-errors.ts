import { FileLockTimeoutError } from '../mutex/file-lock';
import { FlockTimeoutError } from '../mutex/flock';
import { RegistryError } from './errors';
import { describeErrno } from '../fs/describe';

/** File-system failures in words: the file, what was being done, and the cause (`permission denied (EACCES)`). */

export function lockError(file: string, err: unknown): RegistryError {
  if (err instanceof FileLockTimeoutError || err instanceof FlockTimeoutError) {
    return new RegistryError('Timeout acquiring file lock for registry. Another process may be holding the lock.', 'timeout', file);
  }
  return ioError(file, 'cannot lock the registry', err);
}

export function ioError(file: string, what: string, err: unknown): RegistryError {
  const e = err as NodeJS.ErrnoException;
  const why = e.code ? `${describeErrno(e.code)} (${e.code})` : e.message;
  return new RegistryError(`${file}: ${what}: ${why}`, 'io', file);
}
