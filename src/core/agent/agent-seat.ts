import { AgentLock, AgentLockNotExclusive, agentLockPath, describeHolder, readAgentLockHolder, tryAgentLock } from './agent-lock';
import type { HubEnv } from '../hubs/hub-paths';

/**
 * A window's seat for this machine's station agent: the window that holds agent.lock runs the
 * agent; the others only read the fleet and try the lock again every `retryMs`, so when the
 * holder window closes (or dies) one of them takes over. An agent replaced by a newer one of the
 * same station (a `hubkeeper agent` started by hand, or another machine using this station's
 * name) is not restarted by this seat: two agents would replace each other in turn. The seat
 * keeps the lock then, so no other window starts one either, until it is stopped.
 */

export interface RunningAgent {
  readonly ended: Promise<string>;
  stop(): Promise<void>;
}

export interface AgentSeatOptions {
  hubEnv: HubEnv;
  station: string;
  /** Starts the agent (called with the lock held). */
  start: () => RunningAgent;
  retryMs?: number;
  log?: (line: string) => void;
}

export type SeatRole = 'starting' | 'agent' | 'reader' | 'replaced' | 'stopped';

export class AgentSeat {
  role: SeatRole = 'starting';
  private lock: AgentLock | undefined;
  private agent: RunningAgent | undefined;
  private timer: NodeJS.Timeout | undefined;
  private toldHeld = false;
  private toldNotExclusive = false;
  private stopped = false;
  readonly lockPath: string;

  constructor(
    private readonly o: AgentSeatOptions,
    private readonly onRole: (role: SeatRole) => void = () => undefined,
  ) {
    this.lockPath = agentLockPath(o.hubEnv);
  }

  start(): void {
    void this.attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const agent = this.agent;
    this.agent = undefined;
    await agent?.stop();
    await this.lock?.release();
    this.lock = undefined;
    this.setRole('stopped');
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    try {
      const lock = await tryAgentLock(this.lockPath, { by: 'window', station: this.o.station });
      if (this.stopped) return void (await lock?.release());
      if (!lock) {
        if (!this.toldHeld) {
          this.o.log?.(
            `${this.lockPath}: held by ${describeHolder(await readAgentLockHolder(this.lockPath))}; this window only reads the fleet and takes over when it stops`,
          );
          this.toldHeld = true;
        }
        this.setRole('reader');
        return this.retry();
      }
      this.lock = lock;
      this.o.log?.(`${this.lockPath}: this window runs the station agent of ${this.o.station}`);
      const agent = (this.agent = this.o.start());
      this.setRole('agent');
      this.watchLock(lock);
      void agent.ended.then((why) => {
        if (this.agent !== agent || this.stopped) return;
        this.agent = undefined;
        this.o.log?.(`station agent of ${this.o.station} ended (${why}); this window does not start another while it is open`);
        this.setRole('replaced');
      });
    } catch (err) {
      if (err instanceof AgentLockNotExclusive) {
        if (!this.toldNotExclusive) this.o.log?.(`${err.message}; this window only reads the fleet`);
        this.toldNotExclusive = true;
        this.setRole('reader');
      } else this.o.log?.(`${this.lockPath}: ${(err as Error).message}; no station agent in this window for now`);
      this.retry();
    }
  }

  /**
   * While this window runs the agent: the lock is checked on the retry timer. Lost (its flock
   * helper died, so the kernel dropped the flock and another window may take it), the agent stops
   * here and this window tries for the seat again like any other.
   */
  private watchLock(lock: AgentLock): void {
    this.timer = setTimeout(() => {
      if (this.stopped || this.lock !== lock) return;
      if (lock.held) return this.watchLock(lock);
      this.o.log?.(`${this.lockPath}: this window lost the lock (its flock helper exited); its station agent stops`);
      const agent = this.agent;
      this.agent = undefined;
      this.lock = undefined;
      this.setRole('reader');
      void (async () => {
        await agent?.stop();
        await lock.release();
        this.retry();
      })();
    }, this.o.retryMs ?? 5000);
    this.timer.unref?.();
  }

  private retry(): void {
    this.timer = setTimeout(() => void this.attempt(), this.o.retryMs ?? 5000);
    this.timer.unref?.();
  }

  private setRole(role: SeatRole): void {
    if (role === this.role) return;
    this.role = role;
    this.onRole(role);
  }
}
