import { createHash } from 'node:crypto';
import type { LabRedis } from './redis-connection';

/**
 * The lab's Lua scripts. Each runs atomically inside Redis, reads the time from Redis (`TIME`, one
 * clock for every replica) and touches only the keys it is given, all of one fleet (one hash
 * slot). That is what makes replicas agree: no replica decides anything from its own memory or
 * clock, and two replicas racing for one lock are serialised by Redis itself.
 *
 * Lua numbers are doubles: microsecond times (~1.8e15) are exact in them, but Redis turns a Lua
 * number argument into text with %.14g, so every number is passed to redis.call as us(n) text.
 */

export interface LabScript {
  name: string;
  source: string;
  sha1: string;
}

const PRELUDE = `
local function now_us()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local function us(n) return string.format('%.0f', n) end
local LOCK = {'lock_host', 'lock_pid', 'lock_instance', 'lock_acquired_us', 'lock_heartbeat_us', 'lock_expires_us', 'lock_fence'}
local function read_lock(entry) return redis.call('HMGET', entry, unpack(LOCK)) end
-- MADSci's rule: a lock is held while now < expires_at. The holder is (host, instance): the same
-- instance again is a heartbeat (same fencing token), anything else free or expired is a grant.
local function claim(entry, fences, name, host, pid, instance, ttl, now)
  local l = read_lock(entry)
  local live = l[3] and l[6] and now < tonumber(l[6])
  if live and (l[3] ~= instance or l[1] ~= host) then
    return {'locked', l[1], l[2], l[3], l[4], l[5], l[6], l[7]}
  end
  local acquired, fence, granted = us(now), nil, '1'
  if live then
    acquired, fence, granted = l[4], l[7], '0'
  else
    fence = tostring(redis.call('HINCRBY', fences, name, 1))
  end
  local expires = us(now + ttl)
  redis.call('HSET', entry, 'lock_host', host, 'lock_pid', pid, 'lock_instance', instance,
    'lock_acquired_us', acquired, 'lock_heartbeat_us', us(now), 'lock_expires_us', expires, 'lock_fence', fence)
  return {'ok', host, pid, instance, acquired, us(now), expires, fence, granted}
end
`;

export function script(name: string, body: string): LabScript {
  const source = `${PRELUDE}\n${body}`;
  return { name, source, sha1: createHash('sha1').update(source).digest('hex') };
}

/** Conflict records kept per name (newest first). */
export const MAX_CONFLICTS_PER_NAME = 100;

/**
 * POST /registry/entries/{name}. KEYS: entry, meta, names, fences, conflicts, conflicted.
 * ARGV: name, id, type, acquire (1/0), host, pid, instance, ttl_us, conflict record tail
 * (a JSON object's members after its "{"), then metadata key/JSON-text pairs.
 * The id is judged first: a different id is recorded as a conflict and never stored.
 */
export const REGISTER = script(
  'register',
  `
local now = now_us()
local cur = redis.call('HMGET', KEYS[1], 'id', 'component_type')
if cur[1] and cur[1] ~= ARGV[2] then
  redis.call('LPUSH', KEYS[5], '{"at_us":' .. us(now) .. ',' .. ARGV[9])
  redis.call('LTRIM', KEYS[5], 0, ${MAX_CONFLICTS_PER_NAME - 1})
  redis.call('ZADD', KEYS[6], us(now), ARGV[1])
  return {'conflict', cur[1]}
end
if cur[1] and cur[2] ~= ARGV[3] then return {'type', cur[2]} end
local state = 'ok'
if not cur[1] then
  redis.call('HSET', KEYS[1], 'id', ARGV[2], 'component_type', ARGV[3], 'created_us', us(now))
  redis.call('ZADD', KEYS[3], us(now), ARGV[1])
  state = 'created'
end
local lock = {}
if ARGV[4] == '1' then
  lock = claim(KEYS[1], KEYS[4], ARGV[1], ARGV[5], ARGV[6], ARGV[7], tonumber(ARGV[8]), now)
  if lock[1] == 'locked' then return lock end
end
redis.call('HSET', KEYS[1], 'last_seen_us', us(now))
if #ARGV > 9 then redis.call('HSET', KEYS[2], unpack(ARGV, 10)) end
table.insert(lock, 1, state)
return lock
`,
);

