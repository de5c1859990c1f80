import { RegistryLock } from '../registry/types';
import { HeartbeatObservation } from './lease-rules';

/**
 * What earlier reads of each lock saw, so that a reader that looks more than once (the extension
 * refreshing, a release re-reading under the file lock) can tell a heartbeat that advances from one
 * that stopped on its own clock, whatever the writer's wall clock says. It only remembers; the
 * judgement is lockStatus's (lease-rules.ts).
 */
export class HeartbeatWatch {
  private readonly seen = new Map<string, { holder: string; heartbeatMicros: number; sinceMs: number; advanced: boolean }>();

  /**
   * Records this read of `name`'s lock at `monoMs` (the reader's monotonic clock) and returns what
   * the reads so far show, or undefined on the first read of this holder's lock.
   */
  observe(name: string, lock: RegistryLock | null, monoMs: number): HeartbeatObservation | undefined {
    if (!lock) {
      this.seen.delete(name);
      return undefined;
    }
    // One holder's one acquisition: a new holder (or a re-acquisition) starts over.
    const holder = `${lock.holderHost}\0${lock.holderPid}\0${lock.holderInstance}\0${lock.acquiredAt.micros}`;
    const last = this.seen.get(name);
    if (!last || last.holder !== holder) {
      this.seen.set(name, { holder, heartbeatMicros: lock.heartbeatAt.micros, sinceMs: monoMs, advanced: false });
      return undefined;
    }
    if (last.heartbeatMicros !== lock.heartbeatAt.micros) {
      // Only the holder rewrites heartbeat_at of its own acquisition: it is beating.
      this.seen.set(name, { holder, heartbeatMicros: lock.heartbeatAt.micros, sinceMs: monoMs, advanced: true });
      return { advanced: true, unchangedForMs: 0 };
    }
    return { advanced: last.advanced, unchangedForMs: Math.max(0, monoMs - last.sinceMs) };
  }
}
