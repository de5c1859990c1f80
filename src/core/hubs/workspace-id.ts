import { createHash } from 'node:crypto';

/**
 * bones' workspace id: the first 16 hex characters of sha256 of the cleaned cwd. `clean` is Go's
 * `filepath.Clean` — purely lexical: no trailing slash, `.` and `..` resolved, doubled slashes
 * collapsed, symlinks left alone — so Hubkeeper derives the same id bones does for any path.
 */

export function goCleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return '/' + joined;
  return joined === '' ? '.' : joined;
}

export function workspaceId(cwd: string): string {
  return createHash('sha256').update(goCleanPath(cwd)).digest('hex').slice(0, 16);
}
