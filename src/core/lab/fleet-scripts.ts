import { script } from './lab-scripts';

/**
 * The station agents' Lua scripts (lab-scripts.ts explains the conventions: Redis' clock, us()
 * for numbers). Health is scoped to an incarnation, as goa-ai scopes provider health to a
 * registration epoch: every agent start is a new incarnation, and every write an agent makes
 * names its incarnation and is compared-and-set here. A stopped (SIGSTOP) or restarted old agent
 * therefore cannot overwrite its successor's data, and one whose heartbeats stopped for longer
 * than the missed-heartbeat threshold is expired: it must start a new incarnation (and resync)
 * before anything it sends counts again.
 *
 * Requests (remote actions) are claimed at most once: pending → running (claimed_by = the
 * incarnation) → done | refused. A running request whose incarnation is replaced is marked
 * `unknown` and never handed out again. Keys of one fleet share one hash slot; INCARNATE builds
 * request keys from a prefix it is given, which stays in that slot.
 */

/**
 * KEYS: station, stations, audit, inflight. ARGV: station, incarnation, previous ('' for a fresh
 * start), interval_us, boot_id, agent_pid, allow, request key prefix, audit maxlen.
 */
export const INCARNATE = script(
  'incarnate',
  `
local now = now_us()
local cur = redis.call('HGET', KEYS[1], 'incarnation')
if ARGV[3] ~= '' and cur and cur ~= ARGV[3] then return {'superseded', cur} end
local epoch = redis.call('HINCRBY', KEYS[1], 'epoch', 1)
redis.call('HSET', KEYS[1], 'incarnation', ARGV[2], 'beat_us', us(now), 'interval_us', ARGV[4], 'started_us', us(now),
  'boot_id', ARGV[5], 'agent_pid', ARGV[6], 'allow', ARGV[7], 'hash', '')
redis.call('HDEL', KEYS[1], 'stopped_us')
redis.call('ZADD', KEYS[2], us(now), ARGV[1])
for _, id in ipairs(redis.call('ZRANGE', KEYS[4], 0, -1)) do
  local rk = ARGV[8] .. id
  if redis.call('HGET', rk, 'state') == 'running' then
    redis.call('HSET', rk, 'state', 'unknown', 'finished_us', us(now),
      'detail', 'the agent that claimed it stopped before reporting a result; it is never run again')
    redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[9], '*', 'event', 'unknown', 'request', id, 'station', ARGV[1], 'at_us', us(now))
  end
end
redis.call('DEL', KEYS[4])
return {'ok', tostring(epoch), us(now)}
`,
);

/**
 * One heartbeat: proves the incarnation alive, stores the state when it is sent (with its hash),
 * and renews the lab locks of local holders the agent saw alive. KEYS: station, stations, then
 * one entry key per lock. ARGV: station, incarnation, hash, state JSON ('' = unchanged), lab lock
 * ttl_us, missed-heartbeat threshold, then pid, instance per lock. A lab lock is renewed only
 * while it is live and still that holder's (host = station, pid, instance): never granted here.
 */
export const BEAT = script(
  'beat',
  `
local now = now_us()
local s = redis.call('HMGET', KEYS[1], 'incarnation', 'beat_us', 'interval_us', 'hash', 'stopped_us')
if not s[1] then return {'unknown'} end
if s[1] ~= ARGV[2] then return {'superseded', s[1]} end
if s[5] or now - tonumber(s[2]) > tonumber(ARGV[6]) * tonumber(s[3]) then return {'expired'} end
redis.call('HSET', KEYS[1], 'beat_us', us(now))
local stored = s[4]
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[1], 'state', ARGV[4], 'hash', ARGV[3], 'updated_us', us(now))
  redis.call('ZADD', KEYS[2], us(now), ARGV[1])
  stored = ARGV[3]
end
local out = {'ok', stored == ARGV[3] and '1' or '0', us(now)}
for i = 3, #KEYS do
  local j = 7 + (i - 3) * 2
  local l = redis.call('HMGET', KEYS[i], 'lock_host', 'lock_pid', 'lock_instance', 'lock_expires_us')
  if l[1] == ARGV[1] and l[2] == ARGV[j] and l[3] == ARGV[j + 1] and l[4] and now < tonumber(l[4]) then
    redis.call('HSET', KEYS[i], 'lock_heartbeat_us', us(now), 'lock_expires_us', us(now + tonumber(ARGV[5])), 'last_seen_us', us(now))
    table.insert(out, '1')
  else
    table.insert(out, '0')
  end
end
return out
`,
);

/** The agent stops cleanly. KEYS: station. ARGV: incarnation. */
export const GOODBYE = script(
  'goodbye',
  `
local now = now_us()
if redis.call('HGET', KEYS[1], 'incarnation') ~= ARGV[1] then return {'superseded'} end
redis.call('HSET', KEYS[1], 'stopped_us', us(now))
return {'ok', us(now)}
`,
);

