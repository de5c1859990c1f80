import type { LabRedis } from './redis-connection';

/**
 * Wakes a replica's long-polling agents when a request is created for their station, on any
 * replica: the request script PUBLISHes the station's name, and every replica subscribes once
 * (its own connection: a subscribed connection can do nothing else). A lost message costs at most
 * one poll's wait, since the poll re-reads the pending requests when it times out.
 */
export class WakeBus {
  private readonly sub: LabRedis;
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(redis: LabRedis, channel: string, log?: (line: string) => void, what = 'request wake-ups') {
    this.sub = redis.duplicate();
    this.sub.on('error', () => undefined); // the main connection already reports Redis' state
    this.sub
      .connect()
      .then(() => this.sub.subscribe(channel, (station) => this.fire(station)))
      .catch((err: Error) => log?.(`lab server: ${what} unavailable (${err.message}); waiters fall back to polling`));
  }

  /**
   * Resolves when `station` gets a request, or after `ms`. Armed at once: call it before reading
   * the pending requests, so one created in between still wakes the waiter. `cancel` ends it early.
   */
  wait(station: string, ms: number): { done: Promise<void>; cancel: () => void } {
    let cancel = () => undefined as void;
    const done = new Promise<void>((resolve) => {
      const set = this.waiters.get(station) ?? new Set();
      this.waiters.set(station, set);
      const end = () => {
        clearTimeout(timer);
        set.delete(end);
        if (set.size === 0) this.waiters.delete(station);
        resolve();
      };
      const timer = setTimeout(end, ms);
      set.add(end);
      cancel = end;
    });
    return { done, cancel };
  }

  close(): void {
    for (const set of this.waiters.values()) for (const done of [...set]) done();
    try {
      this.sub.destroy();
    } catch {
      /* already closed */
    }
  }

  private fire(station: string): void {
    for (const done of [...(this.waiters.get(station) ?? [])]) done();
  }
}
