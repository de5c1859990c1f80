import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { isPidRunning } from '../processes/process-identity';

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
  /** Mode for a file that does not exist yet (default: 0o666 less the umask, as Python's open()). */
  mode?: number;
  /** Give the file `mode` even if it exists with another (secrets, bones' 0600 entries). */
  alwaysMode?: boolean;
  /** The temp file's path (default `<file>.hubkeeper-tmp-<pid>-<random>`), for formats that name it. */
  temp?: string;
  /**
   * Runs after the temp file is complete, right before it is renamed over `file`; throwing
   * cancels the write (the temp file is removed, `file` untouched). For checks that must be as
   * late as possible, e.g. that `file` is still the file that was read.
   */
  beforeRename?: () => Promise<void>;
}

export function tempPathFor(file: string): string {
  return `${file}.hubkeeper-tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * writeFileAtomic, then the identity of what it wrote (the registry's cache needs it). Only for
 * files no one else removes right away: the stat is by path, after the rename.
 */
export async function writeFileAtomicAndStat(
  file: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<fs.BigIntStats> {
  await writeFileAtomic(file, data, options);
  return fs.promises.stat(file, { bigint: true });
}

export async function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  let existing: fs.Stats | undefined;
  try {
    existing = await fs.promises.stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  // An existing file keeps its mode exactly; a new one gets the mode asked for, or the umask's.
  const mode = existing && !options.alwaysMode ? existing.mode & 0o7777 : options.mode;
  const temp = options.temp ?? tempPathFor(file);
  const handle = await fs.promises.open(temp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, mode ?? 0o666);
  try {
    try {
      await handle.writeFile(data);
      if (mode !== undefined) await handle.chmod(mode); // open() applied the umask to it
      if (existing && !options.alwaysMode && process.getuid?.() === 0 && (existing.uid !== 0 || existing.gid !== 0)) {
        await handle.chown(existing.uid, existing.gid);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await options.beforeRename?.();
    await fs.promises.rename(temp, file);
  } catch (err) {
    await fs.promises.rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
  // A file another process consumes at once (a stop request) may be gone already: nothing to stat.
  await syncDirectory(path.dirname(file));
}

/**
 * Removes temp files (names starting with `prefix`, in `dir`) that writers killed mid-write left
 * behind: the writer's pid follows the prefix and no longer runs. Files without a pid (another
 * tool's) only once older than `noPidMaxAgeMs`, if given. Called under the write lock, or where a
 * live writer's temp file is recognised by its pid, so no live writer's file is touched.
 */
export async function removeAbandonedTemps(dir: string, prefix: string, noPidMaxAgeMs?: number): Promise<void> {
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const file = path.join(dir, name);
    const pid = /^(\d+)-/.exec(name.slice(prefix.length))?.[1];
    try {
      const abandoned = pid
        ? Number(pid) !== process.pid && !isPidRunning(Number(pid))
        : noPidMaxAgeMs !== undefined && Date.now() - (await fs.promises.stat(file)).mtimeMs > noPidMaxAgeMs;
      if (abandoned) await fs.promises.rm(file, { force: true });
    } catch {
      /* gone meanwhile */
    }
  }
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
