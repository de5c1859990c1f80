import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import { readTokenFile } from '../../core/auth/token-file';
import { UsageError } from '../args';
import { HubkeeperError } from '../../core/errors/hubkeeper-error';
import { CliContext } from '../context';

/**
 * Where the lab commands find the lab and its token, and the small HTTP client they talk to it
 * with. `--lab URL` (or HUBKEEPER_LAB_URL) and `--token-file FILE` (or HUBKEEPER_LAB_TOKEN_FILE,
 * default ~/.hubkeeper/lab.token, the file `lab serve` creates).
 */

export const DEFAULT_FLEET = 'lab';
const REQUEST_TIMEOUT_MS = 10_000;

export function labTokenFile(ctx: CliContext, option: unknown): string {
  if (typeof option === 'string') return path.resolve(ctx.cwd, option);
  if (ctx.env.HUBKEEPER_LAB_TOKEN_FILE) return path.resolve(ctx.cwd, ctx.env.HUBKEEPER_LAB_TOKEN_FILE);
  const home = ctx.env.HUBKEEPER_HOME ? path.resolve(ctx.cwd, ctx.env.HUBKEEPER_HOME) : path.join(ctx.home, '.hubkeeper');
  return path.join(home, 'lab.token');
}

/** `--lab URL[,URL…]`: the replicas, tried in turn (the agent's failover). */
export function labUrls(ctx: CliContext, option: unknown): URL[] {
  const text = typeof option === 'string' ? option : ctx.env.HUBKEEPER_LAB_URL;
  if (!text) return [labUrl(ctx, option)];
  return text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => labUrl(ctx, t));
}

function labUrl(ctx: CliContext, option: unknown): URL {
  const text = typeof option === 'string' ? option.split(',')[0] : ctx.env.HUBKEEPER_LAB_URL?.split(',')[0];
  if (!text) throw new UsageError('--lab URL is required (or set HUBKEEPER_LAB_URL), e.g. --lab http://127.0.0.1:8750');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--lab '${text}': not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--lab '${text}': expected http:// or https://`);
  return url;
}

export interface LabReply {
  status: number;
  body: Record<string, unknown>;
}

/** One authenticated request; any answer but 2xx becomes a one-line HubkeeperError naming the URL. */
export async function labCall(
  ctx: CliContext,
  options: Record<string, unknown>,
  method: string,
  route: string,
  body?: unknown,
): Promise<LabReply> {
  const base = labUrl(ctx, options.lab);
  const tokenFile = labTokenFile(ctx, options['token-file']);
  let token: string;
  try {
    token = await readTokenFile(tokenFile, 'the lab token');
  } catch (err) {
    throw new HubkeeperError((err as Error).message, 'io');
  }
  const url = new URL(route, base);
  const where = `${url.origin}${url.pathname}`;
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const reply = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).request(url, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: 'application/json',
        ...(data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {}),
      },
      timeout: REQUEST_TIMEOUT_MS,
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('no answer'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.end(data);
  }).catch((err: NodeJS.ErrnoException) => {
    const why =
      err.code === 'ECONNREFUSED'
        ? 'connection refused (is `hubkeeper lab serve` running there?)'
        : err.code === 'ETIMEDOUT'
          ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`
          : (err.code ?? err.message);
    throw new HubkeeperError(`${where}: ${why}`, 'io');
  });
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(reply.text) as Record<string, unknown>;
  } catch {
    throw new HubkeeperError(`${where}: HTTP ${reply.status} with a body that is not JSON; is this a Hubkeeper lab?`, 'refused');
  }
  if (reply.status < 200 || reply.status > 299) {
    throw new HubkeeperError(
      `${where}: HTTP ${reply.status}: ${typeof parsed.error === 'string' ? parsed.error : 'refused'}`,
      reply.status === 409 ? 'held' : reply.status === 404 ? 'not-found' : 'refused',
    );
  }
  return { status: reply.status, body: parsed };
}
