import * as http from 'node:http';
import type { Socket } from 'node:net';
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
  /** Connections open at once; more are closed on arrival so a flood cannot exhaust descriptors (default 128). */
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
const HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};
const ROUTES: Record<string, 'root' | 'health' | 'status'> = { '/': 'root', '/health': 'health', '/v1/status': 'status' };
const ALLOW = 'GET, HEAD';
const SAFE_PATH_CHARS = /^[A-Za-z0-9._~/-]+$/; // no '%', '\', ';' ... nothing our routes need

export async function startHubServer(options: HubServerOptions): Promise<HubServer> {
  const { token, status, log } = options;
  if (typeof token !== 'string' || token.length < MIN_HUB_TOKEN_LENGTH || /\s/.test(token)) {
    throw new Error(`hub server: the token must be at least ${MIN_HUB_TOKEN_LENGTH} characters without whitespace`);
  }
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024;
  const timeoutMs = options.requestTimeoutMs ?? 5000;
  const server = http.createServer({
    requestTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    // Node checks those timeouts only every connectionsCheckingInterval (30 s by default).
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(timeoutMs / 2))),
    maxHeaderSize: 8 * 1024,
  });
  server.maxHeadersCount = 32;
  server.maxConnections = options.maxConnections ?? 128;

  let port = 0;
  const allowedHosts = () => [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
  const allowedOrigins = () => [`http://127.0.0.1:${port}`, `http://localhost:${port}`];

  // Own the socket list: close() must not wait for keep-alive or half-sent requests.
  const sockets = new Set<Socket>();
  const busy = new WeakMap<Socket, number>(); // responses under way per socket (pipelining)
  // Sockets answered 413 and about to close. Node still parses and emits requests pipelined
  // behind the refused one (their 'end' can even come before the refused body's 'data'), and none
  // of them may run: the client was told this connection is over, and status() must not be called.
  const refused = new WeakSet<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  // Malformed requests and slow clients: answer in JSON like everything else, then hang up.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || (busy.get(socket) ?? 0) > 0) return void socket.destroy();
    const [code, text] =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'request timeout']
      : err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'request headers too large']
      : [400, 'bad request'];
    const body = JSON.stringify({ error: text });
    const head = Object.entries({ ...HEADERS, 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
    socket.end(`HTTP/1.1 ${code} ${http.STATUS_CODES[code]}\r\n${head.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`, () => socket.destroy());
    setTimeout(() => socket.destroy(), timeoutMs).unref(); // a client that never reads our answer
  });

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const socket = req.socket;
    busy.set(socket, (busy.get(socket) ?? 0) + 1);
    res.once('close', () => busy.set(socket, (busy.get(socket) ?? 1) - 1));
    req.on('error', () => undefined); // aborted by the client: nothing to answer
    if (refused.has(socket)) return void req.resume(); // closed with the 413 that went before

    const tooLarge = () => {
      refused.add(socket);
      reply(res, 413, { error: 'request body too large' }, { Connection: 'close' });
      res.once('finish', () => socket.destroy());
    };
    // No route takes a body; read (and cap) whatever comes so keep-alive stays in step.
    if (Number(req.headers['content-length'] ?? 0) > maxBodyBytes) return tooLarge();
    let received = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBodyBytes && !over) {
        over = true;
        req.pause();
        tooLarge();
      }
    });
    req.on('end', () => {
      if (over || refused.has(socket)) return;
      dispatch(req, res).catch((err) => {
        log?.(`hub server: ${(err as Error).message}`);
        reply(res, 500, { error: 'internal error' });
      });
    });
  });

  async function dispatch(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // DNS rebinding: a hostile name resolving to 127.0.0.1 still sends its own name as Host.
    // Node keeps only the first of duplicated Host/Origin/Authorization headers, so refuse repeats.
    const host = req.headers.host?.toLowerCase();
    if (count(req, 'host') !== 1 || !host || !allowedHosts().includes(host)) {
      return reply(res, 421, { error: 'unexpected Host header' });
    }
    const origins = count(req, 'origin');
    if (origins > 1 || (origins === 1 && !allowedOrigins().includes(req.headers.origin ?? ''))) {
      return reply(res, 403, { error: 'cross-origin requests are not allowed' });
    }
    const pathname = strictPath(req.url ?? '');
    if (pathname === undefined) return reply(res, 400, { error: 'malformed request path' });
    const route = Object.prototype.hasOwnProperty.call(ROUTES, pathname) ? ROUTES[pathname] : undefined;
    if (!route) return reply(res, 404, { error: 'not found' });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return reply(res, 405, { error: 'method not allowed' }, { Allow: ALLOW });
    }
    if (route === 'root') return reply(res, 200, { service: 'hubkeeper-hub' });
    if (route === 'health') return reply(res, 200, { ok: true });

    const auth = req.headers.authorization;
    const bearer = auth === undefined || count(req, 'authorization') !== 1 ? undefined : /^Bearer +(\S+) *$/i.exec(auth);
    if (!bearer) {
      return reply(res, 401, { error: 'bearer token required' }, { 'WWW-Authenticate': 'Bearer realm="hubkeeper-hub"' });
    }
    if (!tokensEqual(bearer[1], token)) return reply(res, 403, { error: 'invalid token' });
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

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: HOST, port: 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log?.(`hub server: ${err.message}`));
  port = (server.address() as { port: number }).port;
  log?.(`hub server listening on http://${HOST}:${port}`);

  let closing: Promise<void> | undefined;
  return {
    url: `http://${HOST}:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

function reply(res: http.ServerResponse, code: number, body: { [key: string]: unknown }, extra: Record<string, string> = {}): void {
  send(res, code, JSON.stringify(body), extra);
}

function send(res: http.ServerResponse, code: number, text: string, extra: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(code, { ...HEADERS, 'Content-Length': String(Buffer.byteLength(text)), ...extra });
  res.end(text); // Node drops the body itself for HEAD
}

function count(req: http.IncomingMessage, name: string): number {
  let n = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i].toLowerCase() === name) n++;
  return n;
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
