import * as fs from 'node:fs';
import * as path from 'node:path';
import { currentUser, directoryProblem, linkProblem, WriteSafetyOptions } from './write-safety';

/**
 * Which file a write to `file` must replace, found one link at a time so that every directory and
 * link on the way is checked (write-safety.ts): a symlinked path is written at the file it points
 * to, so the link survives and every writer of that file meets the same locks whichever path it
 * used. A dangling link is never written through: that would create a file wherever the link's
 * owner pointed it.
 */

export interface WriteTarget {
  /** `file` with its directory's symlinks resolved: where the path's own lock files live. */
  entry: string;
  /** The links followed, in order (empty when `file` is not a link). */
  links: string[];
  /** The file to replace: `entry`, or the end of its link chain. */
  target: string;
  /** What is at `target` (lstat; never a link), undefined when no file exists yet. */
  stat?: fs.BigIntStats;
}

export type WriteTargetResult = { ok: true; value: WriteTarget } | { ok: false; refusal: string };

/** Linux gives up after 40 links; so do we. */
const MAX_LINKS = 40;

/**
 * Resolves `file` for a write, or says in one line (naming `file`) why it must not be written.
 * Creates nothing. A missing directory of `file` itself is not a refusal (the writer creates it);
 * a symlink loop throws ELOOP, other file-system failures throw as they are.
 */
export async function resolveWriteTarget(file: string, options: WriteSafetyOptions = {}): Promise<WriteTargetResult> {
  const user = currentUser();
  const links: string[] = [];
  let current = path.resolve(file);
  let entry: string | undefined;
  const refuse = (problem: string): WriteTargetResult => ({ ok: false, refusal: `${file}: refusing to write: ${problem}` });
  const dangling = (): WriteTargetResult => ({
    ok: false,
    refusal: `${file} is a symbolic link to ${current}, which does not exist; refusing to create a file through it`,
  });
  for (let hop = 0; hop <= MAX_LINKS; hop++) {
    let dir: string;
    try {
      dir = await fs.promises.realpath(path.dirname(current));
    } catch (err) {
      if (!isMissing(err)) throw err;
      return hop === 0 ? { ok: true, value: { entry: current, links, target: current } } : dangling();
    }
    if (user) {
      const problem = directoryProblem(dir, await fs.promises.stat(dir), user, options);
      if (problem) return refuse(problem);
    }
    current = path.join(dir, path.basename(current));
    entry ??= current;
    let st: fs.BigIntStats;
    try {
      st = await fs.promises.lstat(current, { bigint: true });
    } catch (err) {
      if (!isMissing(err)) throw err;
      return hop === 0 ? { ok: true, value: { entry, links, target: current } } : dangling();
    }
    if (!st.isSymbolicLink()) return { ok: true, value: { entry, links, target: current, stat: st } };
    const problem = user && linkProblem(current, st, user);
    if (problem) return refuse(problem);
    links.push(current);
    current = path.resolve(dir, await fs.promises.readlink(current));
  }
  throw Object.assign(new Error(`${file}: too many symbolic links`), { code: 'ELOOP' });
}

/**
 * The same file reached the same way: same links, same target. Whether a file is there may differ
 * (another writer may have created it meanwhile, under the same locks).
 */
export function sameWriteTarget(a: WriteTarget, b: WriteTarget): boolean {
  return a.target === b.target && a.links.length === b.links.length && a.links.every((l, i) => l === b.links[i]);
}

/** `a symbolic link to /x/y`, `a regular file`, `absent`: for messages about a path that changed. */
export function describeWriteTarget(t: WriteTarget): string {
  if (t.links.length > 0) return `a symbolic link to ${t.target}`;
  if (!t.stat) return 'absent';
  return t.stat.isFile() ? 'a regular file' : t.stat.isDirectory() ? 'a directory' : 'a special file';
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
