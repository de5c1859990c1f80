import * as path from 'node:path';
import { ulid } from 'ulid';
import { PathWatcher } from '../fs/path-watcher';
import { workspacesDir } from '../hubs/hub-paths';
import { ReadHubsOptions } from '../overview/hubs-state';
import { readMachineState } from '../overview/machine-state';
import { machineStateJson } from '../overview/state-json';
import { ComponentRegistry } from '../registry/component-registry';
import { DiscoveredRegistry } from '../registry/discovery';
import { bootId } from '../time/monotonic';
import type { RemoteKind } from '../lab/fleet-store';
import { MAX_EVENTS_PER_PUBLISH } from '../lab/fleet-lease-events';
import { LeaseEventOutbox } from './lease-event-outbox';
import { keepAlives, stableHash } from './beat-contents';
import { LabClient, LabUnreachable } from './lab-client';
import { handleRequest, retryMs } from './request-handler';

/**
 * `hubkeeper agent`: this station's presence in the fleet. It publishes the machine-state
 * snapshot (exactly `status --json`) when the registry or hub files change (debounced) and beats
 * every interval; an unchanged state is only its hash, so a quiet station costs the lab O(1) per
 * beat. Each beat also renews the lab locks of local holders this machine sees alive. Each start
 * is a new incarnation; the lab refuses anything from a replaced or lapsed one. Remote requests
 * are long-polled, claimed at most once, checked here and run by the local code.
 *
 * The network is never in a local operation's way: this runs in its own process, reads local
 * files like any reader, and when the lab or Redis is unreachable it backs off (capped) and
 * resyncs (a full state) once it is back.
 */

export interface StationAgentOptions {
  lab: LabClient;
  station: string;
  registry: ComponentRegistry;
  found: Pick<DiscoveredRegistry, 'path' | 'reason'>;
  hubs: ReadHubsOptions;
  heartbeatMs: number;
  allow: readonly RemoteKind[];
  debounceMs?: number;
  /** Publish on file changes (default true); off, it publishes on heartbeats only (a baseline). */
  watch?: boolean;
  /** Long-poll for requests (default); off, it asks once per heartbeat (a baseline). */
  longPoll?: boolean;
  log?: (line: string) => void;
  /** The lab confirmed an incarnation. */
  onIncarnation?: (incarnation: string, epoch: number) => void;
}

const POLL_WAIT_MS = 15_000;

class Superseded extends Error {}

export class StationAgent {
  incarnation = '';
  private epoch = 0;
  private incarnated = false;
  private running = false;
  private sentHash = '';
  private labHasState = false;
  private leaseTtlMs = 30_000;
  private holdsLabLocks = false;
  /** Until when the lab's per-station rate cap refuses lease events (0: no wait). */
  private eventsWaitUntil = 0;
  private kick: (() => void) | undefined;
  private watcher: PathWatcher | undefined;
  /** The lease transitions seen between reads, sent with the next heartbeats (the lab's audit stream). */
  private readonly outbox: LeaseEventOutbox;
  private endWith!: (why: string) => void;
  /** Resolves with why the agent ended: 'stopped', or that it was replaced. */
  readonly ended = new Promise<string>((r) => (this.endWith = r));

  constructor(private readonly o: StationAgentOptions) {
    this.outbox = new LeaseEventOutbox(o.station, o.log);
  }

  start(): void {
    this.running = true;
    if (this.o.watch !== false) {
      const dirs = [path.dirname(this.o.registry.path), ...this.o.hubs.roots.map(workspacesDir)];
      this.watcher = new PathWatcher(dirs, () => this.filesChanged(), { debounceMs: this.o.debounceMs ?? 100 });
    }
    void this.beatLoop();
    void this.requestLoop();
  }

  /** Says goodbye (best effort: a lab that is away is not waited for long) and stops. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.watcher?.dispose();
    this.kick?.();
    if (this.incarnated)
      await this.o.lab.call('POST', this.route('goodbye'), { incarnation: this.incarnation }, 2000).catch(() => undefined);
    this.o.lab.close();
    this.endWith('stopped');
  }

  /**
   * A file changed: a heartbeat now if the agent is waiting for the next one; otherwise (a beat
   * under way, or backing off while the lab is away) the change is still observed, so no lease
   * transition is missed while the network is slow or gone.
   */
  private filesChanged(): void {
    if (this.kick) return this.kick();
    this.outbox.readAndObserve(() => this.readState()).catch((err) => this.o.log?.(`agent: reading the state: ${(err as Error).message}`));
  }

  private readState() {
    return readMachineState(this.o.registry, this.o.hubs);
  }

  private route(tail: string): string {
    return `/fleet/stations/${encodeURIComponent(this.o.station)}/${tail}`;
  }

