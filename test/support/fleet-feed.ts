import { LabClient } from '../../src/core/agent/lab-client';
import type { FleetFeed, FleetSnapshot, FleetStation, LabConnection } from '../../src/core/fleet/fleet-snapshot';

/**
 * A STAND-IN for the window's live feed (src/core/fleet/fleet-feed.ts, built separately): the
 * smallest FleetFeed that polls a real lab (GET /fleet/stations, each station's
 * /fleet/stations/{st}, /registry/entries, /fleet/conflicts) so that the Fleet view's
 * code can be tested against real published states. No long-poll, no backoff, no validation
 * beyond JSON: the view's own code is what must cope with hostile data. Test-only.
 */

/* eslint-disable @typescript-eslint/no-explicit-any */
export class PollingFleetFeed implements FleetFeed {
  snapshot: FleetSnapshot | undefined;
  connection: LabConnection;
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly client: LabClient,
    private readonly thisStation: string,
    private readonly everyMs = 250,
  ) {
    this.connection = { kind: 'connecting', url: client.url.origin };
  }

  start(): this {
    const tick = () =>
      void this.refresh().finally(() => {
        if (this.timer !== undefined) this.timer = setTimeout(tick, this.everyMs);
      });
    this.timer = setTimeout(tick, 0);
    return this;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async refresh(): Promise<void> {
    try {
      const get = async (route: string) => {
        const r = await this.client.call('GET', route);
        if (r.status !== 200) throw new Error(`${route}: HTTP ${r.status}`);
        return r.body;
      };
      const list = await get('/fleet/stations');
      const stations: FleetStation[] = await Promise.all(
        (list.stations as any[]).map(async (summary) => {
          const shown = await get(`/fleet/stations/${encodeURIComponent(summary.station)}`);
          return { summary, state: shown.state ?? null, isThisStation: summary.station === this.thisStation };
        }),
      );
      const [entries, conflicts] = await Promise.all([get('/registry/entries'), get('/fleet/conflicts')]);
      this.snapshot = {
        receivedAtMs: Date.now(),
        serverTimeUs: list.server_time_us,
        stations,
        labEntries: entries.entries ?? [],
        conflicts: conflicts.conflicts ?? [],
      };
      if (this.connection.kind !== 'connected') this.connection = { kind: 'connected', url: this.client.url.origin, sinceMs: Date.now() };
    } catch (err) {
      this.connection = { kind: 'reconnecting', url: this.client.url.origin, sinceMs: Date.now(), reason: (err as Error).message };
    }
    for (const l of this.listeners) l();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.client.close();
  }
}
