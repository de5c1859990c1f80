import { JsonNumber, JsonValue } from '../json/json-value';
import { Timestamp } from '../time/timestamp';
import type { LabEntry, LabLock } from './lab-store';

/**
 * The lab's JSON answers (formats.md §4 shapes, plus fields MADSci's resolver ignores). Metadata
 * is stored as JSON text per top-level key and goes back out as that text, so `200.0` or
 * `12345678901234567890` come back exactly as a station sent them.
 */

/** JSON text that is inserted as it is by stringify(). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** JSON.stringify for plain values that may contain RawJson. */
export function stringify(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(stringify).join(',')}]`;
  if (typeof value === 'object') {
    const members = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${members.map(([k, v]) => `${JSON.stringify(k)}:${stringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Compact JSON text of a lossless value (numbers keep their source text). */
export function compactJson(value: JsonValue): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (value instanceof JsonNumber) return value.raw;
  if (Array.isArray(value)) return `[${value.map(compactJson).join(',')}]`;
  return `{${[...value].map(([k, v]) => `${JSON.stringify(k)}:${compactJson(v)}`).join(',')}}`;
}

export const isoTime = (micros: number) => Timestamp.fromMicros(micros).text;

export function lockJson(lock: LabLock) {
  return {
    holder_host: lock.holderHost,
    holder_pid: lock.holderPid,
    holder_instance: lock.holderInstance,
    acquired_at: isoTime(lock.acquiredUs),
    heartbeat_at: isoTime(lock.heartbeatUs),
    expires_at: isoTime(lock.expiresUs),
    fencing_token: lock.fence,
  };
}

export function metadataJson(pairs: readonly [string, string][]): RawJson {
  return new RawJson(`{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`);
}

/** A stored conflict record (our own JSON text) with its time as ISO. */
export function conflictJson(name: string, labId: string, recordText: string) {
  const r = JSON.parse(recordText) as {
    at_us: number;
    offered_id: string;
    host: string | null;
    pid: number | null;
    instance: string | null;
    station: string | null;
  };
  return {
    name,
    lab_id: labId,
    offered_id: r.offered_id,
    host: r.host,
    pid: r.pid,
    instance: r.instance,
    station: r.station,
    at: isoTime(r.at_us),
  };
}

/** GET /registry/resolve/{name} and every entry of GET /registry/entries. */
export function entryJson(entry: LabEntry) {
  return {
    name: entry.name,
    id: entry.id,
    component_type: entry.componentType,
    metadata: metadataJson(entry.metadata),
    created_at: isoTime(entry.createdUs),
    last_seen: isoTime(entry.lastSeenUs),
    // Only a live lock: an expired one is free by MADSci's rules, whatever is still stored.
    lock: entry.lock && lockJson(entry.lock),
    conflicts: entry.conflicts.map((c) => conflictJson(entry.name, entry.id, c)),
  };
}
