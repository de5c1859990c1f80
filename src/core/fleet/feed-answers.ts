import { text } from './fleet-untrusted';

/**
 * What the fleet feed (fleet-feed.ts) takes from a lab's answer before it reads any field: the
 * status judged (a refused token or something that is not a Hubkeeper lab is LabRefused: the feed
 * stops and waits for a new Connect, rather than retrying), and the /fleet/changes answer checked.
 */

export class LabRefused extends Error {}

/** The lab's generations are ULIDs; a longer one is not a Hubkeeper lab's. */
const MAX_GENERATION = 64;
/** At most this many changed stations are taken from one answer (the list's re-read catches the rest). */
const MAX_CHANGED = 1000;

/** The JSON object of a 200 answer; LabRefused for 401/403 (and a lab without /fleet/stations); Error otherwise. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function labBody(res: { status: number; body: any }, route: string): any {
  const why = typeof res.body?.error === 'string' ? `: ${text(res.body.error, 200)}` : '';
  if (res.status === 401 || res.status === 403) throw new LabRefused(`the lab refused the token (HTTP ${res.status}${why})`);
  if (res.status === 404 && route === '/fleet/stations') throw new LabRefused(`no ${route} here (HTTP 404); is this a Hubkeeper lab?`);
  if (res.status !== 200) throw new Error(`GET ${route}: HTTP ${res.status}${why}`);
  if (typeof res.body !== 'object' || res.body === null) throw new Error(`GET ${route}: the answer is not a JSON object`);
  return res.body;
}

export interface ChangesAnswer {
  version: number;
  /** Kept and sent back verbatim (it is URL-encoded): a cleaned or cut one would never match again. */
  generation: string;
  reset: boolean;
  stations: string[];
  lab: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function changesFrom(b: any): ChangesAnswer {
  const version = typeof b.version === 'number' && Number.isSafeInteger(b.version) && b.version >= 0 ? b.version : 0;
  const changed = Array.isArray(b.changed_stations) ? b.changed_stations.filter((s: unknown) => typeof s === 'string') : [];
  const told = typeof b.generation === 'string' ? b.generation : '';
  if (told.length > MAX_GENERATION)
    throw new LabRefused(
      `GET /fleet/changes answered a generation of ${told.length} characters (at most ${MAX_GENERATION}); is this a Hubkeeper lab?`,
    );
  return { version, generation: told, reset: b.reset === true, stations: changed.slice(0, MAX_CHANGED), lab: b.lab_changed === true };
}
