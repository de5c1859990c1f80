import { LabUnreachable, type LabClient } from '../agent/lab-client';
import type { NameConflict } from '../lab/fleet-json';
import type {
  FleetFeed,
  FleetSnapshot,
  FleetStation,
  LabConnection,
  LabEntrySummary,
  PublishedMachineState,
  StationSummary,
} from './fleet-snapshot';
import { changesFrom, labBody, LabRefused } from './feed-answers';
import { backoffMs, RoundPace } from './feed-pacing';
import { conflictsFrom, labEntriesFrom, publishedStateFrom, stationListFrom, text } from './fleet-untrusted';

/**
 * A window's live view of the lab's fleet. It reads the station list, each station's published
 * state, the lab's entries and the conflicts, then long-polls GET /fleet/changes (fleet-changes.ts)
 * and reads again only what changed: a changed station's state (or one whose state hash or update
 * time moved in the list, which also repairs a lost notice), the entries when the lab registry
 * changed. A poll that ends without a change re-reads the list and the entries, so health that
 * changes with time alone (healthy → stale, an expired lock) shows within a heartbeat interval.
 *
 * Bounded on whatever the lab answers: at most four rounds a second after a short burst (a lab
 * answering at once cannot make it spin), a backoff on a second `reset` in a row, a station
 * whose state cannot be read keeps its last good state (said once) instead of failing the round,
 * and the conflicts are read with the entries (the lab changed, or the periodic re-read) or when
 * a station's names' ids moved, not on every station change.
 *
 * Unreachable: `reconnecting` since the first failure, with its reason, and a capped backoff;
 * 401/403 (a bad or revoked token) or an answer that is not a Hubkeeper lab: `refused`, once, and
 * nothing more is sent until a new Connect makes a new feed. While nobody looks (setVisible
 * false) it reads at a slow pace instead of long-polling. Everything read is untrusted
 * (fleet-untrusted.ts).
 */

export interface LabFleetFeedOptions {
  client: LabClient;
  /** This window's station name. */
  station: string;
  log?: (line: string) => void;
  /** The pace while nobody looks (default 60 s). */
  idleMs?: number;
  /** Whether someone looks at first (default true); then setVisible. */
  visible?: boolean;
  now?: () => number;
}

const MIN_INTERVAL_MS = 1000;
const MAX_WAIT_MS = 25_000;
const DEFAULT_INTERVAL_MS = 10_000;
const PARALLEL_READS = 8;

interface KnownState {
  /** state_hash and updated_at from the list: a new value means the state is read again. */
  mark: string;
  station: FleetStation['state'];
}

export class LabFleetFeed implements FleetFeed {
  snapshot: FleetSnapshot | undefined;
  connection: LabConnection;
  private readonly listeners = new Set<() => void>();
  private readonly states = new Map<string, KnownState>();
  /** Stations whose last state read failed (said once, until one succeeds). */
  private readonly failing = new Set<string>();
  private entries: LabEntrySummary[] = [];
  private conflicts: NameConflict[] = [];
  private running = true;
  private visible = true;
  private version = 0;
  private generation = '';
  private liveUpdates = true;
  private intervalMs = DEFAULT_INTERVAL_MS;
  private wake: (() => void) | undefined;
  private turn: Promise<unknown> = Promise.resolve();
  private readonly pace = new RoundPace();
  private readonly now: () => number;
  private readonly url: string;

  constructor(private readonly o: LabFleetFeedOptions) {
    this.now = o.now ?? Date.now;
    this.url = o.client.url.origin;
    this.connection = { kind: 'connecting', url: this.url };
    this.visible = o.visible ?? true;
    void this.run();
  }

  /** The lab's change version (GET /fleet/changes) this feed has been told of. */
  get changeVersion(): number {
    return this.version;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether someone looks at the fleet (the view is visible): live long-polling, else a slow pace. */
  setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    this.visible = visible;
    if (visible) this.wake?.();
  }

  async refresh(): Promise<void> {
    if (!this.running || this.connection.kind === 'refused') return;
    await this.sync([], true, true).catch(() => this.wake?.()); // the loop reports and retries
  }

