import { JsonNumber, JsonObject, JsonValue } from '../json/json-value';
import { pythonJson, pythonString } from '../json/python-json';
import { EntryRecord, RegistryDocument, RegistryEntry, RegistryLock } from './types';

/**
 * Writes a RegistryDocument in MADSci's exact layout (`json.dump(doc, indent=2)`, keys in model
 * order, no trailing newline). Keys the original format does not define follow the known ones.
 *
 * Rewriting a registry of 10,000 entries after one change must not cost 10,000 serializations:
 * entries are immutable, so each entry's bytes are cached by object identity, and when the
 * previous bytes are at hand (`previous`), runs of entries unchanged since then are copied from
 * them as whole slices. A new name costs one entry's serialization and one large copy.
 */

const entryBytes = new WeakMap<EntryRecord, Buffer>();
const ENTRY_SEPARATOR = Buffer.from(',\n');

/** A serialized file and where each entry's bytes lie in it. */
export interface SerializedRegistry {
  readonly bytes: Buffer;
  readonly order: readonly EntryRecord[];
  readonly starts: Int32Array;
  readonly ends: Int32Array;
}

/** The output is pure ASCII (`ensure_ascii`), so bytes and characters agree. */
export function serializeRegistry(doc: RegistryDocument, previous?: SerializedRegistry): SerializedRegistry {
  let head = '{';
  head += `\n  "version": ${pythonJson(doc.version, 1)},`;
  head += `\n  "created_at": ${pythonString(doc.createdAt.text)},`;
  head += `\n  "updated_at": ${pythonString(doc.updatedAt.text)},`;
  head += '\n  "entries": ';
  let tail = '';
  for (const [k, v] of doc.extra) tail += `,\n  ${pythonString(k)}: ${pythonJson(v, 1)}`;
  tail += '\n}';
  const n = doc.entries.size;
  if (n === 0) return { bytes: Buffer.from(head + '{}' + tail, 'latin1'), order: [], starts: new Int32Array(0), ends: new Int32Array(0) };

  const locate = previous ? previousLocator(previous) : () => undefined;
  const parts: Buffer[] = [Buffer.from(head + '{\n', 'latin1')];
  let pos = parts[0].length;
  const order: EntryRecord[] = new Array(n);
  const starts = new Int32Array(n);
  const ends = new Int32Array(n);
  let runFrom = -1; // a run of consecutive previous entries [runFrom, runTo], copied as one slice
  let runTo = -1;
  const flush = () => {
    if (runFrom >= 0 && previous) parts.push(previous.bytes.subarray(previous.starts[runFrom], previous.ends[runTo]));
    runFrom = -1;
  };
  let i = 0;
  for (const record of doc.entries.values()) {
    const at = locate(record);
    if (at !== undefined && runFrom >= 0 && at === runTo + 1) {
      runTo = at; // the separator before it is inside the slice already
      pos += 2;
    } else {
      flush();
      if (i > 0) {
        parts.push(ENTRY_SEPARATOR);
        pos += 2;
      }
      if (at !== undefined) runFrom = runTo = at;
      else parts.push(serializedEntry(record));
    }
    const length = at !== undefined && previous ? previous.ends[at] - previous.starts[at] : serializedEntry(record).length;
    order[i] = record;
    starts[i] = pos;
    ends[i] = pos += length;
    i++;
  }
  flush();
  parts.push(Buffer.from('\n  }' + tail, 'latin1'));
  return { bytes: Buffer.concat(parts), order, starts, ends };
}

/**
 * Finds an entry's position in the previous bytes. Entries mostly keep their order (new names are
 * appended), so a cursor finds them without a lookup table; the table is built only on a miss.
 */
function previousLocator(previous: SerializedRegistry): (record: EntryRecord) => number | undefined {
  let cursor = 0;
  let index: Map<EntryRecord, number> | undefined;
  return (record) => {
    if (previous.order[cursor] === record) return cursor++;
    index ??= new Map(previous.order.map((r, i) => [r, i]));
    const at = index.get(record);
    if (at !== undefined) cursor = at + 1;
    return at;
  };
}

export function serializeRegistryDocument(doc: RegistryDocument): string {
  return serializeRegistry(doc).bytes.toString('latin1');
}

/** `    "name": {...}` as it appears inside `entries`. */
function serializedEntry(record: EntryRecord): Buffer {
  let bytes = entryBytes.get(record);
  if (bytes === undefined) {
    const value = record.kind === 'entry' ? entryToJson(record) : record.raw;
    bytes = Buffer.from(`    ${pythonString(record.name)}: ${pythonJson(value, 2)}`, 'latin1');
    entryBytes.set(record, bytes);
  }
  return bytes;
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
