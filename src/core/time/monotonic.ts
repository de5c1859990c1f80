import * as fs from 'node:fs';

/**
 * A clock the wall-clock cannot move: CLOCK_MONOTONIC (time since boot), shared by every process
 * of one boot, and the boot's id (Linux) that tells whether two readings are comparable.
 */

export function monotonicMs(): number {
  return Number(process.hrtime.bigint() / 1_000_000n);
}

let cachedBootId: string | null | undefined;

export function bootId(): string | undefined {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      cachedBootId = null;
    }
  }
  return cachedBootId ?? undefined;
}
