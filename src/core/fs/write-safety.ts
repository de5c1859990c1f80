import * as fs from 'node:fs';

/**
 * Whether this user may safely write through a directory or a symbolic link: only when nobody but
 * the user (or root) can change what it names. Someone else who can write the directory where our
 * file lives can swap the file for a symlink (or the link for another) between our look and our
 * write, and have us write where they choose, e.g. into our `~/.bashrc`.
 *
 * A directory is trusted when it is owned by this user or by root and is writable by no one else.
 * Group-writable is trusted only when opted in and the group is one of the user's own (a lab's
 * shared folder). World-writable never is, sticky or not: in a sticky directory (/tmp) others
 * cannot replace our files, but they can create the names we are about to create (the file, its
 * lock files) first, as symlinks. Only the directories that hold the file and its links matter:
 * /tmp/x/registry.json, x being the user's own 0755 directory, is fine.
 */

export interface WriteSafetyOptions {
  /** Trust directories writable by one of the user's own groups. */
  trustGroupWritable?: boolean;
}

export interface User {
  uid: number;
  gids: readonly number[];
}

/** The effective user, or undefined where there are no uids (Windows: no check is made there). */
export function currentUser(): User | undefined {
  if (typeof process.geteuid !== 'function' || typeof process.getegid !== 'function') return undefined;
  return { uid: process.geteuid(), gids: [...new Set([process.getegid(), ...(process.getgroups?.() ?? [])])] };
}

/** How to opt in, named in the refusal (the same words in the CLI and the extension). */
export const TRUST_GROUP_WRITABLE_HINT =
  'trust group-writable registries with --trust-group-writable, HUBKEEPER_TRUST_GROUP_WRITABLE=1 or the setting hubkeeper.registry.trustGroupWritable';

/** Why `user` must not write in `dir` (`st` is its stat), or undefined when it may. */
export function directoryProblem(
  dir: string,
  st: fs.Stats | fs.BigIntStats,
  user: User,
  options: WriteSafetyOptions = {},
): string | undefined {
  const uid = Number(st.uid);
  const gid = Number(st.gid);
  const mode = Number(st.mode) & 0o7777;
  const octal = mode.toString(8).padStart(4, '0');
  if (uid !== user.uid && uid !== 0) return `the directory ${dir} is owned by uid ${uid}, not by you (uid ${user.uid}) or root`;
  if (mode & 0o002) return `the directory ${dir} is writable by every user (mode ${octal}), who could swap the file for a symbolic link`;
  if (mode & 0o020) {
    if (!user.gids.includes(gid)) return `the directory ${dir} is writable by group ${gid}, which is not one of yours (mode ${octal})`;
    if (!options.trustGroupWritable)
      return `the directory ${dir} is writable by group ${gid} (mode ${octal}); ${TRUST_GROUP_WRITABLE_HINT}`;
  }
  return undefined;
}

/**
 * Why `user` must not follow the symbolic link `link` (`st` is its lstat) to write, or undefined.
 * A link's own mode means nothing; its owner could have pointed it anywhere.
 */
export function linkProblem(link: string, st: fs.Stats | fs.BigIntStats, user: User): string | undefined {
  const uid = Number(st.uid);
  if (uid !== user.uid && uid !== 0) return `the symbolic link ${link} is owned by uid ${uid}, not by you (uid ${user.uid}) or root`;
  return undefined;
}

/**
 * Why a small state file that names a process to stop (a hub entry, a stop request) must not be
 * acted on, or undefined: it must be this user's own and writable by no one else, or someone else
 * could have written it to aim a reap at any of this user's processes.
 */
export function fileProblem(file: string, st: fs.Stats | fs.BigIntStats, user: User): string | undefined {
  const uid = Number(st.uid);
  const mode = Number(st.mode) & 0o7777;
  if (uid !== user.uid) return `${file} is owned by uid ${uid}, not by you (uid ${user.uid})`;
  if (mode & 0o022)
    return `${file} is writable by ${mode & 0o002 ? 'every user' : 'its group'} (mode ${mode.toString(8).padStart(4, '0')})`;
  return undefined;
}
