import { LabKeys } from './lab-keys';
import { runScript, STAMP } from './lab-scripts';
import type { LabRedis } from './redis-connection';

/**
 * Replicas announce themselves in Redis every few seconds, stamped with Redis' time, so
 * `lab status` can show which are serving. As in goa-ai's registry, a replica that missed three
 * announcements in a row is shown as gone; nothing depends on this list for correctness.
 */

export const ANNOUNCE_EVERY_MS = 5000;
export const MISSED_ANNOUNCEMENTS = 3;
/** Gone replicas are forgotten after this long, so restarts do not pile up. */
const FORGET_AFTER_US = 3600 * 1e6;

export interface ReplicaInfo {
  instance: string;
  host: string;
  pid: number;
  url: string;
  startedUs: number;
  seenUs: number;
  alive: boolean;
}

export async function announceReplica(redis: LabRedis, keys: LabKeys, me: Omit<ReplicaInfo, 'seenUs' | 'alive'>): Promise<void> {
  const record = JSON.stringify({ host: me.host, pid: me.pid, url: me.url, started_us: me.startedUs });
  await runScript(redis, STAMP, [keys.replicas], [me.instance, record.slice(1), 'seen_us']);
}

export async function listReplicas(redis: LabRedis, keys: LabKeys, nowUs: number): Promise<ReplicaInfo[]> {
  const all = await redis.hGetAll(keys.replicas);
  const out: ReplicaInfo[] = [];
  for (const [instance, text] of Object.entries(all)) {
    const r = JSON.parse(text) as { host: string; pid: number; url: string; started_us: number; seen_us: number };
    if (nowUs - r.seen_us > FORGET_AFTER_US) {
      await redis.hDel(keys.replicas, instance);
      continue;
    }
    const alive = nowUs - r.seen_us < MISSED_ANNOUNCEMENTS * ANNOUNCE_EVERY_MS * 1000;
    out.push({ instance, host: r.host, pid: r.pid, url: r.url, startedUs: r.started_us, seenUs: r.seen_us, alive });
  }
  return out.sort((a, b) => a.startedUs - b.startedUs);
}
