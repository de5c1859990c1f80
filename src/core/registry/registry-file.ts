import * as fs from 'node:fs';
import * as path from 'node:path';
import { LeaseClock } from '../time/lease-clock';
import { removeAbandonedTemps, writeFileAtomicAndStat } from '../fs/atomic-write';
import { formatBytes } from '../fs/describe';
import { hasFineTimestamps } from '../fs/timestamp-granularity';
import { WriteTarget } from '../fs/write-target';
import { Timestamp } from '../time/timestamp';
import { RegistryError, RegistryFormatError } from './errors';
import { ioError } from './io-errors';
import { acquireRegistryLocks } from './registry-locks';
import { parseRegistryDocument } from './parse-document';
import { assertStillReadFile, lockedWriteTarget, openTarget, ReadIdentity, registryWriteTarget, writeRefusal } from './registry-target';
import { refuseForeignCreation } from './registry-name';
import { CacheEntry, COARSE_RACY_WINDOW_NS, identityOf, sameIdentity } from './registry-cache';
import { serializeRegistry } from './serialize-document';
import { RegistryDocument } from './types';

/**
 * One registry.json on disk: cached reads, and locked, atomic read-modify-write.
 *
 * Reads take no lock and create nothing (a viewer must not). MADSci writes in place, so a read can
 * catch a half-written file: it is re-read for a short while before being called corrupt.
 * Writes hold Hubkeeper's own lock (proper-lockfile, on `registry.json.hubkeeper-lock`) and
 * MADSci's flock on `registry.json.lock`, re-validate the cached document against the bytes on
 * disk, and replace the file atomically. A write goes only to a path that is safe for this user
 * (registry-target.ts): reads still show a registry in a shared directory, writes refuse.
 */

export interface RegistryFileOptions {
  /** Wall clock in ms (injectable for tests). */
  clock?: () => number;
  /** Monotonic clock in ms (injectable for tests; default CLOCK_MONOTONIC). */
  monotonic?: () => number;
  /** How long to wait for the registry locks (MADSci uses 5 s). */
  lockTimeoutMs?: number;
  /** Files larger than this are refused without being read (default 64 MiB). */
  maxBytes?: number;
  /** How long to keep re-reading a file that does not parse before calling it corrupt. */
  tornReadRetryMs?: number;
  /** Write registries in directories writable by one of the user's own groups (off by default). */
  trustGroupWritable?: boolean;
}

const TORN_READ_PAUSE_MS = 25;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export const MAX_REGISTRY_BYTES = 64 * 1024 * 1024;

export class RegistryFile {
  private cache: CacheEntry | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** The lease clock: wall + monotonic time (injectable through the options, for tests). */
  readonly clock: LeaseClock;
  /** Number of times this object wrote the file (benchmarks count heartbeat writes with it). */
  writeCount = 0;

  constructor(
    readonly path: string,
    private readonly options: RegistryFileOptions = {},
  ) {
    this.clock = new LeaseClock(options.clock, options.monotonic);
  }

  /** The current document, or undefined when the file does not exist. */
  read(): Promise<RegistryDocument | undefined> {
    return this.retryTornRead(() => this.readOnce());
  }

  /** Why a write would be refused (see registry-target.ts), for views to flag; undefined if none. */
  writeRefusal(): Promise<string | undefined> {
    return writeRefusal(this.path, this.options);
  }

  private async retryTornRead<T>(readOnce: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + (this.options.tornReadRetryMs ?? 400);
    for (;;) {
      try {
        return await readOnce();
      } catch (err) {
        // A non-atomic writer (MADSci) may be midway through a write, leaving a prefix of the
        // new text: a file that ends early is read again shortly before it is called corrupt.
        if (!(err instanceof RegistryFormatError) || !err.truncated || Date.now() >= deadline) throw err;
        await sleep(TORN_READ_PAUSE_MS);
      }
    }
  }

