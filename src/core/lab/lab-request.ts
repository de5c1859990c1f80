import { isJsonObject, JsonNumber, JsonObject, JsonValue, jsonTypeName } from '../json/json-value';
import { parseJson } from '../json/parse-json';
import { isUlid, nameProblem } from '../registry/names';
import { isComponentType } from '../registry/types';
import { compactJson } from './lab-json';
import type { Holder } from './lab-store';

/**
 * Reading lab requests: the path (percent-decoded segment by segment, since MADSci's resolver
 * puts names into it as they are) and the JSON bodies, checked field by field. Every problem is a
 * BadRequest with one line saying which rule was broken; unknown fields are ignored.
 */

export class BadRequest extends Error {}

export const MAX_LAB_NAME_LENGTH = 256;
// RFC 3986 pchar plus '/': anything else (spaces, quotes, backslashes, non-ASCII) must be encoded.
const PATH_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/]+$/;

/** The decoded segments of an origin-form target, or a BadRequest. */
export function pathSegments(target: string): string[] {
  if (!target.startsWith('/')) throw new BadRequest('malformed request path');
  const query = target.indexOf('?');
  const raw = query === -1 ? target : target.slice(0, query);
  if (raw === '/') return [];
  if (!PATH_CHARS.test(raw)) throw new BadRequest('malformed request path');
  const parts = raw.slice(1).split('/');
  if (parts.some((p, i) => p === '.' || p === '..' || (p === '' && i < parts.length - 1))) throw new BadRequest('malformed request path');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts.map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      throw new BadRequest('malformed percent-encoding in the request path');
    }
  });
}

/** formats.md §4: one path segment, not empty, no control characters, at most 256 characters. */
export function labNameProblem(name: string): string | undefined {
  if (name.includes('/')) return "a component name must fit in one path segment (no '/')";
  return nameProblem(name, MAX_LAB_NAME_LENGTH);
}

export function parseBody(body: Buffer): JsonObject {
  if (body.length === 0) return new Map();
  let value: JsonValue;
  try {
    value = parseJson(new TextDecoder('utf-8', { fatal: true }).decode(body), { maxDepth: 64 });
  } catch (err) {
    throw new BadRequest(`the body is not valid JSON (${(err as Error).message})`);
  }
  if (!isJsonObject(value)) throw new BadRequest(`the body must be a JSON object, not ${jsonTypeName(value)}`);
  return value;
}

export function stringField(body: JsonObject, key: string, required: boolean): string | undefined {
  const v = body.get(key);
  if (v === undefined || v === null) {
    if (required) throw new BadRequest(`${key}: required`);
    return undefined;
  }
  if (typeof v !== 'string') throw new BadRequest(`${key}: expected a string, got ${jsonTypeName(v)}`);
  return v;
}

function pidField(body: JsonObject, key: string, required: boolean): number | undefined {
  const v = body.get(key);
  if (v === undefined || v === null) {
    if (required) throw new BadRequest(`${key}: required`);
    return undefined;
  }
  if (!(v instanceof JsonNumber) || !v.isIntegerLiteral() || v.toNumber() < 0 || !Number.isSafeInteger(v.toNumber())) {
    throw new BadRequest(`${key}: expected a process id (an integer ≥ 0)`);
  }
  return v.toNumber();
}

/** Hosts and instances are labels: printable, no spaces, bounded. */
function labelField(body: JsonObject, key: string, required: boolean): string | undefined {
  const v = stringField(body, key, required);
  // eslint-disable-next-line no-control-regex
  if (v !== undefined && (v.length === 0 || v.length > 253 || /[\s\u0000-\u001f\u007f-\u009f]/.test(v))) {
    throw new BadRequest(`${key}: expected 1-253 printable characters without spaces`);
  }
  return v;
}

/** `{holder_host, holder_pid, holder_instance}` (lock) or the `lock_holder_*` fields (register). */
export function holderFields(body: JsonObject, prefix: 'holder_' | 'lock_holder_', required: boolean): Partial<Holder> {
  return {
    host: labelField(body, `${prefix}host`, required),
    pid: pidField(body, `${prefix}pid`, required),
    instance: labelField(body, `${prefix}instance`, required),
  };
}

export interface RegisterBody {
  id: string;
  componentType: string;
  metadata: [string, string][];
  acquireLock: boolean;
  claimed: Partial<Holder>;
}

export function registerBody(body: JsonObject): RegisterBody {
  const id = stringField(body, 'id', true) as string;
  if (!isUlid(id)) throw new BadRequest('id: expected a ULID (26 characters of Crockford base32)');
  const componentType = stringField(body, 'component_type', true) as string;
  if (!isComponentType(componentType)) throw new BadRequest('component_type: expected node, module, manager, experiment or workcell');
  const meta = body.get('metadata');
  if (meta !== undefined && meta !== null && !isJsonObject(meta))
    throw new BadRequest(`metadata: expected an object, got ${jsonTypeName(meta)}`);
  const acquire = body.get('acquire_lock');
  if (acquire !== undefined && acquire !== null && typeof acquire !== 'boolean')
    throw new BadRequest('acquire_lock: expected true or false');
  const acquireLock = acquire === true;
  return {
    id,
    componentType,
    metadata: meta ? [...meta].map(([k, v]) => [k, compactJson(v)]) : [],
    acquireLock,
    claimed: holderFields(body, 'lock_holder_', acquireLock),
  };
}
