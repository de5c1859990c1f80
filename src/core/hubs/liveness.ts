import * as http from 'node:http';
import { isIP } from 'node:net';

/**
 * Is a hub answering? Like bones: any HTTP response to `GET <hub_url>` within 500 ms counts, even
 * 4xx/5xx — the port is bound and serving. Unlike bones, only loopback URLs are probed (an entry
 * file must not make Hubkeeper send requests elsewhere), probes run in parallel with a bound, and
 * a hub is called unreachable only after several consecutive misses, so one slow answer never
 * flips what the user sees.
 */

export const PROBE_TIMEOUT_MS = 500;
export const MISSES_BEFORE_UNREACHABLE = 3;

export type ProbeResult = 'answered' | 'no-answer' | 'not-probed';

export function isLoopbackUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'http:') return false;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

export function probeHubUrl(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  if (!isLoopbackUrl(url)) return Promise.resolve('not-probed');
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs, headers: { 'user-agent': 'hubkeeper-probe' }, agent: false }, (res) => {
      res.resume();
      resolve('answered');
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve('no-answer'));
  });
}

/** Runs `work` over `items` with at most `limit` at once. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Remembers consecutive misses per hub across probe rounds (the extension keeps one; a one-shot
 * CLI run probes up to `threshold` times in a row instead).
 */
export class ReachabilityTracker {
  private readonly misses = new Map<string, number>();

  constructor(readonly threshold = MISSES_BEFORE_UNREACHABLE) {}

  /** Records a probe and says whether the hub now counts as reachable. */
  record(key: string, result: ProbeResult): boolean {
    if (result !== 'no-answer') {
      this.misses.delete(key);
      return true;
    }
    const n = (this.misses.get(key) ?? 0) + 1;
    this.misses.set(key, n);
    return n < this.threshold;
  }

  missesOf(key: string): number {
    return this.misses.get(key) ?? 0;
  }
}

/** For a one-shot check: probe until an answer or `threshold` misses in a row. */
export async function probeWithRetries(url: string, threshold = MISSES_BEFORE_UNREACHABLE, pauseMs = 100): Promise<ProbeResult> {
  let result: ProbeResult = 'no-answer';
  for (let i = 0; i < threshold; i++) {
    result = await probeHubUrl(url);
    if (result !== 'no-answer') return result;
    if (i < threshold - 1) await new Promise((r) => setTimeout(r, pauseMs));
  }
  return result;
}

/**
 * A probe for repeated rounds (the extension's refresh): a hub seen for the first time is checked
 * like a one-shot run (up to `threshold` tries); after that one probe per round, and the hub only
 * counts as unreachable after `threshold` misses in a row.
 */
export function trackedProbe(tracker: ReachabilityTracker): (url: string) => Promise<ProbeResult> {
  const seen = new Set<string>();
  return async (url) => {
    if (!seen.has(url)) {
      seen.add(url);
      const first = await probeWithRetries(url, tracker.threshold);
      if (first === 'no-answer') for (let i = 0; i < tracker.threshold; i++) tracker.record(url, first);
      else tracker.record(url, first);
      return first;
    }
    const result = await probeHubUrl(url);
    return tracker.record(url, result) ? (result === 'not-probed' ? result : 'answered') : 'no-answer';
  };
}
