import * as http from 'node:http';
import { bearerToken, checkHostAndOrigin, createGuardedServer, hostsFor, originsFor, reply, send } from '../http/guarded-server';
import { MIN_HUB_TOKEN_LENGTH, tokensEqual } from './hub-token';

/**
 * The small HTTP API served by the process that holds a workspace's hub lock. Plain Node, no
 * editor APIs. It listens on loopback only and trusts nothing about the request: Host and Origin
 * are checked so a web page (DNS rebinding, cross-site fetch) cannot reach it, paths are parsed
 * strictly, and bodies are capped even though no route takes one.
 */

export interface HubServerOptions {
  token: string;
  status: () => unknown | Promise<unknown>;
  /** Default 16 KiB. */
  maxBodyBytes?: number;
  /** Default 5000. */
  requestTimeoutMs?: number;
  /** Connections open at once (default 128): the editor's descriptors are not the flood's. */
  maxConnections?: number;
  log?: (line: string) => void;
}

export interface HubServer {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  close(): Promise<void>;
}

// Loopback only, on purpose and without an option: the token is the only other protection.
const HOST = '127.0.0.1';
const ROUTES: Record<string, 'root' | 'health' | 'status'> = { '/': 'root', '/health': 'health', '/v1/status': 'status' };
const ALLOW = 'GET, HEAD';
const SAFE_PATH_CHARS = /^[A-Za-z0-9._~/-]+$/; // no '%', '\', ';' ... nothing our routes need

export async function startHubServer(options: HubServerOptions): Promise<HubServer> {
  const { token, status, log } = options;
  if (typeof token !== 'string' || token.length < MIN_HUB_TOKEN_LENGTH || /\s/.test(token)) {
    throw new Error(`hub server: the token must be at least ${MIN_HUB_TOKEN_LENGTH} characters without whitespace`);
  }
  let port = 0;
  const guarded = createGuardedServer({
    label: 'hub server',
    maxBodyBytes: options.maxBodyBytes ?? 16 * 1024,
    requestTimeoutMs: options.requestTimeoutMs ?? 5000,
    maxConnections: options.maxConnections ?? 128,
    log,
    handle: (req, res) => dispatch(req, res), // no route takes a body
  });

  async function dispatch(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const hosts = hostsFor(HOST, port);
    const refusal = checkHostAndOrigin(req, hosts, originsFor(hosts));
    if (refusal) return reply(res, refusal.code, { error: refusal.error });
    const pathname = strictPath(req.url ?? '');
    if (pathname === undefined) return reply(res, 400, { error: 'malformed request path' });
    const route = Object.prototype.hasOwnProperty.call(ROUTES, pathname) ? ROUTES[pathname] : undefined;
    if (!route) return reply(res, 404, { error: 'not found' });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return reply(res, 405, { error: 'method not allowed' }, { Allow: ALLOW });
    }
    if (route === 'root') return reply(res, 200, { service: 'hubkeeper-hub' });
    if (route === 'health') return reply(res, 200, { ok: true });

    const bearer = bearerToken(req);
    if (bearer === undefined) {
      return reply(res, 401, { error: 'bearer token required' }, { 'WWW-Authenticate': 'Bearer realm="hubkeeper-hub"' });
    }
    if (!tokensEqual(bearer, token)) return reply(res, 403, { error: 'invalid token' });
    let body: string;
    try {
      body = JSON.stringify((await status()) ?? null);
    } catch (err) {
      // The reason goes to our log, not to the client: it may describe internals.
      log?.(`hub server: status failed: ${(err as Error)?.message ?? String(err)}`);
      return reply(res, 500, { error: 'status unavailable' });
    }
    return send(res, 200, body);
  }

  port = await guarded.listen(HOST, 0);
  log?.(`hub server listening on http://${HOST}:${port}`);
  return { url: `http://${HOST}:${port}`, port, close: () => guarded.close() };
}

/** The path of an origin-form target, or undefined for anything that needs interpreting. */
function strictPath(target: string): string | undefined {
  if (!target.startsWith('/')) return undefined; // absolute-form, authority-form, '*'
  const query = target.indexOf('?');
  const pathname = query === -1 ? target : target.slice(0, query);
  if (pathname === '/') return pathname;
  if (!SAFE_PATH_CHARS.test(pathname)) return undefined; // percent-encoding, backslashes, ...
  const segments = pathname.slice(1).split('/');
  const odd = segments.some((s, i) => s === '.' || s === '..' || (s === '' && i < segments.length - 1));
  return odd ? undefined : pathname;
}
