/**
 * One workspace hub registry entry, as bones writes it (Go `json.MarshalIndent`, 2 spaces, all six
 * keys in this order, no trailing newline, `<` `>` `&` escaped). Read leniently, as bones reads it:
 * keys match case-insensitively, unknown keys and nulls are ignored, but `hub_pid` must be an
 * integer literal and `started_at` an RFC 3339 string or the whole file is rejected.
 *
 * Hubkeeper may add optional keys after the six (bones ignores them and drops them on its next
 * write): `hubkeeper_process_start` (the hub process's start time), `hubkeeper_process_ticks` and
 * `hubkeeper_boot_id` (the same, exactly, immune to wall-clock steps), and `hubkeeper_cmdline`
 * (its command line), for identity checks.
 */
import * as path from 'node:path';
import { HubkeeperError } from '../errors/hubkeeper-error';
import { JsonNumber, isJsonObject, JsonValue, jsonTypeName } from '../json/json-value';
import { JsonSyntaxError, parseJson } from '../json/parse-json';

export interface HubEntry {
  cwd: string;
  name: string;
  hubUrl: string;
  natsUrl: string;
  /** 0 = registered, no hub running (an idle workspace). */
  hubPid: number;
  /** RFC 3339 as written (up to 9 fraction digits). */
  startedAt: string;
  /** Optional Hubkeeper extras; absent in bones-written files. */
  processStartMs?: number;
  /** The hub process's start in clock ticks since boot, and that boot's id (exact identity). */
  processStartTicks?: number;
  bootId?: string;
  cmdline?: string[];
}

export class HubEntryError extends HubkeeperError {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`, 'corrupt', file);
    this.name = 'HubEntryError';
  }
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

export function parseRfc3339(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${(m[7] ?? '').slice(0, 4)}${m[8].toUpperCase()}`);
  return Number.isNaN(ms) ? undefined : ms;
}

export function parseHubEntry(text: string, file: string): HubEntry {
  let root: JsonValue;
  try {
    root = parseJson(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) throw new HubEntryError(file, `not valid JSON: ${err.message}`);
    throw err;
  }
  if (!isJsonObject(root)) throw new HubEntryError(file, `expected a JSON object, found ${jsonTypeName(root)}`);
  const get = (key: string): JsonValue | undefined => {
    let found: JsonValue | undefined;
    for (const [k, v] of root as Map<string, JsonValue>) if (k.toLowerCase() === key && v !== null) found = v;
    return found;
  };
  const str = (key: string): string => {
    const v = get(key);
    if (v === undefined) return '';
    if (typeof v !== 'string') throw new HubEntryError(file, `${key}: expected a string, found ${jsonTypeName(v)}`);
    return v;
  };
  const pid = get('hub_pid');
  let hubPid = 0;
  if (pid !== undefined) {
    if (!(pid instanceof JsonNumber) || !pid.isIntegerLiteral())
      throw new HubEntryError(file, `hub_pid: expected an integer, found ${pid instanceof JsonNumber ? pid.raw : jsonTypeName(pid)}`);
    hubPid = pid.toNumber();
    if (!Number.isSafeInteger(hubPid)) throw new HubEntryError(file, `hub_pid: ${pid.raw} is out of range`);
  }
  const startedAt = str('started_at');
  if (startedAt !== '' && parseRfc3339(startedAt) === undefined)
    throw new HubEntryError(file, `started_at: not an RFC 3339 time: ${JSON.stringify(startedAt.slice(0, 40))}`);
  const cwd = str('cwd');
  // bones stores the absolute path it runs in. A relative one would be resolved against whatever
  // directory the reader runs in, and a NUL cannot be in a path: such an entry names no workspace
  // Hubkeeper could check, so it is reported (never probed, pruned or reaped) instead.
  if (cwd.includes('\0')) throw new HubEntryError(file, `cwd: contains a NUL character: ${JSON.stringify(cwd.slice(0, 80))}`);
  if (cwd !== '' && !path.isAbsolute(cwd)) throw new HubEntryError(file, `cwd: not an absolute path: ${JSON.stringify(cwd.slice(0, 80))}`);
  const entry: HubEntry = {
    cwd,
    name: str('name'),
    hubUrl: str('hub_url'),
    natsUrl: str('nats_url'),
    hubPid,
    startedAt: startedAt || '0001-01-01T00:00:00Z',
  };
  const start = get('hubkeeper_process_start');
  if (start instanceof JsonNumber && Number.isFinite(start.toNumber())) entry.processStartMs = start.toNumber();
  const ticks = get('hubkeeper_process_ticks');
  const boot = get('hubkeeper_boot_id');
  if (ticks instanceof JsonNumber && ticks.isIntegerLiteral() && typeof boot === 'string') {
    entry.processStartTicks = ticks.toNumber();
    entry.bootId = boot;
  }
  const cmd = get('hubkeeper_cmdline');
  if (Array.isArray(cmd) && cmd.every((c) => typeof c === 'string')) entry.cmdline = cmd as string[];
  return entry;
}

/** Go's encoding/json string escaping (HTML-safe, the default for MarshalIndent). */
export function goString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029)
      out += '\\u' + c.toString(16).padStart(4, '0');
    else if (c >= 0xd800 && c <= 0xdfff)
      out += '\\ufffd'; // a lone surrogate: Go writes U+FFFD
    else out += ch;
  }
  return out + '"';
}

export function serializeHubEntry(e: HubEntry): string {
  const lines = [
    `  "cwd": ${goString(e.cwd)}`,
    `  "name": ${goString(e.name)}`,
    `  "hub_url": ${goString(e.hubUrl)}`,
    `  "nats_url": ${goString(e.natsUrl)}`,
    `  "hub_pid": ${e.hubPid}`,
    `  "started_at": ${goString(e.startedAt)}`,
  ];
  if (e.processStartMs !== undefined) lines.push(`  "hubkeeper_process_start": ${Math.round(e.processStartMs)}`);
  if (e.processStartTicks !== undefined && e.bootId !== undefined) {
    lines.push(`  "hubkeeper_process_ticks": ${Math.round(e.processStartTicks)}`, `  "hubkeeper_boot_id": ${goString(e.bootId)}`);
  }
  if (e.cmdline !== undefined) {
    lines.push(
      `  "hubkeeper_cmdline": ${e.cmdline.length === 0 ? '[]' : `[\n${e.cmdline.map((c) => `    ${goString(c)}`).join(',\n')}\n  ]`}`,
    );
  }
  return '{\n' + lines.join(',\n') + '\n}';
}

/** RFC 3339 in UTC with up to 9 fraction digits, trailing zeros trimmed (Go's time.RFC3339Nano). */
export function goTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // …T14:00:00.123Z
  const frac = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 19)}${frac ? '.' + frac : ''}Z`;
}
