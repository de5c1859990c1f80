import { JsonObject } from '../json/json-value';
import { RegistryError } from './errors';
import { EntryRecord, RegistryEntry } from './types';

/** Working with one entry record: an unreadable one refuses every use but showing and deleting it. */

export function usableEntry(record: EntryRecord, file: string): RegistryEntry {
  if (record.kind === 'entry') return record;
  throw new RegistryError(
    `${file}: Entry '${record.name}' cannot be used until it is fixed: ${record.problems.join('; ')}`,
    'invalid-entry',
    file,
  );
}

export function mergeMetadata(current: JsonObject, update: JsonObject | undefined): JsonObject {
  if (!update || update.size === 0) return current;
  const merged = new Map(current);
  for (const [k, v] of update) merged.set(k, v);
  return merged;
}