/** POST /registry/entries/{name}/lock. KEYS: entry, fences. ARGV: name, host, pid, instance, ttl_us. */
export const LOCK = script(
  'lock',
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing'} end
local now = now_us()
local r = claim(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), now)
if r[1] == 'ok' then redis.call('HSET', KEYS[1], 'last_seen_us', us(now)) end
return r
`,
);

/**
 * POST /registry/entries/{name}/unlock. KEYS: entry. ARGV: instance, scope (a station may release
 * only locks its own host holds; '' for the lab token). Someone else's expired lock counts as free.
 */
export const UNLOCK = script(
  'unlock',
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing'} end
local now = now_us()
local l = read_lock(KEYS[1])
if not l[3] then return {'free', us(now)} end
if l[3] == ARGV[1] then
  if ARGV[2] ~= '' and l[1] ~= ARGV[2] then return {'forbidden', l[1]} end
  redis.call('HDEL', KEYS[1], unpack(LOCK))
  return {'released', us(now)}
end
if now < tonumber(l[6]) then return {'locked', l[1], l[2], l[3], l[4], l[5], l[6], l[7]} end
return {'free', us(now)}
`,
);

/** GET /registry/resolve/{name}, in one round trip. KEYS: entry, meta, conflicts. ARGV: how many conflicts. */
export const READ_ENTRY = script(
  'read_entry',
  `
local now = now_us()
local e = redis.call('HGETALL', KEYS[1])
if #e == 0 then return {us(now)} end
return {us(now), e, redis.call('HGETALL', KEYS[2]), redis.call('LRANGE', KEYS[3], 0, tonumber(ARGV[1]) - 1)}
`,
);

/**
 * Stores a JSON record stamped with Redis' time. KEYS: a hash, and optionally a zset indexing the
 * field by time. ARGV: field, the record's members after its "{", the stamp's key.
 */
export const STAMP = script(
  'stamp',
  `
local now = now_us()
redis.call('HSET', KEYS[1], ARGV[1], '{"' .. ARGV[3] .. '":' .. us(now) .. ',' .. ARGV[2])
if KEYS[2] then redis.call('ZADD', KEYS[2], us(now), ARGV[1]) end
return us(now)
`,
);

/** PUT /fleet/stations/{station}/state. KEYS: station, stations. ARGV: station, state JSON text. */
export const STATION_STATE = script(
  'station_state',
  `
local now = now_us()
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'updated_us', us(now))
redis.call('ZADD', KEYS[2], us(now), ARGV[1])
return us(now)
`,
);

/** Revokes every token of a station. KEYS: tokens, revoked. ARGV: station. Returns how many. */
export const REVOKE_STATION = script(
  'revoke_station',
  `
local now = now_us()
local all = redis.call('HGETALL', KEYS[1])
local n = 0
for i = 1, #all, 2 do
  local rec = cjson.decode(all[i + 1])
  if rec.station == ARGV[1] then
    redis.call('HDEL', KEYS[1], all[i])
    redis.call('HSET', KEYS[2], all[i], cjson.encode({station = rec.station, token_id = rec.token_id, revoked_us = us(now)}))
    n = n + 1
  end
end
return n
`,
);

/** EVALSHA, and EVAL when Redis does not have the script (first use, or after a restart). */
export async function runScript(client: LabRedis, s: LabScript, keys: string[], args: string[]): Promise<unknown> {
  try {
    return await client.evalSha(s.sha1, { keys, arguments: args });
  } catch (err) {
    if (!String((err as Error)?.message).startsWith('NOSCRIPT')) throw err;
    return client.eval(s.source, { keys, arguments: args });
  }
}
