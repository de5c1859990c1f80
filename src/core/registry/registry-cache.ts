import type * as fs from 'node:fs';
import { SerializedRegistry } from './serialize-document';
import { RegistryDocument } from './types';

/**
 * What RegistryFile remembers of the file between reads: the bytes and document it last saw, and
 * the file's identity then. A read is a stat while the identity is unchanged.
 */

export interface FileIdentity {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

export interface CacheEntry {
  identity: FileIdentity;
  bytes: Buffer;
  doc: RegistryDocument;
  /** Wall-clock time (ns) at which `bytes` were known to equal the file. */
  verifiedAtNs: bigint;
  /** 0 where every change gets a new timestamp (see timestamp-granularity.ts). */
  racyWindowNs: bigint;
  /** Where each entry lies in `bytes`, when this process wrote them. */
  serialized?: SerializedRegistry;
}

/**
 * File systems with coarse timestamps can give two writes within one tick the same mtime. There, a
 * cache hit on identity alone is trusted only for files last modified longer ago than this; newer
 * ones are re-read and compared byte for byte (cheap next to parsing).
 */
export const COARSE_RACY_WINDOW_NS = 20_000_000n;

export function identityOf(st: fs.BigIntStats): FileIdentity {
  return { dev: st.dev, ino: st.ino, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs };
}

export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}
