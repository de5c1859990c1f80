import { JsonNumber, JsonObject, JsonValue } from '../json/json-value';
import { pythonJson, pythonString } from '../json/python-json';
import { EntryRecord, RegistryDocument, RegistryEntry, RegistryLock } from './types';

/**
 * Writes a RegistryDocument in MADSci's exact layout (`json.dump(doc, indent=2)`, keys in model
 * order, no trailing newline). Keys the original format does not define follow the known ones.
 *
 * Entries are immutable, so each entry's text is cached by object identity: rewriting a registry
 * of 10,000 entries after one change serializes one entry and joins the rest.
 */

const entryText = new WeakMap<EntryRecord, string>();

export function serializeRegistryDocument(doc: RegistryDocument): string {
  const top: JsonObject = new Map<string, JsonValue>([
    ['version', doc.version],
    ['created_at', doc.createdAt.text],
    ['updated_at', doc.updatedAt.text],
  ]);
  let out = '{';
  for (const [k, v] of top) out += `\n  ${pythonString(k)}: ${pythonJson(v, 1)},`;
  out += '\n  "entries": ';
  if (doc.entries.size === 0) out += '{}';
  else {
    const chunks: string[] = [];
    for (const record of doc.entries.values()) chunks.push(serializedEntry(record));
    out += '{\n' + chunks.join(',\n') + '\n  }';
  }
  for (const [k, v] of doc.extra) out += `,\n  ${pythonString(k)}: ${pythonJson(v, 1)}`;
  return out + '\n}';
}

/** `    "name": {...}` as it appears inside `entries`. */
function serializedEntry(record: EntryRecord): string {
  let text = entryText.get(record);
  if (text === undefined) {
    const value = record.kind === 'entry' ? entryToJson(record) : record.raw;
    text = `    ${pythonString(record.name)}: ${pythonJson(value, 2)}`;
    entryText.set(record, text);
  }
  return text;
}

export function entryToJson(entry: RegistryEntry): JsonObject {
  const out: JsonObject = new Map<string, JsonValue>([
    ['id', entry.id],
    ['component_type', entry.componentType],
    ['created_at', entry.createdAt.text],
    ['last_seen', entry.lastSeen.text],
    ['metadata', entry.metadata],
    ['lock', entry.lock ? lockToJson(entry.lock) : null],
    ['workcell_id', entry.workcellId],
  ]);
  for (const [k, v] of entry.extra) out.set(k, v);
  return out;
}

function lockToJson(lock: RegistryLock): JsonObject {
  const out: JsonObject = new Map<string, JsonValue>([
    ['holder_pid', new JsonNumber(String(lock.holderPid))],
    ['holder_host', lock.holderHost],
    ['holder_instance', lock.holderInstance],
    ['acquired_at', lock.acquiredAt.text],
    ['heartbeat_at', lock.heartbeatAt.text],
    ['expires_at', lock.expiresAt.text],
  ]);
  for (const [k, v] of lock.extra) out.set(k, v);
  return out;
}

/** The whole document as a JSON value (for export). */
export function documentToJson(doc: RegistryDocument): JsonObject {
  const entries: JsonObject = new Map();
  for (const record of doc.entries.values()) entries.set(record.name, record.kind === 'entry' ? entryToJson(record) : record.raw);
  const out: JsonObject = new Map<string, JsonValue>([
    ['version', doc.version],
    ['created_at', doc.createdAt.text],
    ['updated_at', doc.updatedAt.text],
    ['entries', entries],
  ]);
  for (const [k, v] of doc.extra) out.set(k, v);
  return out;
}
