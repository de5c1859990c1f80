import * as net from 'node:net';

/**
 * Raw HTTP over TCP, for requests node:http or fetch would refuse to send (foreign Host headers,
 * repeated headers, pipelining, slowloris drips). Shared by the hub endpoint's and the lab's tests.
 */

export interface Raw {
  /** Everything the server wrote. */
  text: string;
  /** Status of the first response, 0 if none. */
  status: number;
  /** The body of the first response. */
  body: string;
  /** How many responses came back (pipelining). */
  responses: number;
  /** The server closed the connection (rather than our hang guard). */
  closed: boolean;
  /** Milliseconds from connect to close. */
  ms: number;
  error?: string;
}

/**
 * Raw bytes over TCP. Optionally keeps dripping `drip` one byte every `dripMs` after `data`, the
 * way a slowloris client does, until the server hangs up or the guard fires (15 s by default).
 */
export function raw(port: number, data: string | Buffer, opts: { drip?: string; dripMs?: number; guardMs?: number } = {}): Promise<Raw> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let guardFired = false;
    let error: string | undefined;
    let dripper: NodeJS.Timeout | undefined;
    const started = process.hrtime.bigint();
    const socket = net.connect(port, '127.0.0.1', () => {
      if (data.length > 0) socket.write(data);
      if (opts.drip) {
        let i = 0;
        const drip = opts.drip;
        dripper = setInterval(() => {
          if (socket.writable) socket.write(drip[i++ % drip.length]);
        }, opts.dripMs ?? 200);
      }
    });
    const guard = setTimeout(() => {
      guardFired = true;
      socket.destroy();
    }, opts.guardMs ?? 15_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
    socket.on('close', () => {
      clearTimeout(guard);
      clearInterval(dripper);
      const text = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3}) /.exec(text)?.[1] ?? 0);
      const headEnd = text.indexOf('\r\n\r\n');
      const length = Number(/\r\nContent-Length: (\d+)\r\n/i.exec(text)?.[1] ?? 0);
      const body = headEnd === -1 ? '' : text.slice(headEnd + 4, headEnd + 4 + length);
      const responses = (text.match(/(^|\r\n|\})HTTP\/1\.1 \d{3} /g) ?? []).length;
      resolve({ text, status, body, responses, closed: !guardFired, ms: Number(process.hrtime.bigint() - started) / 1e6, error });
    });
  });
}

/** A complete request with its own Host line (or none) and Connection: close. */
export function request(
  method: string,
  target: string,
  host: string | undefined,
  extra: string[] = [],
  body = '',
  version = 'HTTP/1.1',
): string {
  const lines = [
    `${method} ${target} ${version}`,
    ...(host === undefined ? [] : [`Host: ${host}`]),
    ...extra,
    ...(body ? [`Content-Length: ${Buffer.byteLength(body)}`] : []),
    'Connection: close',
  ];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}
