import { ComponentRegistry } from './component-registry';
import { usableEntry } from './entries';
import { notFound, RegistryError, RegistryLockError } from './errors';
import { isUlid } from './names';

/**
 * `lab adopt`: a station's local entry takes the lab's id for its name, so one name has one id
 * across the lab again. Only while no live holder has the entry's lease (a running process keeps
 * the id it resolved), and through the registry's one safe write path (locked, atomic, checked).
 */

export interface AdoptResult {
  name: string;
  oldId: string;
  id: string;
  changed: boolean;
}

/** `expectId`: the local id the requester saw; checked under the registry's lock, so nothing else changes it in between. */
export async function adoptLabId(registry: ComponentRegistry, name: string, labId: string, expectId?: string): Promise<AdoptResult> {
  if (!isUlid(labId))
    throw new RegistryError(`the lab's id for '${name}' is not a ULID: ${JSON.stringify(labId.slice(0, 40))}`, 'invalid-argument');
  return registry.file.update<AdoptResult>((doc) => {
    const record = doc?.entries.get(name);
    if (!doc || !record) throw notFound(name, registry.path);
    const entry = usableEntry(record, registry.path);
    if (expectId !== undefined && entry.id !== expectId && entry.id !== labId)
      throw new RegistryError(
        `${registry.path}: '${name}' now has id ${entry.id}, not ${expectId} as confirmed; nothing changed`,
        'invalid-argument',
        registry.path,
      );
    if (entry.id === labId) return { result: { name, oldId: entry.id, id: labId, changed: false } };
    const status = registry.lockStatus(entry);
    if (entry.lock && status.state === 'held') {
      throw new RegistryLockError(
        `${registry.path}: Cannot adopt the lab's id for '${name}': currently locked by ${entry.lock.holderHost} (PID ${entry.lock.holderPid}); the running holder keeps the id it resolved`,
        registry.path,
      );
    }
    const entries = new Map(doc.entries);
    entries.set(name, { ...entry, id: labId });
    return { doc: { ...doc, entries }, result: { name, oldId: entry.id, id: labId, changed: true } };
  });
}
