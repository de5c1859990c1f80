import { ComponentsState } from '../overview/components-state';
import { HubsState } from '../overview/hubs-state';
import { LeaseEvent } from './lease-event';
import { componentTransitions, hubTransitions, isReadable, TransitionContext } from './lease-transitions';

/**
 * Turns the successive states a window (or the station agent) reads anyway into lease events and
 * hands them to a sink (the local journal, the agent's next heartbeat). Off the hot path: observe()
 * only diffs and queues; the sink runs after, one batch at a time, and its failures are logged
 * once per distinct message, never thrown into the refresh that observed them.
 */

export type EventSink = (events: LeaseEvent[]) => Promise<void> | void;

export interface RecorderOptions {
  hostname: string;
  station?: string | null;
  log?: (line: string) => void;
  now?: () => number;
}

export class JournalRecorder {
  private components: ComponentsState | undefined;
  private hubs: HubsState | undefined;
  private queue: Promise<void> = Promise.resolve();
  private lastError: string | undefined;

  constructor(
    private readonly sink: EventSink,
    private readonly o: RecorderOptions,
  ) {}

  /** A new read of the registry: its transitions since the last readable one. */
  observeComponents(state: ComponentsState): LeaseEvent[] {
    const events = componentTransitions(this.components, state, this.context());
    // An unreadable read keeps the last good one as the baseline: its leases did not all end.
    if (isReadable(state)) this.components = state;
    return this.emit(events);
  }

  /** A new listing of the hubs. */
  observeHubs(state: HubsState): LeaseEvent[] {
    const events = hubTransitions(this.hubs, state, this.context());
    this.hubs = state;
    return this.emit(events);
  }

  /** Resolves when every batch observed so far was handed to the sink (tests, shutdown). */
  flush(): Promise<void> {
    return this.queue;
  }

  private context(): TransitionContext {
    return { nowMs: (this.o.now ?? Date.now)(), hostname: this.o.hostname, station: this.o.station ?? null };
  }

  private emit(events: LeaseEvent[]): LeaseEvent[] {
    if (events.length === 0) return events;
    this.queue = this.queue.then(async () => {
      try {
        await this.sink(events);
        this.lastError = undefined;
      } catch (err) {
        const line = `lease journal: ${(err as Error).message}`;
        if (line !== this.lastError) this.o.log?.(line);
        this.lastError = line;
      }
    });
    return events;
  }
}
