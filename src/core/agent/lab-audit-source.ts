import { LeaseEvent, LeaseEventSource } from '../journal/lease-event';
import { checkLeaseEvent, dedupSorted } from '../journal/lease-event-json';
import { LabClient } from './lab-client';

/**
 * The lab's audit stream as a source of lease events (GET /fleet/audit), for the lease timeline
 * when a lab is configured. What comes back is checked like any input from the network: an event
 * that is not one is left out, never drawn.
 */

export class LabAuditSource implements LeaseEventSource {
  readonly label: string;

  constructor(
    private readonly lab: LabClient,
    /** Only this station's events; all stations' when undefined. */
    private readonly station?: string,
  ) {
    this.label = `lab ${lab.url.origin}${station ? ` (station ${station})` : ''}`;
  }

  async events(range: { sinceMs: number; untilMs: number }): Promise<LeaseEvent[]> {
    const query = new URLSearchParams({
      since_ms: String(Math.max(0, Math.floor(range.sinceMs))),
      until_ms: String(Math.floor(Math.min(range.untilMs, Number.MAX_SAFE_INTEGER))),
    });
    if (this.station) query.set('station', this.station);
    const route = `/fleet/audit?${query}`;
    const res = await this.lab.call('GET', route);
    if (res.status !== 200) throw new Error(`${new URL(route, this.lab.url).href}: HTTP ${res.status}: ${res.body?.error ?? 'refused'}`);
    const raw: unknown[] = Array.isArray(res.body?.events) ? res.body.events : [];
    const events: LeaseEvent[] = [];
    for (const e of raw) {
      try {
        events.push(checkLeaseEvent(e, 'lab'));
      } catch {
        // not an event of this version: left out
      }
    }
    events.push(...(await this.conflictEvents(range)));
    return dedupSorted(events);
  }

  /**
   * The lab's conflict records (GET /lab/conflicts: a station offered another id for a name the lab
   * knows) as `conflict` events on that station's row, at the time the lab refused the id. Checked
   * like the stream's events; an answer the lab refuses leaves the timeline without them, not empty.
   */
  private async conflictEvents(range: { sinceMs: number; untilMs: number }): Promise<LeaseEvent[]> {
    const res = await this.lab.call('GET', '/lab/conflicts');
    const raw: unknown[] = res.status === 200 && Array.isArray(res.body?.conflicts) ? res.body.conflicts : [];
    const out: LeaseEvent[] = [];
    for (const c of raw.slice(0, MAX_CONFLICTS)) {
      const r = c as {
        name?: unknown;
        lab_id?: unknown;
        offered_id?: unknown;
        host?: unknown;
        pid?: unknown;
        instance?: unknown;
        station?: unknown;
        at?: unknown;
      };
      const atMs = typeof r.at === 'string' ? Date.parse(r.at) : NaN;
      if (!(atMs >= range.sinceMs && atMs <= range.untilMs)) continue;
      if (this.station && r.station !== this.station) continue;
      try {
        const event = {
          atMs,
          kind: 'conflict',
          subject: { kind: 'component', name: r.name, id: r.offered_id, station: r.station ?? null },
          holder: typeof r.host === 'string' ? { host: r.host, pid: r.pid ?? null, instance: r.instance ?? null } : null,
          detail: `offered ${String(r.offered_id)}; the lab's id is ${String(r.lab_id)}`,
          source: 'lab',
        };
        out.push(checkLeaseEvent(event, 'lab'));
      } catch {
        // not a conflict record of this version: left out
      }
    }
    return out;
  }
}

/** The timeline shows at most this many conflict records (the newest names first, as the lab lists them). */
const MAX_CONFLICTS = 1000;