/**
 * A remote action for a station. KEYS: request, pending, audit, station. ARGV: id, station, kind,
 * target JSON, requested by, deadline ms, audit maxlen, wake channel, keep request s.
 */
export const CREATE_REQUEST = script(
  'create_request',
  `
local now = now_us()
if redis.call('HEXISTS', KEYS[4], 'incarnation') == 0 then return {'no-agent'} end
local deadline = now + tonumber(ARGV[6]) * 1000
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'station', ARGV[2], 'kind', ARGV[3], 'target', ARGV[4], 'by', ARGV[5],
  'created_us', us(now), 'deadline_us', us(deadline), 'state', 'pending')
redis.call('EXPIRE', KEYS[1], ARGV[9])
redis.call('ZADD', KEYS[2], us(now), ARGV[1])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[7], '*', 'event', 'requested', 'request', ARGV[1], 'station', ARGV[2],
  'kind', ARGV[3], 'by', ARGV[5], 'target', ARGV[4], 'at_us', us(now))
redis.call('PUBLISH', ARGV[8], ARGV[2])
return {'ok', us(now), us(deadline)}
`,
);

/** KEYS: request, pending, inflight, station, audit. ARGV: id, incarnation, station, audit maxlen. */
export const CLAIM_REQUEST = script(
  'claim_request',
  `
local now = now_us()
local cur = redis.call('HGET', KEYS[4], 'incarnation')
if cur ~= ARGV[2] then return {'superseded'} end
local r = redis.call('HMGET', KEYS[1], 'state', 'deadline_us', 'kind', 'target', 'by', 'station')
redis.call('ZREM', KEYS[2], ARGV[1])
if not r[1] then return {'missing'} end
if r[6] ~= ARGV[3] then return {'missing'} end
if r[1] ~= 'pending' then return {'taken', r[1]} end
if now >= tonumber(r[2]) then
  redis.call('HSET', KEYS[1], 'state', 'expired', 'finished_us', us(now), 'detail', 'refused: its deadline passed before the station could run it')
  redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[4], '*', 'event', 'expired', 'request', ARGV[1], 'station', ARGV[3], 'at_us', us(now))
  return {'expired'}
end
redis.call('HSET', KEYS[1], 'state', 'running', 'claimed_by', ARGV[2], 'claimed_us', us(now))
redis.call('ZADD', KEYS[3], us(now), ARGV[1])
redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[4], '*', 'event', 'claimed', 'request', ARGV[1], 'station', ARGV[3], 'incarnation', ARGV[2], 'at_us', us(now))
return {'ok', r[3], r[4], r[5], r[2]}
`,
);

/**
 * KEYS: request, inflight, audit. ARGV: id, incarnation, outcome (done | refused), detail,
 * station, audit maxlen. A result that arrives after the request was marked unknown (its agent was
 * replaced while running it) still replaces "unknown": the truth is better.
 */
export const FINISH_REQUEST = script(
  'finish_request',
  `
local now = now_us()
local r = redis.call('HMGET', KEYS[1], 'state', 'claimed_by')
if r[2] ~= ARGV[2] or (r[1] ~= 'running' and r[1] ~= 'unknown') then return {'refused', r[1] or 'missing'} end
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'detail', ARGV[4], 'finished_us', us(now))
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[6], '*', 'event', ARGV[3], 'request', ARGV[1], 'station', ARGV[5], 'detail', ARGV[4], 'at_us', us(now))
return {'ok', us(now)}
`,
);

/**
 * Lease events a station's agent observed, into their own stream (`lease_audit`, `event: lease`),
 * never the requests' audit: a station's volume cannot push out who released or reaped what.
 * Rate-capped per station (a fixed one-minute window): a batch that would pass the cap is refused
 * whole, with how long until the window ends, so the agent waits and sends it again (never drops).
 * KEYS: lease audit, the station's rate counter. ARGV: lease audit maxlen, station, events per
 * minute, then per event: its number of field pairs, then the pairs. The station is the token's
 * (the route's), never one the body names.
 */
export const LEASE_EVENTS = script(
  'lease_events',
  `
local now = us(now_us())
local n = 0
local i = 4
while i <= #ARGV do
  n = n + 1
  i = i + 1 + 2 * tonumber(ARGV[i])
end
local used = tonumber(redis.call('GET', KEYS[2]) or '0')
if used + n > tonumber(ARGV[3]) then
  local left = redis.call('PTTL', KEYS[2])
  if left < 0 then left = 60000 end
  return {'limited', tostring(left), tostring(used)}
end
if redis.call('INCRBY', KEYS[2], n) == n then redis.call('PEXPIRE', KEYS[2], 60000) end
i = 4
while i <= #ARGV do
  local pairs_ = tonumber(ARGV[i])
  local args = {'XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'event', 'lease', 'station', ARGV[2], 'at_us', now}
  for j = i + 1, i + 2 * pairs_ do table.insert(args, ARGV[j]) end
  redis.call(unpack(args))
  i = i + 1 + 2 * pairs_
end
return {'ok', tostring(n)}
`,
);
