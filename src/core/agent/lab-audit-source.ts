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
    return dedupSorted(events);
  }
}
