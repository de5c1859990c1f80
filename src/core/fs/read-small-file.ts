import * as fs from 'node:fs';
import { formatBytes } from './describe';

/**
 * Reads a small state file another program may have planted or swapped: never through a symlink
 * (also one swapped in after the check), never blocking on a FIFO, never more than `maxBytes`
 * whatever the file claims or grows to. Hub entries, hub lock holder and pid files go through it.
 */

export class SmallFileError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'SmallFileError';
  }
}

export interface SmallFile {
  text: string;
  /** The stat of what was opened (owner and mode for trust checks, mtime). */
  st: fs.Stats;
}

const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = fs.constants.O_NONBLOCK ?? 0;

export async function readSmallFile(file: string, maxBytes: number, what = 'file'): Promise<SmallFile> {
  const notRegular = (st: fs.Stats) =>
    new SmallFileError(file, st.isSymbolicLink() ? `is a symlink; a ${what} must be a regular file` : `is not a regular file`);
  const tooLarge = (size: number) =>
    new SmallFileError(file, `is larger (${formatBytes(size)}) than the ${formatBytes(maxBytes)} a ${what} may have; it was not read`);
  const lst = await fs.promises.lstat(file);
  if (!lst.isFile()) throw notRegular(lst);
  if (lst.size > maxBytes) throw tooLarge(lst.size);
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, fs.constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw new SmallFileError(file, `is a symlink; a ${what} must be a regular file`);
    throw err;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw notRegular(st);
    if (st.size > maxBytes) throw tooLarge(st.size);
    // Sized by the stat, but read to the end: the file may have grown since.
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(Math.max(st.size + 1 - length, 4096), maxBytes + 1 - length));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, length);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      length += bytesRead;
      if (length > maxBytes) throw tooLarge(length);
    }
    return { text: Buffer.concat(chunks, length).toString('utf8'), st };
  } finally {
    await handle.close();
  }
}
