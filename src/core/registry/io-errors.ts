import { FileLockTimeoutError } from '../locks/file-lock';
import { FlockTimeoutError } from '../locks/flock';
import { RegistryError } from './errors';

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

function describeErrno(code: string): string {
  const known: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    ENOTDIR: 'a parent is not a directory',
    EISDIR: 'is a directory',
    ELOOP: 'too many symlinks, or a symlink where a file was expected',
    EMFILE: 'too many open files',
  };
  return known[code] ?? 'system error';
}
