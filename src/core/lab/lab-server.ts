import * as http from 'node:http';
import { ulid } from 'ulid';
import { tokensEqual } from '../auth/token-file';
import { bearerToken, checkHostAndOrigin, createGuardedServer, hostsFor, originsFor, reply, send } from '../http/guarded-server';
import { ANNOUNCE_EVERY_MS, announceReplica } from './lab-replicas';
import { BadRequest, pathSegments } from './lab-request';
import { Forbidden, LabRoutes, Route, Who } from './lab-routes';
import { LabStore } from './lab-store';
import { LabTokens } from './lab-tokens';
import { FleetRoutes } from './fleet-routes';
import { ChangeBus } from './fleet-changes';
import { FleetStore } from './fleet-store';
import { WakeBus } from './fleet-wake';
import type { LabRedis } from './redis-connection';

/**
 * `hubkeeper lab serve`: MADSci's lab registry protocol (formats.md §4) over HTTP, with all
 * state in Redis. A replica keeps nothing but its connection, so any number of them on one Redis
 * and fleet are one registry; one dying changes nothing for the clients of the others. Until
 * Redis answers, /health says 503 and everything else 503 too; the connection heals by itself.
 * Request hygiene (Host/Origin, body cap, timeouts) is the hub endpoint's, shared in ../http.
 */

export interface LabServerOptions {
  redis: LabRedis;
  /** The Redis URL without its password, for `lab status`. */
  redisDisplay: string;
  fleet: string;
  leaseTtlMs: number;
  /** The lab's shared secret: may do everything, including managing station tokens. */
  labToken: string;
  host: string;
  port: number;
  /** More `name[:port]` values accepted in Host (clients that reach the lab by a DNS name). */
  allowHosts?: string[];
  /** This machine's name for the replica list (HUBKEEPER_HOSTNAME or the OS's). */
  hostName: string;
  maxBodyBytes?: number;
  requestTimeoutMs?: number;
  /** A Redis call slower than this answers 503 (default 3000). */
  storeTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface LabServer {
  url: string;
  port: number;
  instance: string;
  close(): Promise<void>;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '']);
const STATE_ROUTE = /^\/fleet\/stations\/[^/?]+\/heartbeat(\?|$)/;
const STATE_BODY_BYTES = 1024 * 1024;