  dispose(): void {
    this.running = false;
    this.listeners.clear();
    this.wake?.();
  }

  private async run(): Promise<void> {
    let failures = 0;
    let resets = 0;
    let full = true;
    while (this.running) {
      try {
        // At most four rounds a second after a burst (feed-pacing.ts); a wake (setVisible) does not cut it short.
        for (let ms = this.pace.waitMs(); ms > 0 && this.running; ms = this.pace.waitMs()) await this.sleep(ms);
        this.pace.take();
        if (!this.running) break;
        if (full) {
          // The version first, then the read: a change between the two is in the next answer.
          await this.changes(0, '', 0);
          await this.sync([], true, true);
          full = false;
        } else if (!this.visible || !this.liveUpdates) {
          await this.sleep(this.visible ? this.intervalMs : (this.o.idleMs ?? 60_000));
          if (this.running) await this.sync([], true, false);
        } else {
          const c = await this.changes(this.version, this.generation, Math.min(MAX_WAIT_MS, this.intervalMs));
          if (!this.running) break;
          if (c.reset) {
            full = true;
            // A second reset in a row (a lab whose Redis keeps restarting, or one that always says
            // reset): every reset means reading all states again, so not at once.
            if (++resets >= 2) {
              if (resets === 2)
                this.o.log?.(`lab ${this.url}: /fleet/changes said reset twice in a row; reading everything again with backoff`);
              await this.sleep(backoffMs(resets - 1));
            }
          } else {
            resets = 0;
            await this.sync(c.stations, c.lab || c.stations.length === 0, c.lab);
          }
        }
        failures = 0;
      } catch (err) {
        if (!this.running) break;
        if (err instanceof LabRefused) {
          this.o.log?.(`lab ${this.url}: ${err.message}; not retried until you connect again`);
          this.setConnection({ kind: 'refused', url: this.url, reason: err.message });
          this.running = false;
          break;
        }
        // The client's messages start with the origin, which the line and the state name already.
        const message = (err as Error).message;
        const reason = message.startsWith(`${this.url}: `) ? message.slice(this.url.length + 2) : message;
        if (failures === 0) this.o.log?.(`lab ${this.url}: ${reason}; reconnecting with backoff (local views are not affected)`);
        const since = this.connection.kind === 'reconnecting' ? this.connection.sinceMs : this.now();
        this.setConnection({ kind: 'reconnecting', url: this.url, sinceMs: since, reason });
        failures++;
        full = true;
        await this.sleep(backoffMs(failures));
      }
    }
  }

  /** One long poll; without the route (an older lab) the feed reads at the heartbeat interval instead. */
  private async changes(after: number, generation: string, waitMs: number) {
    const q = `after=${after}&generation=${encodeURIComponent(generation)}&wait_ms=${waitMs}`;
    const res = await this.o.client.call('GET', `/fleet/changes?${q}`, undefined, waitMs + 10_000);
    if (res.status === 404) {
      if (this.liveUpdates) this.o.log?.(`lab ${this.url}: no /fleet/changes (an older lab); reading every ${this.intervalMs} ms instead`);
      this.liveUpdates = false;
      return { reset: false, stations: [] as string[], lab: true };
    }
    const c = changesFrom(labBody(res, '/fleet/changes'));
    this.version = c.version;
    this.generation = c.generation;
    return { reset: c.reset, stations: c.stations, lab: c.lab };
  }

  /** Reads the list, the states that changed, and (when asked) the entries and conflicts; one at a time. */
  private sync(changed: readonly string[], entries: boolean, all: boolean): Promise<void> {
    const next = this.turn.then(() => this.syncNow(changed, entries, all));
    this.turn = next.catch(() => undefined);
    return next;
  }

