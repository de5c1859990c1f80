import * as http from 'node:http';
import * as https from 'node:https';

/**
 * The station agent's HTTP client for the lab: JSON in and out, a bearer token, and several
 * replica URLs tried in turn, so one replica going away only moves the agent to the next. A
 * network failure or a 503 (the replica cannot reach Redis) is `LabUnreachable`: the agent backs
 * off and retries; any other answer is returned as it is, for the caller to judge.
 */

export class LabUnreachable extends Error {}

export interface LabAnswer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** Whatever answers at the lab's URL sends no more than this (a fleet list, a station's state). */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

export class LabClient {
  private current = 0;
  private closed = false;
  private readonly agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 4 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 4 }),
  };

  constructor(
    readonly urls: readonly URL[],
    private readonly token: string,
  ) {
    if (urls.length === 0) throw new Error('no lab URL');
  }

  get url(): URL {
    return this.urls[this.current];
  }

  /** One request; moves on to the next replica when this one is unreachable. */
  async call(method: string, route: string, body?: unknown, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<LabAnswer> {
    // A closed client (after Disconnect, or a new URL or token) never sends its token again, even
    // for a caller still holding it: a destroyed http.Agent would happily open new sockets.
    if (this.closed) throw new LabUnreachable(`${this.url.origin}: this connection was closed`);
    let last: Error | undefined;
    for (let i = 0; i < this.urls.length; i++) {
      const index = (this.current + i) % this.urls.length;
      try {
        const answer = await this.once(this.urls[index], method, route, body, timeoutMs);
        if (answer.status === 503) throw new LabUnreachable(`${this.urls[index].origin}: HTTP 503: ${answer.body?.error ?? 'unavailable'}`);
        this.current = index;
        return answer;
      } catch (err) {
        last =
          err instanceof LabUnreachable
            ? err
            : new LabUnreachable(`${this.urls[index].origin}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    }
    throw last as Error;
  }

  close(): void {
    this.closed = true;
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private once(base: URL, method: string, route: string, body: unknown, timeoutMs: number): Promise<LabAnswer> {
    const url = new URL(route, base);
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const secure = url.protocol === 'https:';
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request(url, {
        method,
        agent: secure ? this.agents.https : this.agents.http,
        headers: {
          Authorization: `Bearer ${this.token}`,
          Accept: 'application/json',
          ...(data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {}),
        },
        timeout: timeoutMs,
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let length = 0;
        res.on('data', (c: Buffer) => {
          length += c.length;
          if (length > MAX_ANSWER_BYTES) req.destroy(new Error(`the answer is larger than ${MAX_ANSWER_BYTES} bytes; not read`));
          else chunks.push(c);
        });
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null });
          } catch {
            reject(new Error(`HTTP ${res.statusCode} with a body that is not JSON; is this a Hubkeeper lab?`));
          }
        });
      });
      req.end(data);
    });
  }
}