  /**
   * Read-modify-write under both locks. `mutate` gets the current document (undefined if there is
   * no file yet) and returns the new document to write (its `updated_at` is set here), or
   * undefined to write nothing.
   * Calls on one RegistryFile are serialized in this process.
   */
  update<T>(mutate: (doc: RegistryDocument | undefined, now: Timestamp) => { doc?: RegistryDocument; result: T }): Promise<T> {
    const run = this.queue.then(() => this.updateLocked(mutate));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async updateLocked<T>(
    mutate: (doc: RegistryDocument | undefined, now: Timestamp) => { doc?: RegistryDocument; result: T },
  ): Promise<T> {
    await refuseForeignCreation(this.path, this.path);
    try {
      await fs.promises.mkdir(path.dirname(this.path), { recursive: true });
    } catch (err) {
      throw ioError(this.path, 'cannot create the registry directory', err);
    }
    const planned = await registryWriteTarget(this.path, this.options);
    if (planned.target !== this.path) await refuseForeignCreation(this.path, planned.target);
    const locks = await acquireRegistryLocks(this.path, planned, this.options.lockTimeoutMs ?? 5000);
    try {
      // Whoever could change the path could have done it while we waited: look again, under the locks.
      const locked = await lockedWriteTarget(this.path, planned, this.options);
      const { current, identity } = await this.readForWrite(locked);
      const now = this.clock.now();
      const { doc, result } = mutate(current, now);
      if (doc) {
        if (!locks.held)
          throw new RegistryError(
            `${this.path}: lost the registry lock before writing (its helper process died); nothing was written`,
            'timeout',
            this.path,
          );
        await this.write(locked, identity, { ...doc, updatedAt: now }, current);
      }
      return result;
    } finally {
      await locks.release();
    }
  }

  /**
   * The current document for a write, read from the file that will be replaced (not through the
   * path, which could lead elsewhere by now), with the identity of what was read. A file Hubkeeper
   * cannot fully interpret is never rewritten.
   */
  private async readForWrite(locked: WriteTarget): Promise<{ current?: RegistryDocument; identity?: ReadIdentity }> {
    const untouched = 'The file was left untouched: fix it by hand (or restore a backup, or move it aside to start afresh) and try again.';
    let read: { current?: RegistryDocument; identity?: ReadIdentity };
    try {
      read = await this.retryTornRead(() => this.readTarget(locked.target));
    } catch (err) {
      if (err instanceof RegistryFormatError) throw new RegistryFormatError(this.path, err.jsonPath, `${err.problem}. ${untouched}`);
      throw err;
    }
    const problem = read.current?.problems?.[0];
    if (problem) {
      const [where, ...rest] = problem.split(': ');
      throw new RegistryFormatError(this.path, where, `${rest.join(': ')}. ${untouched}`);
    }
    return read;
  }

  /**
   * `current` is the document `doc` was derived from (its bytes are reused where unchanged), read
   * from the file `identity` names: right before the rename, that must still be the file there.
   */
  private async write(
    locked: WriteTarget,
    identity: ReadIdentity | undefined,
    doc: RegistryDocument,
    current: RegistryDocument | undefined,
  ): Promise<void> {
    const target = locked.target;
    const previous = this.cache?.serialized;
    const serialized = serializeRegistry(doc, previous && this.cache?.doc === current ? previous : undefined);
    const bytes = serialized.bytes;
    let stat: fs.BigIntStats;
    try {
      await removeAbandonedTemps(path.dirname(target), `${path.basename(target)}.hubkeeper-tmp-`);
      stat = await writeFileAtomicAndStat(target, bytes, {
        beforeRename: () => assertStillReadFile(this.path, locked, identity, this.options),
      });
    } catch (err) {
      if (err instanceof RegistryError) throw err;
      throw ioError(this.path, 'cannot write the registry (the previous file is intact)', err);
    }
    this.writeCount++;
    this.cache = {
      identity: identityOf(stat),
      bytes,
      doc,
      serialized,
      verifiedAtNs: this.nowNs(),
      racyWindowNs: this.racyWindowNs(target),
    };
  }

  private async readOnce(): Promise<RegistryDocument | undefined> {
    let stat: fs.BigIntStats;
    try {
      stat = await fs.promises.stat(this.path, { bigint: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.cache = undefined;
        return undefined;
      }
      throw ioError(this.path, 'cannot read the registry', err);
    }
    return this.interpret(stat, () => fs.promises.readFile(this.path));
  }

  /** Reads the file a write replaces, through one descriptor (see openTarget). */
  private async readTarget(target: string): Promise<{ current?: RegistryDocument; identity?: ReadIdentity }> {
    const handle = await openTarget(this.path, target);
    if (!handle) {
      this.cache = undefined;
      return {};
    }
    try {
      const stat = await handle.stat({ bigint: true });
      return { current: await this.interpret(stat, () => handle.readFile()), identity: { dev: stat.dev, ino: stat.ino } };
    } finally {
      await handle.close();
    }
  }

  /** The document in the file `stat` describes; `load` reads its bytes (only when needed). */
  private async interpret(stat: fs.BigIntStats, load: () => Promise<Buffer>): Promise<RegistryDocument> {
    if (!stat.isFile()) throw new RegistryFormatError(this.path, '', 'is not a regular file');
    const identity = identityOf(stat);
    const cache = this.cache;
    if (cache && sameIdentity(cache.identity, identity) && stat.mtimeNs + cache.racyWindowNs < cache.verifiedAtNs) {
      return cache.doc;
    }
    const maxBytes = this.options.maxBytes ?? MAX_REGISTRY_BYTES;
    if (stat.size > BigInt(maxBytes)) {
      throw new RegistryFormatError(
        this.path,
        '',
        `is larger (${formatBytes(Number(stat.size))}) than the ${formatBytes(maxBytes)} a registry may have; it was not read`,
      );
    }
    let bytes: Buffer;
    try {
      bytes = await load();
    } catch (err) {
      throw ioError(this.path, 'cannot read the registry', err);
    }
    const verifiedAtNs = this.nowNs();
    if (cache && cache.bytes.equals(bytes)) {
      this.cache = { ...cache, identity, verifiedAtNs };
      return cache.doc;
    }
    const doc = parseRegistryDocument(decodeUtf8(bytes, this.path), this.path, this.clock.now());
    this.cache = { identity, bytes, doc, verifiedAtNs, racyWindowNs: COARSE_RACY_WINDOW_NS };
    return doc;
  }

  /** Probing writes a scratch file, so it happens on the write path only; readers assume coarse. */
  private racyWindowNs(target: string): bigint {
    return hasFineTimestamps(path.dirname(target)) ? 0n : COARSE_RACY_WINDOW_NS;
  }

  private nowNs(): bigint {
    return BigInt(Date.now()) * 1_000_000n;
  }
}

function decodeUtf8(bytes: Buffer, file: string): string {
  if (bytes.subarray(0, 3).equals(UTF8_BOM))
    throw new RegistryFormatError(file, '', 'starts with a UTF-8 byte order mark, which JSON readers such as Python reject');
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new RegistryFormatError(file, '', 'is not valid UTF-8 text');
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
