import { hostName } from '../processes/host-name';
import { pidNamespace } from '../processes/pid-namespace';
import { bootId, monotonicMs } from './monotonic';
import { Timestamp } from './timestamp';

/**
 * "Now" for lease decisions, injected wherever leases are judged or written (tests step it). With
 * a monotonic reading (and this boot's id and host name), a lock that Hubkeeper wrote on this
 * machine is judged by the monotonic clock it recorded, so a jump of the wall clock can neither
 * steal a live holder's lease (forward) nor keep a dead one's for an hour (backward). Locks
 * without that record (MADSci's, other hosts') follow MADSci's wall-clock rule.
 */
export interface LeaseNow {
  wall: Timestamp;
  mono?: number;
  bootId?: string;
  hostname?: string;
  /** The reader's pid namespace (see processes/pid-namespace.ts). */
  pidNamespace?: string;
}

export class LeaseClock {
  constructor(
    /** Wall clock in ms. */
    private readonly wallMs: () => number = Date.now,
    /** Monotonic clock in ms (CLOCK_MONOTONIC by default). */
    private readonly monoMs: () => number = monotonicMs,
  ) {}

  now(): Timestamp {
    return Timestamp.fromMillis(this.wallMs());
  }

  leaseNow(wall: Timestamp = this.now()): LeaseNow {
    return { wall, mono: this.monoMs(), bootId: bootId(), hostname: hostName(), pidNamespace: pidNamespace() };
  }
}
