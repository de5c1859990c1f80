/** File-system facts in words, for error messages. */

export function describeErrno(code: string): string {
  const known: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    ENOTDIR: 'a parent is not a directory',
    EISDIR: 'is a directory',
    EIO: 'input/output error',
    ELOOP: 'too many symlinks, or a symlink where a file was expected',
    EMFILE: 'too many open files',
  };
  return known[code] ?? 'system error';
}

export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${n} bytes`;
}
