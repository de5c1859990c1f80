import { isJsonObject, JsonNumber, JsonObject, jsonPath, JsonValue, jsonTypeName } from '../json/json-value';
import { JsonSyntaxError, parseJson } from '../json/parse-json';
import { Timestamp } from '../time/timestamp';
import { RegistryFormatError } from './errors';
import { isUlid, nameProblem } from './names';
import { COMPONENT_TYPES, EntryRecord, isComponentType, RegistryDocument, RegistryEntry, RegistryLock } from './types';

/**
 * Turns registry.json text into a RegistryDocument.
 *
 * Problems with the document as a whole (not JSON, not an object, a bad top-level field) throw a
 * RegistryFormatError naming the file and JSON path. Problems inside one entry do not: that entry
 * becomes an InvalidEntry, kept verbatim, and every other entry stays usable.
 */
/** How a syntax error's problem text starts (a torn read by a non-atomic writer looks like this). */
export const NOT_JSON = 'not valid JSON';

/** At most this many repeated keys are listed one by one; the rest are counted. */
const MAX_DUPLICATES_LISTED = 10;

export function parseRegistryDocument(text: string, file: string, now: Timestamp): RegistryDocument {
  let root: JsonValue;
  const duplicates: string[] = [];
  let moreDuplicates = 0;
  try {
    root = parseJson(text, {
      onDuplicateKey: (path, line, column) => {
        if (duplicates.length >= MAX_DUPLICATES_LISTED) moreDuplicates++;
        else
          duplicates.push(
            `${displayPath(path)}: duplicate key at line ${line}, column ${column}: only its last value is read (as Python does), and rewriting the file would drop the others`,
          );
      },
    });
  } catch (err) {
    if (err instanceof JsonSyntaxError) {
      // Too deep is a limit of the reader, not a syntax error: say so rather than "not valid JSON".
      throw new RegistryFormatError(
        file,
        '',
        err.limitExceeded ? `cannot be read: ${err.message}` : `${NOT_JSON}: ${err.message}`,
        err.truncated,
      );
    }
    throw err;
  }
  if (moreDuplicates > 0) duplicates.push(`${displayPath([])}: ${moreDuplicates} more duplicate keys`);
  const doc = interpretRegistryDocument(root, file, now);
  // A repeated key is read the way Python reads it, but a write could only keep one of its values:
  // the document stays readable and every write refuses, like a bad top-level field.
  return duplicates.length === 0 ? doc : { ...doc, problems: [...(doc.problems ?? []), ...duplicates] };
}

/**
 * A bad `version`, `created_at` or `updated_at` does not hide the entries: they are read for
 * display and the problems recorded in `problems` (writes refuse such a document). Only a
 * document that is not an object, or whose `entries` is not one, throws.
 */
export function interpretRegistryDocument(root: JsonValue, file: string, now: Timestamp): RegistryDocument {
  if (!isJsonObject(root)) throw new RegistryFormatError(file, '', `expected a JSON object, found ${jsonTypeName(root)}`);
  const rawEntries = root.get('entries') ?? new Map();
  if (!isJsonObject(rawEntries)) throw new RegistryFormatError(file, 'entries', `expected an object, found ${jsonTypeName(rawEntries)}`);
  const problems: string[] = [];

  let version = root.get('version') ?? new JsonNumber('1');
  if (!(version instanceof JsonNumber) || !version.isIntegerLiteral()) {
    problems.push(`version: expected an integer, found ${describeFound(version)}`);
    version = new JsonNumber('1');
  }
  const time = (key: string): Timestamp => {
    const t = optionalTime(root.get(key), now);
    if (t === undefined) problems.push(`${key}: not an ISO-8601 time`);
    return t ?? now;
  };
  const createdAt = time('created_at');
  const updatedAt = time('updated_at');

  const entries = new Map<string, EntryRecord>();
  for (const [name, raw] of rawEntries) entries.set(name, interpretEntry(name, raw, now));

  return { version, createdAt, updatedAt, entries, extra: extraKeys(root, TOP_LEVEL_KEYS), problems };
}

const TOP_LEVEL_KEYS = ['version', 'created_at', 'updated_at', 'entries'];
const ENTRY_KEYS = ['id', 'component_type', 'created_at', 'last_seen', 'metadata', 'lock', 'workcell_id'];
const LOCK_KEYS = ['holder_pid', 'holder_host', 'holder_instance', 'acquired_at', 'heartbeat_at', 'expires_at'];

/** Collects problems with their JSON paths instead of stopping at the first one. */
class Problems {
  constructor(
    private readonly base: (string | number)[],
    readonly list: string[] = [],
  ) {}
  add(key: string | undefined, problem: string): void {
    const path = key === undefined ? this.base : [...this.base, key];
    this.list.push(`${displayPath(path)}: ${problem}`);
  }
  child(key: string): Problems {
    return new Problems([...this.base, key], this.list);
  }
}

