import { ulid } from 'ulid';
import { LabKeys } from './lab-keys';
import { runScript, script } from './lab-scripts';
import type { LabRedis } from './redis-connection';
import { WakeBus } from './fleet-wake';

/**
 * What a window's fleet feed long-polls (`GET /fleet/changes`): a version counter in Redis, bumped
 * after every write a reader would see (a station's new state, an incarnation, a goodbye, a lab
 * entry, lock or conflict), with the version of each station's last change in a sorted set. A
 * reader gives the version it last saw and is told which stations changed since: on any replica,
 * after any reconnect, nothing is missed, and only those stations are read again. A reader whose
 * version is from another generation (Redis restarted without its data) is told to re-read all.
 *
 * The bump follows the write rather than being part of its script, so a replica that dies in
 * between loses that one notice: the feed also re-reads the list every heartbeat interval and
 * compares each station's state hash, which repairs it. Changes that come with time alone
 * (healthy → stale, a lock expiring) write nothing and are seen by that re-read too.
 */

/** The member for the lab registry (entries, locks, conflicts): a station name never starts with '*'. */
const LAB_MEMBER = '*lab';
/** More changed stations than this in one answer: re-read everything instead. */
const MAX_CHANGED = 1000;
const WAKE_MESSAGE = 'changed';

/** KEYS: counter, changed, generation. ARGV: member, channel, a new generation if there is none. */
const BUMP = script(
  'fleet_changes_bump',
  `
if not redis.call('GET', KEYS[3]) then redis.call('SET', KEYS[3], ARGV[3]) end
local v = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], v, ARGV[1])
redis.call('PUBLISH', ARGV[2], '${WAKE_MESSAGE}')
return tostring(v)
`,
);

/** KEYS: counter, changed, generation. ARGV: after, the reader's generation, a new generation, max. */
const READ = script(
  'fleet_changes_read',
  `
local gen = redis.call('GET', KEYS[3])
if not gen then gen = ARGV[3]; redis.call('SET', KEYS[3], gen) end
local v = tonumber(redis.call('GET', KEYS[1]) or '0')
if ARGV[2] ~= gen or tonumber(ARGV[1]) > v then return {gen, tostring(v), '1'} end
local changed = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[1], '+inf', 'LIMIT', 0, tonumber(ARGV[4]) + 1)
if #changed > tonumber(ARGV[4]) then return {gen, tostring(v), '1'} end
return {gen, tostring(v), '0', unpack(changed)}
`,
);

export interface FleetChanges {
  generation: string;
  version: number;
  /** Re-read everything: another generation, or too much changed to list. */
  reset: boolean;
  stations: string[];
  lab: boolean;
}

export class ChangeBus {
  private readonly keys: LabKeys;
  private readonly wake: WakeBus;

  constructor(
    private readonly redis: LabRedis,
    fleet: string,
    log?: (line: string) => void,
  ) {
    this.keys = new LabKeys(fleet);
    this.wake = new WakeBus(redis, this.keys.changesChannel, log, 'fleet change notices');
  }

  /** After a write: `station` changed (undefined: the lab registry). Never fails the write's answer. */
  async bump(station?: string): Promise<void> {
    const k = this.keys;
    await runScript(this.redis, BUMP, [k.changes, k.changed, k.changesGeneration], [station ?? LAB_MEMBER, k.changesChannel, ulid()]).catch(
      () => undefined,
    );
  }

  async read(after: number, generation: string): Promise<FleetChanges> {
    const k = this.keys;
    const r = (await runScript(
      this.redis,
      READ,
      [k.changes, k.changed, k.changesGeneration],
      [String(after), generation, ulid(), String(MAX_CHANGED)],
    )) as string[];
    const members = r.slice(3);
    return {
      generation: r[0],
      version: Number(r[1]),
      reset: r[2] === '1',
      stations: members.filter((m) => m !== LAB_MEMBER),
      lab: members.includes(LAB_MEMBER),
    };
  }

  /** The changes after `after`, waiting up to `waitMs` for one (armed before the read, so none slips by). */
  async next(after: number, generation: string, waitMs: number): Promise<FleetChanges> {
    const wake = this.wake.wait(WAKE_MESSAGE, waitMs);
    try {
      const now = await this.read(after, generation);
      if (now.reset || now.stations.length > 0 || now.lab || waitMs <= 0) return now;
      await wake.done;
      return await this.read(after, generation);
    } finally {
      wake.cancel();
    }
  }

  close(): void {
    this.wake.close();
  }
}
