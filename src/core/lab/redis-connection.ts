import { createClient } from '@redis/client';

/**
 * The lab's one connection to Redis, from a `redis://[user:password@]host:port[/db]` or
 * `rediss://` (TLS) URL. The connection comes and goes (a Redis restart, a network blip): the
 * client reconnects by itself with capped, jittered backoff, and commands issued while it is down
 * fail at once rather than queueing, so a request gets a quick 503 instead of hanging.
 */

export interface RedisTarget {
  host: string;
  port: number;
  tls: boolean;
  database: number;
  username?: string;
  password?: string;
  /** The URL without its password, for messages and logs. */
  display: string;
}

export type LabRedis = ReturnType<typeof newClient>;

function newClient(target: RedisTarget, name: string | undefined) {
  return createClient({
    socket: {
      host: target.host,
      port: target.port,
      ...(target.tls ? { tls: true as const, servername: target.host } : {}),
      connectTimeout: 5000,
      reconnectStrategy: (retries: number) => reconnectDelay(retries),
    },
    username: target.username,
    password: target.password,
    database: target.database,
    name,
    disableOfflineQueue: true,
    // A half-open TCP connection (a Redis host that vanished) is noticed within a few seconds.
    pingInterval: 5000,
  });
}

const MAX_BACKOFF_MS = 2000;

export class RedisUrlError extends Error {}

/** Parses the URL; a password in `HUBKEEPER_REDIS_PASSWORD` stands in for one missing from it. */
export function parseRedisUrl(text: string, env: NodeJS.ProcessEnv = {}): RedisTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RedisUrlError(`${redact(text)}: not a URL (expected redis://[user:password@]host:port[/db] or rediss://…)`);
  }
  const display = displayUrl(url);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new RedisUrlError(`${display}: the scheme must be redis:// or rediss:// (TLS)`);
  if (!url.hostname) throw new RedisUrlError(`${display}: no host`);
  if (url.search || url.hash)
    throw new RedisUrlError(`${display}: query strings and fragments are not understood; give only host, port and /db`);
  const dbText = url.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d{1,5}$/.test(dbText)) throw new RedisUrlError(`${display}: the path must be a database number (/0, /1, …)`);
  const password = url.password ? decodeURIComponent(url.password) : env.HUBKEEPER_REDIS_PASSWORD || undefined;
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : 6379,
    tls: url.protocol === 'rediss:',
    database: dbText === '' ? 0 : Number(dbText),
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password,
    display,
  };
}

/** Capped exponential backoff with jitter, so replicas do not all knock on a restarted Redis at once. */
export function reconnectDelay(retries: number): number {
  const base = Math.min(MAX_BACKOFF_MS, 50 * 2 ** Math.min(retries, 10));
  return Math.round(base / 2 + Math.random() * (base / 2));
}

export interface ConnectOptions {
  log?: (line: string) => void;
  /** Client name shown in Redis' CLIENT LIST. */
  name?: string;
}

/**
 * A client that is connecting (or reconnecting) in the background. It never throws for an
 * unreachable Redis: callers check `isReady` and get fast errors from commands until it is.
 */
export function connectRedis(target: RedisTarget, options: ConnectOptions = {}): LabRedis {
  const { log } = options;
  const client = newClient(target, options.name);
  // Log changes of state, not every failed retry.
  let lastError = '';
  client.on('error', (err: Error) => {
    const text = err?.message ?? String(err);
    if (text !== lastError) log?.(`redis ${target.display}: ${text}`);
    lastError = text;
  });
  let connectedBefore = false;
  client.on('ready', () => {
    log?.(`redis ${target.display}: ${connectedBefore ? 'connected again' : 'connected'}`);
    connectedBefore = true;
    lastError = '';
  });
  client.connect().catch((err: Error) => log?.(`redis ${target.display}: ${err?.message ?? String(err)}`));
  return client;
}

/** Waits until the client is ready (for one-shot callers such as the benchmark). */
export async function untilReady(client: LabRedis, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!client.isReady) {
    if (Date.now() > deadline) throw new Error(`redis did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function displayUrl(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password) copy.password = '***';
  return copy.href.replace(/\/$/, '');
}

function redact(text: string): string {
  return text.replace(/\/\/([^@/]*):[^@/]*@/, '//$1:***@');
}