export function interpretEntry(name: string, raw: JsonValue, now: Timestamp): EntryRecord {
  const problems = new Problems(['entries', name]);
  const badName = nameProblem(name);
  if (badName) problems.add(undefined, badName);
  if (!isJsonObject(raw)) {
    problems.add(undefined, `expected an object, found ${jsonTypeName(raw)}`);
    return { kind: 'invalid', name, raw, problems: problems.list };
  }

  const id = raw.get('id');
  if (typeof id !== 'string') problems.add('id', `expected a ULID string, found ${jsonTypeName(id)}`);
  else if (!isUlid(id)) problems.add('id', `not a ULID (26 characters of Crockford base32): ${JSON.stringify(id.slice(0, 40))}`);

  const type = raw.get('component_type');
  if (!isComponentType(type)) {
    const found = typeof type === 'string' ? JSON.stringify(type.slice(0, 40)) : jsonTypeName(type);
    problems.add('component_type', `expected one of ${COMPONENT_TYPES.join(', ')}, found ${found}`);
  }

  const createdAt = entryTime(raw, 'created_at', now, problems);
  const lastSeen = entryTime(raw, 'last_seen', now, problems);

  const metadata = raw.get('metadata') ?? new Map();
  if (!isJsonObject(metadata)) problems.add('metadata', `expected an object, found ${jsonTypeName(metadata)}`);

  const rawLock = raw.get('lock') ?? null;
  const lock = rawLock === null ? null : interpretLock(rawLock, problems.child('lock'));

  const workcellId = raw.get('workcell_id') ?? null;
  if (workcellId !== null && typeof workcellId !== 'string') {
    problems.add('workcell_id', `expected a string or null, found ${jsonTypeName(workcellId)}`);
  }

  if (problems.list.length > 0) return { kind: 'invalid', name, raw, problems: problems.list };
  const entry: RegistryEntry = {
    kind: 'entry',
    name,
    id: id as string,
    componentType: type as RegistryEntry['componentType'],
    createdAt: createdAt as Timestamp,
    lastSeen: lastSeen as Timestamp,
    metadata: metadata as JsonObject,
    lock: lock ?? null,
    workcellId: workcellId as string | null,
    extra: extraKeys(raw, ENTRY_KEYS),
  };
  return entry;
}

function interpretLock(raw: JsonValue, problems: Problems): RegistryLock | undefined {
  if (!isJsonObject(raw)) {
    problems.add(undefined, `expected an object or null, found ${jsonTypeName(raw)}`);
    return undefined;
  }
  const before = problems.list.length;
  const pid = raw.get('holder_pid');
  if (!(pid instanceof JsonNumber) || !pid.isIntegerLiteral()) {
    problems.add('holder_pid', `expected an integer, found ${describeFound(pid)}`);
  } else if (!Number.isSafeInteger(pid.toNumber())) {
    problems.add('holder_pid', `${pid.raw} is out of range`);
  }
  for (const key of ['holder_host', 'holder_instance']) {
    const v = raw.get(key);
    if (typeof v !== 'string') problems.add(key, `expected a string, found ${jsonTypeName(v)}`);
  }
  const times = ['acquired_at', 'heartbeat_at', 'expires_at'].map((key) => requiredTime(raw, key, problems));
  if (problems.list.length > before) return undefined;
  return {
    holderPid: (pid as JsonNumber).toNumber(),
    holderHost: raw.get('holder_host') as string,
    holderInstance: raw.get('holder_instance') as string,
    acquiredAt: times[0] as Timestamp,
    heartbeatAt: times[1] as Timestamp,
    expiresAt: times[2] as Timestamp,
    extra: extraKeys(raw, LOCK_KEYS),
  };
}

function optionalTime(value: JsonValue | undefined, now: Timestamp): Timestamp | undefined {
  if (value === undefined) return now;
  return typeof value === 'string' ? Timestamp.parse(value) : undefined;
}

function entryTime(raw: JsonObject, key: string, now: Timestamp, problems: Problems): Timestamp | undefined {
  const value = raw.get(key);
  if (value === undefined) return now; // pydantic's default for a missing time is "now"
  return requiredTime(raw, key, problems);
}

function requiredTime(raw: JsonObject, key: string, problems: Problems): Timestamp | undefined {
  const value = raw.get(key);
  if (typeof value !== 'string') {
    problems.add(key, `expected an ISO-8601 time string, found ${jsonTypeName(value)}`);
    return undefined;
  }
  const t = Timestamp.parse(value);
  if (!t) problems.add(key, `not an ISO-8601 time: ${JSON.stringify(value.slice(0, 40))}`);
  return t;
}

function extraKeys(obj: JsonObject, known: readonly string[]): JsonObject {
  const extra: JsonObject = new Map();
  for (const [k, v] of obj) if (!known.includes(k)) extra.set(k, v);
  return extra;
}

/** "a string", "an object" — but a number that is not an integer is shown as written (`1.0`, `1e3`). */
function describeFound(value: JsonValue | undefined): string {
  return value instanceof JsonNumber ? value.raw.slice(0, 40) : jsonTypeName(value);
}

const MAX_KEY_SHOWN = 60;

/**
 * A JSON path for messages. A key too long to read (a 10,000-character name) is cut, so one bad
 * name does not turn every message about it into a wall of text; its problem still gives its length.
 */
function displayPath(parts: readonly (string | number)[]): string {
  if (parts.length === 0) return '(top level)';
  return jsonPath(parts.map((p) => (typeof p === 'string' && p.length > MAX_KEY_SHOWN ? `${cutKey(p, MAX_KEY_SHOWN - 20)}…` : p)));
}

function cutKey(key: string, length: number): string {
  const cut = key.slice(0, length);
  return /[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut; // never half a surrogate pair
}
