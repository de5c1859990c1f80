import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Replaces `file` with `data` so that a reader sees either the old or the new content, never a
 * mix, and a crash at any point leaves the old file intact: write a temp file in the same
 * directory, fsync it, rename it over the target, fsync the directory. The target's permission
 * bits (and, when we may, its owner) are kept.
 *
 * Temp names carry the writer's pid (`<name>.hubkeeper-tmp-<pid>-<random>`) so a leftover from a
 * crashed writer can be recognised and removed safely later.
 */

export interface AtomicWriteOptions {
  /** Mode for a file that does not exist yet (default 0o644, what MADSci's umask usually gives). */
  mode?: number;
}

export function tempPathFor(file: string): string {
  return `${file}.hubkeeper-tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export async function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<fs.BigIntStats> {
  let existing: fs.Stats | undefined;
  try {
    existing = await fs.promises.stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const mode = existing ? existing.mode & 0o7777 : (options.mode ?? 0o644);
  const temp = tempPathFor(file);
  const handle = await fs.promises.open(temp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, mode);
  try {
    try {
      await handle.writeFile(data);
      await handle.chmod(mode); // the umask may have narrowed the mode given to open()
      if (existing && process.getuid?.() === 0 && (existing.uid !== 0 || existing.gid !== 0)) {
        await handle.chown(existing.uid, existing.gid);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(temp, file);
  } catch (err) {
    await fs.promises.rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
  await syncDirectory(path.dirname(file));
  return fs.promises.stat(file, { bigint: true });
}

async function syncDirectory(dir: string): Promise<void> {
  // Makes the rename itself durable. Some file systems refuse fsync on a directory: that only
  // weakens durability after a power cut, never atomicity, so it is not an error.
  try {
    const handle = await fs.promises.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort */
  }
}
