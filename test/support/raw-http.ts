import * as net from 'node:net';

/**
 * Raw HTTP over TCP, for requests node:http or fetch would refuse to send (foreign Host headers,
 * repeated headers, slowloris drips). The same approach as test/reliability/hub-endpoint.test.ts.
 */

export interface Raw {
  text: string;
  /** Status of the first response, 0 if none. */
  status: number;
  /** Body of the first response. */
  body: string;
  /** The server closed the connection (rather than our hang guard). */
  closed: boolean;
  ms: number;
}

export function raw(port: number, data: string, opts: { drip?: string; dripMs?: number; guardMs?: number } = {}): Promise<Raw> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let guardFired = false;
    let dripper: NodeJS.Timeout | undefined;
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1', () => {
      if (data) socket.write(data);
      if (opts.drip) {
        let i = 0;
        const drip = opts.drip;
        dripper = setInterval(() => socket.writable && socket.write(drip[i++ % drip.length]), opts.dripMs ?? 200);
      }
    });
    const guard = setTimeout(() => {
      guardFired = true;
      socket.destroy();
    }, opts.guardMs ?? 15_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(guard);
      clearInterval(dripper);
      const text = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3}) /.exec(text)?.[1] ?? 0);
      const headEnd = text.indexOf('\r\n\r\n');
      const length = Number(/\r\nContent-Length: (\d+)\r\n/i.exec(text)?.[1] ?? 0);
      resolve({ text, status, body: headEnd === -1 ? '' : text.slice(headEnd + 4, headEnd + 4 + length), closed: !guardFired, ms: Date.now() - started });
    });
  });
}

/** A complete request with its own Host line (or none) and Connection: close. */
export function request(method: string, target: string, host: string | undefined, extra: string[] = [], body = ''): string {
  const lines = [`${method} ${target} HTTP/1.1`, ...(host === undefined ? [] : [`Host: ${host}`]), ...extra, ...(body ? [`Content-Length: ${Buffer.byteLength(body)}`] : []), 'Connection: close'];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}
