import { JsonNumber, JsonObject, JsonValue } from '../json/json-value';
import { Timestamp } from '../time/timestamp';

/** The component types MADSci knows. An entry with another type is kept but cannot be used. */
export const COMPONENT_TYPES = ['node', 'module', 'manager', 'experiment', 'workcell'] as const;
export type ComponentType = (typeof COMPONENT_TYPES)[number];

export function isComponentType(value: unknown): value is ComponentType {
  return typeof value === 'string' && (COMPONENT_TYPES as readonly string[]).includes(value);
}

/** A heartbeat lock on an entry (MADSci's `RegistryLock`). */
export interface RegistryLock {
  readonly holderPid: number;
  readonly holderHost: string;
  /** ULID of the lock-holding instance, one per process. */
  readonly holderInstance: string;
  readonly acquiredAt: Timestamp;
  readonly heartbeatAt: Timestamp;
  readonly expiresAt: Timestamp;
  /** Keys the original format does not define, kept in order and written back after the known ones. */
  readonly extra: JsonObject;
}

export interface RegistryEntry {
  readonly kind: 'entry';
  /** The key in `entries`; not stored inside the entry. */
  readonly name: string;
  readonly id: string;
  readonly componentType: ComponentType;
  readonly createdAt: Timestamp;
  readonly lastSeen: Timestamp;
  readonly metadata: JsonObject;
  readonly lock: RegistryLock | null;
  readonly workcellId: string | null;
  readonly extra: JsonObject;
}

/**
 * An entry Hubkeeper cannot interpret. It is kept exactly as it was read and written back
 * unchanged, so that one bad entry never blocks the others (MADSci fails on every operation).
 */
export interface InvalidEntry {
  readonly kind: 'invalid';
  readonly name: string;
  readonly raw: JsonValue;
  /** Each problem names its JSON path, e.g. `entries.robot_1.lock.expires_at: not an ISO-8601 time`. */
  readonly problems: readonly string[];
}

export type EntryRecord = RegistryEntry | InvalidEntry;

export interface RegistryDocument {
  readonly version: JsonNumber;
  readonly createdAt: Timestamp;
  readonly updatedAt: Timestamp;
  /** Keyed by component name, in file order (new names are appended). */
  readonly entries: ReadonlyMap<string, EntryRecord>;
  readonly extra: JsonObject;
  /**
   * Problems with the top-level fields (`version: expected an integer, …`). The entries are still
   * shown, but Hubkeeper refuses to write such a file: it would have to invent the values.
   */
  readonly problems?: readonly string[];
}

export const MAX_NAME_LENGTH = 200;

/** What a registry that does not exist yet starts as. */
export function emptyDocument(now: Timestamp): RegistryDocument {
  return { version: new JsonNumber('1'), createdAt: now, updatedAt: now, entries: new Map(), extra: new Map() };
}
