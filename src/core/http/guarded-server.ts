import * as http from 'node:http';
import type { Socket } from 'node:net';

/**
 * The request hygiene shared by Hubkeeper's HTTP endpoints (the workspace hub and the lab
 * registry): timeouts that cut slow clients, a body cap that answers 413 and hangs up, JSON
 * answers for malformed requests, and a close() that does not wait for keep-alive sockets.
 * What a request may do is the caller's business: `handle` gets the whole (capped) body.
 */

export interface GuardedServerOptions {
  /** The body cap, or one per request (a route that takes bigger bodies). */
  maxBodyBytes: number | ((req: http.IncomingMessage) => number);
  requestTimeoutMs: number;
  handle: (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => Promise<void>;
  /** Prefix of log lines (`hub server`, `lab server`). */
  label: string;
  /** Connections open at once; more are closed on arrival, so a flood cannot exhaust descriptors. */
  maxConnections: number;
  log?: (line: string) => void;
}

export interface GuardedServer {
  server: http.Server;
  listen(host: string, port: number): Promise<number>;
  close(): Promise<void>;
}

export const JSON_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

export function createGuardedServer(options: GuardedServerOptions): GuardedServer {
  const { requestTimeoutMs: timeoutMs, handle, label, log } = options;
  const capOf = typeof options.maxBodyBytes === 'number' ? () => options.maxBodyBytes as number : options.maxBodyBytes;
  const server = http.createServer({
    requestTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    // Node checks those timeouts only every connectionsCheckingInterval (30 s by default).
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(timeoutMs / 2))),
    maxHeaderSize: 8 * 1024,
  });
  server.maxHeadersCount = 32;
  server.maxConnections = options.maxConnections;

  // Own the socket list: close() must not wait for keep-alive or half-sent requests.
  const sockets = new Set<Socket>();
  const busy = new WeakMap<Socket, number>(); // responses under way per socket (pipelining)
  // Sockets answered 413 and about to close. Node still parses and emits requests pipelined
  // behind the refused one (their 'end' can even come before the refused body's 'data'), and none
  // of them may run: the client was told this connection is over.
  const refused = new WeakSet<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  // Malformed requests and slow clients: answer in JSON like everything else, then hang up.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || (busy.get(socket) ?? 0) > 0) return void socket.destroy();
    const [code, text] =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request timeout']
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'request headers too large']
          : [400, 'bad request'];
    const body = JSON.stringify({ error: text });
    const head = Object.entries({ ...JSON_HEADERS, 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
    socket.end(`HTTP/1.1 ${code} ${http.STATUS_CODES[code]}\r\n${head.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`, () =>
      socket.destroy(),
    );
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
    // Read (and cap) whatever comes, even where no route takes a body, so keep-alive stays in step.
    const maxBodyBytes = capOf(req);
    if (Number(req.headers['content-length'] ?? 0) > maxBodyBytes) return tooLarge();
    const chunks: Buffer[] = [];
    let received = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (over) return;
      if (received > maxBodyBytes) {
        over = true;
        chunks.length = 0;
        req.pause();
        tooLarge();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (over || refused.has(socket)) return;
      handle(req, res, Buffer.concat(chunks)).catch((err) => {
        log?.(`${label}: ${(err as Error)?.message ?? String(err)}`);
        reply(res, 500, { error: 'internal error' });
      });
    });
  });

  let closing: Promise<void> | undefined;
  return {
    server,
    async listen(host, port) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      server.on('error', (err) => log?.(`${label}: ${err.message}`));
      return (server.address() as { port: number }).port;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

export function reply(res: http.ServerResponse, code: number, body: { [key: string]: unknown }, extra: Record<string, string> = {}): void {
  send(res, code, JSON.stringify(body), extra);
}

export function send(res: http.ServerResponse, code: number, text: string, extra: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(code, { ...JSON_HEADERS, 'Content-Length': String(Buffer.byteLength(text)), ...extra });
  res.end(text); // Node drops the body itself for HEAD
}

/** How often a header appears. Node keeps only the first of repeated Host/Origin/Authorization. */
export function headerCount(req: http.IncomingMessage, name: string): number {
  let n = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i].toLowerCase() === name) n++;
  return n;
}

export interface Refusal {
  code: number;
  error: string;
}

/**
 * DNS rebinding and cross-site requests: a hostile name resolving to our address still sends its
 * own name as Host, and a web page sends its own Origin. Repeats are refused outright.
 */
export function checkHostAndOrigin(
  req: http.IncomingMessage,
  allowedHosts: readonly string[],
  allowedOrigins: readonly string[],
): Refusal | undefined {
  const host = req.headers.host?.toLowerCase();
  if (headerCount(req, 'host') !== 1 || !host || !allowedHosts.includes(host)) return { code: 421, error: 'unexpected Host header' };
  const origins = headerCount(req, 'origin');
  if (origins > 1 || (origins === 1 && !allowedOrigins.includes(req.headers.origin ?? ''))) {
    return { code: 403, error: 'cross-origin requests are not allowed' };
  }
  return undefined;
}

/** The token of a single well-formed `Authorization: Bearer <token>` header, else undefined. */
export function bearerToken(req: http.IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth === undefined || headerCount(req, 'authorization') !== 1) return undefined;
  return /^Bearer +(\S+) *$/i.exec(auth)?.[1];
}

/** Host header values (lower case) that name `host:port`; loopback also answers to localhost. */
export function hostsFor(host: string, port: number): string[] {
  const loopback = host === '127.0.0.1' || host === '::1' || host === 'localhost';
  const named = host.includes(':') ? `[${host}]:${port}` : `${host.toLowerCase()}:${port}`;
  return loopback ? [...new Set([named, `127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`])] : [named];
}

/** Origins a browser would send for pages served from those hosts over http (never [::1]). */
export function originsFor(hosts: readonly string[], scheme = 'http'): string[] {
  return hosts.filter((h) => !h.startsWith('[')).map((h) => `${scheme}://${h}`);
}
