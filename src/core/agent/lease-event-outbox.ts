import { LeaseEvent } from '../journal/lease-event';
import { JournalRecorder } from '../journal/journal-recorder';
import { ComponentsState } from '../overview/components-state';
import { HubsState } from '../overview/hubs-state';

/**
 * The lease transitions the station agent saw between its reads, waiting to go out with the next
 * heartbeats into the lab's audit stream. Kept while the lab is away (bounded: the oldest are
 * dropped, said once), taken off only once the lab stored them.
 */

export const MAX_PENDING_EVENTS = 5000;

export class LeaseEventOutbox {
  private readonly recorder: JournalRecorder;
  private pending: LeaseEvent[] = [];
  private dropped = false;

  constructor(
    station: string,
    private readonly log?: (line: string) => void,
  ) {
    // The events are taken from what observe…() returns; nothing is written locally.
    this.recorder = new JournalRecorder(() => undefined, { hostname: station, station: null });
  }

  get size(): number {
    return this.pending.length;
  }

  observe(components: ComponentsState, hubs: HubsState): void {
    this.pending.push(...this.recorder.observeComponents(components), ...this.recorder.observeHubs(hubs));
    const over = this.pending.length - MAX_PENDING_EVENTS;
    if (over <= 0) return;
    this.pending.splice(0, over);
    if (!this.dropped) this.log?.(`agent: more than ${MAX_PENDING_EVENTS} lease events waited for the lab; the oldest were dropped`);
    this.dropped = true;
  }

  /** The oldest `max` events, still pending until done() is called for them. */
  peek(max: number): LeaseEvent[] {
    return this.pending.slice(0, max);
  }

  /** The first `count` events were stored by the lab (or refused for good). */
  done(count: number): void {
    this.pending.splice(0, count);
  }
}
