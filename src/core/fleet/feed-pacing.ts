/**
 * How often the fleet feed (fleet-feed.ts) may ask the lab, whatever the lab answers: rounds as a
 * token bucket (a change right after another is not held back, a lab that answers at once every
 * time is: at most four rounds a second after a burst of five — a busy lab changes every few hundred
 * ms, and one round a second put the Fleet view's p95 at 0.8 s), and the backoff after failures.
 */

const MAX_BACKOFF_MS = 10_000;
/** The bucket: this many rounds at once, then one each ROUND_EVERY_MS. */
export const ROUND_BURST = 5;
export const ROUND_EVERY_MS = 250;

export class RoundPace {
  private tokens: number;
  private countedAt = Date.now();

  constructor(
    private readonly burst = ROUND_BURST,
    private readonly everyMs = ROUND_EVERY_MS,
  ) {
    this.tokens = burst;
  }

  /** How long to wait before the next round may start (0: now); then take() it. */
  waitMs(): number {
    this.tokens = Math.min(this.burst, this.tokens + (Date.now() - this.countedAt) / this.everyMs);
    this.countedAt = Date.now();
    return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) * this.everyMs);
  }

  take(): void {
    this.tokens = Math.max(0, this.tokens - 1);
  }
}

/** A capped exponential backoff with jitter: the n-th failure (from 1) waits about 250 ms · 2^(n-1), at most 10 s. */
export function backoffMs(n: number): number {
  const base = Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(n - 1, 6));
  return Math.round(base / 2 + Math.random() * (base / 2));
}