  private async beatLoop(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        if (!this.incarnated) await this.incarnate();
        const again = await this.beat();
        if (failures > 0) this.o.log?.(`agent: the lab answers again (${this.o.lab.url.origin}); state republished`);
        failures = 0;
        if (!again) await this.pause(this.intervalMs(), true);
      } catch (err) {
        if (err instanceof Superseded) return this.replaced(err.message);
        if (!(err instanceof LabUnreachable)) this.o.log?.(`agent: ${(err as Error).message}`);
        else if (failures === 0)
          this.o.log?.(`agent: the lab is unreachable (${err.message}); retrying with backoff, local operations are not affected`);
        failures++;
        this.labHasState = false; // resync in full once it is back
        const base = retryMs(failures - 1);
        await this.pause(Math.round(base / 2 + Math.random() * (base / 2)), false);
      }
    }
  }

  /** The heartbeat interval; shorter while lab locks depend on it, so they never lapse between beats. */
  private intervalMs(): number {
    return this.holdsLabLocks ? Math.min(this.o.heartbeatMs, Math.floor(this.leaseTtlMs / 3)) : this.o.heartbeatMs;
  }

  /** Sleeps, waking early on a file change when `kickable`. */
  private pause(ms: number, kickable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.kick = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      if (kickable) this.kick = done;
    });
  }

  private async incarnate(previous?: string): Promise<void> {
    const incarnation = ulid();
    const body = {
      incarnation,
      previous,
      heartbeat_ms: this.o.heartbeatMs,
      boot_id: bootId() ?? '',
      pid: process.pid,
      allow_remote: this.o.allow,
    };
    const res = await this.o.lab.call('POST', this.route('incarnations'), body);
    if (res.status === 409) throw new Superseded(res.body?.error ?? 'replaced by a newer agent');
    if (res.status !== 200) throw new Error(`the lab refused this agent: HTTP ${res.status}: ${res.body?.error ?? ''}`);
    Object.assign(this, {
      incarnation,
      epoch: Number(res.body.epoch),
      incarnated: true,
      labHasState: false,
      leaseTtlMs: Number(res.body.lease_ttl_ms) || 30_000,
    });
    this.o.onIncarnation?.(incarnation, this.epoch);
  }

  /** One heartbeat; true when another should follow at once (the lab asked for the full state). */
  private async beat(): Promise<boolean> {
    const state = await this.outbox.readAndObserve(() => this.readState());
    const json = machineStateJson(state, this.o.found);
    const hash = stableHash(json);
    const send = hash !== this.sentHash || !this.labHasState;
    const locks = keepAlives(state.components, this.o.station);
    this.holdsLabLocks = locks.length > 0;
    // While the lab's rate cap for this station holds, beats go on without the events (kept).
    const { events, through } = Date.now() < this.eventsWaitUntil ? { events: [], through: 0 } : this.outbox.peek(MAX_EVENTS_PER_PUBLISH);
    const res = await this.o.lab.call('POST', this.route('heartbeat'), {
      incarnation: this.incarnation,
      hash,
      state: send ? json : undefined,
      locks,
      lease_events: events.length > 0 ? events : undefined,
    });
    if (res.status === 409 && res.body?.reason === 'expired') {
      // Lapsed (paused past its TTL, or the lab was away that long): a new incarnation, but only
      // if this one is still the station's current one; a successor is never pushed aside.
      this.o.log?.(`agent: the lab refused a heartbeat of incarnation ${this.incarnation} (${res.body.error}); starting a new incarnation`);
      this.incarnated = false;
      await this.incarnate(this.incarnation);
      return true;
    }
    if (res.status === 409) throw new Superseded(res.body?.error ?? 'replaced by a newer agent');
    if (res.status === 429 && res.body?.reason === 'rate-limited') {
      // The beat counted; the events were not stored: they stay, and go again once the cap allows.
      const waitMs = Math.min(60_000, Math.max(1000, Number(res.body.retry_after_ms) || 60_000));
      if (this.eventsWaitUntil === 0) this.o.log?.(`agent: ${res.body.error}; the events are kept and sent later`);
      this.eventsWaitUntil = Date.now() + waitMs;
      this.sentHash = hash;
      this.labHasState = res.body.state_stored === true;
      return !this.labHasState;
    }
    if (res.status === 400 && events.length > 0) {
      // Events this lab will not take (another version's limits) must never stop the heartbeat.
      this.o.log?.(`agent: the lab refused ${events.length} lease events (${res.body?.error ?? 'HTTP 400'}); they were dropped`);
      this.outbox.done(through);
      return true;
    }
    if (res.status !== 200) throw new Error(`heartbeat refused: HTTP ${res.status}: ${res.body?.error ?? ''}`);
    this.sentHash = hash;
    this.labHasState = res.body.state_stored === true;
    this.outbox.done(through);
    if (events.length > 0) this.eventsWaitUntil = 0;
    return !this.labHasState || (this.outbox.size > 0 && Date.now() >= this.eventsWaitUntil);
  }

  private async requestLoop(): Promise<void> {
    let failures = 0;
    while (this.running) {
      if (!this.incarnated) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      try {
        const wait = this.o.longPoll === false ? 0 : POLL_WAIT_MS;
        const res = await this.o.lab.call(
          'POST',
          this.route('requests/poll'),
          { incarnation: this.incarnation, wait_ms: wait },
          wait + 10_000,
        );
        if (res.status === 409) {
          await new Promise((r) => setTimeout(r, 200)); // the beat loop re-incarnates or ends the agent
          continue;
        }
        if (res.status !== 200) throw new Error(`polling for requests: HTTP ${res.status}: ${res.body?.error ?? ''}`);
        failures = 0;
        for (const r of res.body.requests as { id: string }[])
          if (this.running)
            await handleRequest(
              this.o,
              r.id,
              this.incarnation,
              (tail) => this.route(tail),
              () => this.running,
            );
        if (this.o.longPoll === false) await new Promise((r) => setTimeout(r, this.o.heartbeatMs));
      } catch (err) {
        failures++;
        if (!(err instanceof LabUnreachable)) this.o.log?.(`agent: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, retryMs(failures)));
      }
    }
  }

  private replaced(why: string): void {
    this.running = false;
    this.watcher?.dispose();
    this.o.lab.close();
    this.endWith(`replaced: ${why}`);
  }
}
