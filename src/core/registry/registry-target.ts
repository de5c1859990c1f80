import * as fs from 'node:fs';
import { describeWriteTarget, resolveWriteTarget, sameWriteTarget, WriteTarget } from '../fs/write-target';
import { WriteSafetyOptions } from '../fs/write-safety';
import { RegistryError } from './errors';
import { ioError } from './io-errors';

/**
 * The file a registry write replaces, checked three times: before the locks (to know which lock
 * files to take), again under them (the path must still lead where the locks were taken), and
 * right before the rename (the file there must be the very file that was read). A path that
 * changed in between is refused, never followed: whoever changed it may have aimed it at a file of
 * ours. Each refusal is one line naming the registry.
 */

/** Device and inode of the file a write read (undefined: there was none). */
export interface ReadIdentity {
  dev: bigint;
  ino: bigint;
}

/** Where a write to the registry `file` goes, or a RegistryError ('unsafe') saying why it must not. */
export async function registryWriteTarget(file: string, options: WriteSafetyOptions): Promise<WriteTarget> {
  let result;
  try {
    result = await resolveWriteTarget(file, options);
  } catch (err) {
    throw ioError(file, 'cannot read the registry', err);
  }
  if (!result.ok) throw new RegistryError(result.refusal, 'unsafe', file);
  return result.value;
}

/** Under the locks: the path must still lead where it led when the locks were chosen. */
export async function lockedWriteTarget(
  file: string,
  planned: WriteTarget,
  options: WriteSafetyOptions,
  when = 'while waiting for the registry lock',
): Promise<WriteTarget> {
  const now = await registryWriteTarget(file, options);
  if (!sameWriteTarget(planned, now))
    throw changed(file, `${when} (it was ${describeWriteTarget(planned)}, now it is ${describeWriteTarget(now)})`);
  return now;
}

/** Right before the rename: same path, and at its end the file that was read (or still none). */
export async function assertStillReadFile(
  file: string,
  locked: WriteTarget,
  read: ReadIdentity | undefined,
  options: WriteSafetyOptions,
): Promise<void> {
  const when = 'while it was being updated';
  const now = await lockedWriteTarget(file, locked, options, when);
  const st = now.stat;
  if (!read && st) throw changed(file, `${when} (${now.target} appeared)`);
  if (read && (!st || st.dev !== read.dev || st.ino !== read.ino))
    throw changed(file, `${when} (${now.target} is no longer the file that was read)`);
}

/**
 * Opens `target` (the end of the path's links) to read it for a write, never through a link, so
 * the identity of the descriptor is exactly that of the bytes read. Undefined: no file there.
 */
export async function openTarget(file: string, target: string): Promise<fs.promises.FileHandle | undefined> {
  try {
    // Non-blocking: a FIFO put there opens at once (and is then refused) instead of hanging.
    return await fs.promises.open(target, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw changed(file, `while waiting for the registry lock (${target} is a symbolic link now)`);
    throw ioError(file, 'cannot read the registry', err);
  }
}

function changed(file: string, how: string): RegistryError {
  return new RegistryError(`${file}: changed ${how}; nothing was written`, 'unsafe', file);
}

/** Why writes to `file` would be refused (for views to flag), or undefined. Creates nothing. */
export async function writeRefusal(file: string, options: WriteSafetyOptions): Promise<string | undefined> {
  try {
    const result = await resolveWriteTarget(file, options);
    return result.ok ? undefined : result.refusal;
  } catch {
    return undefined; // unreadable: the read reports it
  }
}
