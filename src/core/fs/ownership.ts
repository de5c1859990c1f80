import type * as fs from 'node:fs';

/**
 * Whether a file may tell Hubkeeper which process to stop. Only what this user wrote counts: a
 * file (or the directory holding it) that another user owns, or that group or others may write,
 * could have been put there by someone else to aim a reap at any of this user's processes.
 * Such files are still shown, flagged with this reason, but nothing is signalled or asked to stop.
 */
export function whyNotOwnedByUser(st: fs.Stats, what: string): string | undefined {
  // Windows reports synthetic mode bits and uid 0 for everything; its ACLs are not checked here.
  if (process.platform === 'win32') return undefined;
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) return `${what} is owned by uid ${st.uid}, not by this user (uid ${uid})`;
  const writable = st.mode & 0o022;
  if (writable) {
    const who = writable === 0o022 ? 'group and others' : writable === 0o020 ? 'its group' : 'others';
    return `${what} is writable by ${who} (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')})`;
  }
  return undefined;
}