  private async syncNow(changed: readonly string[], readEntries: boolean, all: boolean): Promise<void> {
    const listed = stationListFrom(labBody(await this.o.client.call('GET', '/fleet/stations'), '/fleet/stations'));
    if (!listed) throw new LabRefused('GET /fleet/stations did not answer a station list; is this a Hubkeeper lab?');
    const names = new Set(listed.stations.map((s) => s.station));
    for (const name of this.states.keys()) if (!names.has(name)) this.states.delete(name);
    for (const name of this.failing) if (!names.has(name)) this.failing.delete(name);
    let idsMoved = false;
    const stale = listed.stations.filter((s) => all || changed.includes(s.station) || this.states.get(s.station)?.mark !== markOf(s));
    for (let i = 0; i < stale.length; i += PARALLEL_READS) {
      const batch = stale.slice(i, i + PARALLEL_READS);
      const results = await Promise.allSettled(batch.map((s) => this.readState(s)));
      results.forEach((r, j) => this.stateRead(batch[j].station, r));
      idsMoved ||= results.some((r) => r.status === 'fulfilled' && r.value);
    }
    if (readEntries || all) {
      const got = labEntriesFrom(labBody(await this.o.client.call('GET', '/registry/entries'), '/registry/entries'));
      if (got) this.entries = got;
    }
    // A conflict is a name with two ids across the published states (or against the lab's): read
    // again when the lab changed or a station's names' ids moved (an adopt, a new name), not on
    // every other station change (a heartbeat's lock times, a hub).
    if (readEntries || all || idsMoved) {
      const conflicts = conflictsFrom(labBody(await this.o.client.call('GET', '/fleet/conflicts'), '/fleet/conflicts'));
      if (conflicts) this.conflicts = conflicts;
    }
    const intervals = listed.stations.map((s) => s.heartbeat_interval_ms ?? 0).filter((ms) => ms > 0);
    this.intervalMs = Math.max(MIN_INTERVAL_MS, Math.min(MAX_WAIT_MS, ...(intervals.length ? intervals : [DEFAULT_INTERVAL_MS])));
    this.snapshot = {
      receivedAtMs: this.now(),
      serverTimeUs: listed.serverTimeUs,
      stations: listed.stations.map((summary) => ({
        summary,
        state: this.states.get(summary.station)?.station ?? null,
        isThisStation: summary.station === this.o.station,
      })),
      labEntries: this.entries,
      conflicts: this.conflicts,
    };
    if (this.connection.kind !== 'connected') {
      if (this.connection.kind === 'reconnecting') this.o.log?.(`lab ${this.url}: connected again`);
      this.connection = { kind: 'connected', url: this.url, sinceMs: this.now() };
    }
    this.emit();
  }

  /** Reads one station's state; true when its names' ids moved (the conflicts come from those). */
  private async readState(s: StationSummary): Promise<boolean> {
    const res = await this.o.client.call('GET', `/fleet/stations/${encodeURIComponent(s.station)}`);
    const state = res.status === 404 ? null : publishedStateFrom(labBody(res, `/fleet/stations/${s.station}`).state);
    const before = idsOf(this.states.get(s.station)?.station ?? null);
    this.states.set(s.station, { mark: markOf(s), station: state });
    return idsOf(state) !== before;
  }

  /**
   * One station's state read failing is that station's: its last good state stays (its mark too,
   * so the next round tries again) and it is said once. A refused token or an unreachable lab is
   * the whole round's.
   */
  private stateRead(station: string, r: PromiseSettledResult<boolean>): void {
    if (r.status === 'fulfilled') {
      this.failing.delete(station);
      return;
    }
    if (r.reason instanceof LabRefused || r.reason instanceof LabUnreachable) throw r.reason;
    if (this.failing.has(station)) return;
    this.failing.add(station);
    this.o.log?.(`lab ${this.url}: station ${station}'s state: ${text((r.reason as Error)?.message, 300)}; its last state is kept`);
  }

  private setConnection(c: LabConnection): void {
    this.connection = c;
    this.emit();
  }

  private emit(): void {
    for (const l of [...this.listeners]) {
      try {
        l();
      } catch {
        /* a listener's failure is its own */
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}

const markOf = (s: StationSummary) => `${s.state_hash ?? ''}|${s.updated_at ?? ''}`;

/** The names and ids a published state says, as one string to compare. */
function idsOf(state: PublishedMachineState | null): string {
  return (state?.entries ?? []).map((e) => `${e.name}\u0000${e.id}`).join('\n');
}
