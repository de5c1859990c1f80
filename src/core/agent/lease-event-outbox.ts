import { LeaseEvent } from '../journal/lease-event';
import { JournalRecorder } from '../journal/journal-recorder';
import { ComponentsState } from '../overview/components-state';
import { HubsState } from '../overview/hubs-state';
import { MachineState } from '../overview/machine-state';

/**
 * The lease transitions the station agent saw between its reads, waiting to go out with the next
 * heartbeats into the lab's audit stream. Kept while the lab is away (bounded: the oldest are
 * dropped, said once), taken off only once the lab stored them. Reads are observed one at a time,
 * in the order they were made (a heartbeat's and a file change's read may overlap): an older
 * read observed after a newer one would be a transition backwards.
 */

export const MAX_PENDING_EVENTS = 5000;

export class LeaseEventOutbox {
  private readonly recorder: JournalRecorder;
  /** Oldest first, each with its number: done() names the last one sent, so a trim meanwhile never loses unsent ones. */
  private pending: { seq: number; event: LeaseEvent }[] = [];
  private nextSeq = 1;
  private dropped = false;
  private reading: Promise<unknown> = Promise.resolve();
  private queued: Promise<MachineState> | undefined;

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

  /**
   * Reads the state (after any read under way) and observes it. A read asked for while one is
   * already waiting to start is that one: file changes in a burst cost one read.
   */
  readAndObserve(read: () => Promise<MachineState>): Promise<MachineState> {
    if (this.queued) return this.queued;
    const next = this.reading.then(async () => {
      this.queued = undefined;
      const state = await read();
      this.observe(state.components, state.hubs);
      return state;
    });
    this.queued = next;
    this.reading = next.catch(() => undefined);
    return next;
  }

  observe(components: ComponentsState, hubs: HubsState): void {
    for (const event of [...this.recorder.observeComponents(components), ...this.recorder.observeHubs(hubs)])
      this.pending.push({ seq: this.nextSeq++, event });
    const over = this.pending.length - MAX_PENDING_EVENTS;
    if (over <= 0) return;
    this.pending.splice(0, over);
    if (!this.dropped) this.log?.(`agent: more than ${MAX_PENDING_EVENTS} lease events waited for the lab; the oldest were dropped`);
    this.dropped = true;
  }

  /**
   * The oldest `max` events, still pending until done(through) is called with the `through` given
   * here (the number of the last of them; 0 when there are none).
   */
  peek(max: number): { events: LeaseEvent[]; through: number } {
    const slice = this.pending.slice(0, max);
    return { events: slice.map((p) => p.event), through: slice.length ? slice[slice.length - 1].seq : 0 };
  }

  /**
   * The events up to number `through` were stored by the lab (or refused for good). By number,
   * not by count: if the cap dropped the oldest since peek(), later events are not taken instead.
   */
  done(through: number): void {
    let n = 0;
    while (n < this.pending.length && this.pending[n].seq <= through) n++;
    this.pending.splice(0, n);
  }
}
