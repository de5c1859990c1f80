import { isStale, LockStatus } from '../leases/lease-rules';
import { ComponentRegistry } from '../registry/component-registry';
import { COMPONENT_TYPES, ComponentType, InvalidEntry, RegistryEntry } from '../registry/types';

/**
 * The component registry as every reader shows it: each entry with its lock status, computed once
 * per read by the one rule (lease-rules.ts), the entries that cannot be read, and what stops
 * writes. `hubkeeper status`, `components list`, `locks list`, the Components and Stale Locks
 * views and the badge all read this; none of them judges a lock itself.
 */

export interface ComponentState {
  entry: RegistryEntry;
  status: LockStatus;
}

export interface ComponentsState {
  path: string;
  /** The file exists and could be read. */
  exists: boolean;
  /** Why the file cannot be read at all (corrupt, unreadable): nothing else is known then. */
  error?: string;
  /** Why writes are refused (a shared directory, a foreign link), if they are. */
  writeRefused?: string;
  entries: ComponentState[];
  invalid: InvalidEntry[];
}

export async function readComponentsState(registry: ComponentRegistry): Promise<ComponentsState> {
  const writeRefused = await registry.file.writeRefusal().catch(() => undefined);
  try {
    const doc = await registry.snapshot();
    const records = doc ? [...doc.entries.values()] : [];
    return {
      path: registry.path,
      exists: doc !== undefined,
      writeRefused,
      entries: records
        .filter((r): r is RegistryEntry => r.kind === 'entry')
        .map((entry) => ({ entry, status: registry.lockStatus(entry) })),
      invalid: records.filter((r): r is InvalidEntry => r.kind === 'invalid'),
    };
  } catch (err) {
    return { path: registry.path, exists: false, error: (err as Error).message, writeRefused, entries: [], invalid: [] };
  }
}

/** Expired or abandoned leases: what Stale Locks and `locks list` show. */
export function staleLeases(state: ComponentsState): ComponentState[] {
  return state.entries.filter((c) => isStale(c.status));
}

export function heldLeases(state: ComponentsState): ComponentState[] {
  return state.entries.filter((c) => c.status.state === 'held');
}

export function countsByType(state: ComponentsState): Record<ComponentType, number> {
  return Object.fromEntries(COMPONENT_TYPES.map((t) => [t, state.entries.filter((c) => c.entry.componentType === t).length])) as Record<
    ComponentType,
    number
  >;
}
