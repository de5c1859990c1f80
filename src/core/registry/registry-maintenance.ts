import { JsonObject, JsonValue } from '../json/json-value';
import { RegistryError } from './errors';
import { isExpired } from '../leases/lease-rules';
import { Timestamp } from '../time/timestamp';
import { interpretRegistryDocument } from './parse-document';
import { RegistryFile } from './registry-file';
import { documentToJson } from './serialize-document';
import { emptyDocument, EntryRecord } from './types';

/** Bulk operations on a registry file: clean stale entries, export, import. */

export interface CleanStaleOptions {
  /** Entries whose `last_seen` is older than this are stale (MADSci default: 7). */
  olderThanDays?: number;
  /** Only report what would be removed. */
  dryRun?: boolean;
}

export async function cleanStale(file: RegistryFile, options: CleanStaleOptions): Promise<string[]> {
  const days = options.olderThanDays ?? 7;
  if (!Number.isFinite(days) || days < 0) throw new RegistryError(`olderThanDays must be a number ≥ 0, not ${days}`, 'invalid-argument');
  const pick = (entries: Iterable<EntryRecord>, now: Timestamp) => {
    const lease = file.clock.leaseNow(now);
    const cut = now.micros - days * 86_400_000_000;
    const names: string[] = [];
    for (const r of entries) {
      // Entries Hubkeeper cannot read are never cleaned: that would lose what it cannot see.
      if (r.kind !== 'entry' || r.lastSeen.micros >= cut) continue;
      if (r.lock && !isExpired(r.lock, lease)) continue;
      names.push(r.name);
    }
    return names;
  };
  if (options.dryRun) {
    const doc = await file.read();
    return doc ? pick(doc.entries.values(), file.clock.now()) : [];
  }
  return file.update((doc, now) => {
    if (!doc) return { result: [] };
    const names = pick(doc.entries.values(), now);
    if (names.length === 0) return { result: names };
    const entries = new Map(doc.entries);
    for (const n of names) entries.delete(n);
    return { doc: { ...doc, entries }, result: names };
  });
}

export async function exportDocument(file: RegistryFile): Promise<JsonObject> {
  return documentToJson((await file.read()) ?? emptyDocument(file.clock.now()));
}

/**
 * Imports a registry document (e.g. one `export()` wrote). Merging adds only names not present
 * yet; replacing swaps every entry. Data with any entry Hubkeeper cannot read is refused whole,
 * naming each problem, so an import never half-happens.
 */
export async function importDocument(
  file: RegistryFile,
  data: JsonValue,
  options: { merge?: boolean; source?: string },
): Promise<string[]> {
  const incoming = interpretRegistryDocument(data, options.source ?? 'import data', file.clock.now());
  const problems = [...incoming.entries.values()].flatMap((r) => (r.kind === 'invalid' ? r.problems : []));
  if (problems.length > 0) {
    throw new RegistryError(
      `${options.source ?? 'import data'}: nothing imported: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}`,
      'invalid-argument',
    );
  }
  return file.update((doc, now) => {
    const base = doc ?? emptyDocument(now);
    const merge = options.merge ?? true;
    const entries = merge ? new Map(base.entries) : new Map<string, EntryRecord>();
    const added: string[] = [];
    for (const [name, record] of incoming.entries) {
      if (merge && entries.has(name)) continue;
      entries.set(name, record);
      added.push(name);
    }
    return { doc: { ...base, entries }, result: added };
  });
}