export async function startLabServer(options: LabServerOptions): Promise<LabServer> {
  const { redis, log } = options;
  const store = new LabStore(redis, options.fleet, options.leaseTtlMs);
  const tokens = new LabTokens(redis, options.fleet);
  const instance = ulid();
  const startedUs = Date.now() * 1000;
  let port = options.port;
  let hosts: string[] = [];
  let origins: string[] = [];
  const storeTimeoutMs = options.storeTimeoutMs ?? 3000;
  const wake = new WakeBus(redis, store.keys.wake, log);
  const changes = new ChangeBus(redis, options.fleet, log);
  const fleet = new FleetRoutes(new FleetStore(redis, options.fleet), store, wake, changes);
  const routes = new LabRoutes(
    store,
    tokens,
    () => ({ instance, host: options.hostName, pid: process.pid, url: urlOf(options.host, port), startedUs, redis: options.redisDisplay }),
    log,
    (station) => changes.bump(station),
  );

  const guarded = createGuardedServer({
    label: 'lab server',
    // A station's published state (its registry's names and ids, its hubs) is bigger than a request.
    maxBodyBytes: (req) => (STATE_ROUTE.test(req.url ?? '') ? STATE_BODY_BYTES : (options.maxBodyBytes ?? 16 * 1024)),
    requestTimeoutMs: options.requestTimeoutMs ?? 5000,
    // A lab serves every station and MADSci process of the lab: more room than one editor's hub.
    maxConnections: 1024,
    log,
    handle: dispatch,
  });

  async function dispatch(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    const refusal = checkHostAndOrigin(req, hosts, origins);
    if (refusal) return reply(res, refusal.code, { error: refusal.error });
    let route: Route | undefined;
    try {
      const segments = pathSegments(req.url ?? '');
      route = routes.match(segments) ?? fleet.match(segments, new URL(req.url ?? '/', 'http://lab').searchParams);
    } catch (err) {
      if (err instanceof BadRequest) return reply(res, 400, { error: err.message });
      throw err;
    }
    if (!route) return reply(res, 404, { error: 'not found' });
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? '');
    const handler = route.methods[method];
    if (!handler) return reply(res, 405, { error: 'method not allowed' }, { Allow: Object.keys(route.methods).join(', ') });
    const query = new URL(req.url ?? '/', 'http://lab.invalid').searchParams;
    if (route.open) return answer(res, await handler({ kind: 'lab' }, body, query));

    const bearer = bearerToken(req);
    const unauthorized = (error: string) => reply(res, 401, { error }, { 'WWW-Authenticate': 'Bearer realm="hubkeeper-lab"' });
    if (bearer === undefined) return unauthorized('bearer token required');
    try {
      let who: Who;
      if (tokensEqual(bearer, options.labToken)) who = { kind: 'lab' };
      else {
        if (!store.ready) return unavailable(res);
        const found = await withTimeout(tokens.lookup(bearer), storeTimeoutMs);
        if (found.kind === 'revoked') return unauthorized('this station token was revoked');
        if (found.kind !== 'station') return unauthorized('invalid token');
        who = { kind: 'station', station: found.station };
      }
      if (!store.ready) return unavailable(res);
      return answer(res, await withTimeout(handler(who, body, query), storeTimeoutMs + (route.longPollMs ?? 0)));
    } catch (err) {
      if (err instanceof BadRequest) return reply(res, 400, { error: err.message });
      if (err instanceof Forbidden) return reply(res, 403, { error: err.message });
      if (!store.ready || err instanceof StoreTimeout) return unavailable(res);
      throw err;
    }
  }

  port = await guarded.listen(options.host, options.port);
  hosts = allowedHosts(options.host, port, options.allowHosts ?? []);
  origins = originsFor(hosts);

  const announce = () =>
    void (
      redis.isReady
        ? announceReplica(redis, store.keys, {
            instance,
            host: options.hostName,
            pid: process.pid,
            url: urlOf(options.host, port),
            startedUs,
          })
        : Promise.resolve()
    ).catch((err) => log?.(`lab server: announcing this replica failed: ${(err as Error).message}`));
  redis.on('ready', announce);
  announce();
  const timer = setInterval(announce, ANNOUNCE_EVERY_MS);
  timer.unref();
  const url = urlOf(options.host, port);
  log?.(`lab server listening on ${url} (fleet ${options.fleet})`);

  return {
    url,
    port,
    instance,
    async close() {
      clearInterval(timer);
      redis.off('ready', announce);
      wake.close();
      changes.close();
      await guarded.close();
    },
  };
}

export interface Answer {
  code: number;
  /** Already JSON text (entries carry raw metadata), or a plain object. */
  body: string | { [key: string]: unknown };
}

function answer(res: http.ServerResponse, a: Answer): void {
  if (typeof a.body === 'string') send(res, a.code, a.body);
  else reply(res, a.code, a.body);
}

function unavailable(res: http.ServerResponse): void {
  reply(res, 503, { error: 'the lab store (Redis) is unreachable; try again shortly' }, { 'Retry-After': '1' });
}

class StoreTimeout extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new StoreTimeout(`no answer from Redis within ${ms} ms`)), ms)),
  );
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function urlOf(host: string, port: number): string {
  const h = WILDCARDS.has(host) ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}

function allowedHosts(host: string, port: number, extra: string[]): string[] {
  const own = WILDCARDS.has(host) ? hostsFor('127.0.0.1', port) : hostsFor(host, port);
  const more = extra.map((h) => (/:\d+$/.test(h) && !h.endsWith(']') ? h : `${h}:${port}`).toLowerCase());
  return [...new Set([...own, ...more])];
}
