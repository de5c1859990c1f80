import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { CLI, exited, tempDir, track, waitFor, waitForLine } from './helpers';

/** Real `hubkeeper lab serve` replicas for the lab tests, and a small JSON client for them. */

export interface Replica {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the replica wrote to stderr so far. */
  log(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface ReplicaOptions {
  redisUrl: string;
  tokenFile: string;
  fleet?: string;
  leaseTtl?: number;
  extra?: string[];
  env?: NodeJS.ProcessEnv;
  listen?: string;
}

/** A token file made the way `lab serve` would (0600, 64 hex digits), so every replica shares it. */
const root = tempDir('hubkeeper-lab-'); // at import: see test/support/redis.ts

/** A fresh directory under this file's temp root; safe to call from before() hooks. */
export function labDir(prefix: string): string {
  return fs.mkdtempSync(path.join(root, prefix));
}

export function labTokenFile(dir = labDir('token-')): { file: string; token: string } {
  const token = randomBytes(32).toString('hex');
  const file = path.join(dir, 'lab.token');
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { file, token };
}

export async function startReplica(o: ReplicaOptions): Promise<Replica> {
  const args = [
    CLI,
    'lab',
    'serve',
    '--redis',
    o.redisUrl,
    '--listen',
    o.listen ?? '127.0.0.1:0',
    '--token-file',
    o.tokenFile,
    ...(o.fleet ? ['--fleet', o.fleet] : []),
    ...(o.leaseTtl ? ['--lease-ttl', String(o.leaseTtl)] : []),
    ...(o.extra ?? []),
  ];
  const child = track(
    spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...o.env } }),
  );
  let stderr = '';
  child.stderr?.on('data', (c) => (stderr += c));
  const line = await waitForLine(child, /listening on http:\/\/\S+/);
  const url = /listening on (http:\/\/[^\s]+)/.exec(line)?.[1] as string;
  return {
    url,
    port: Number(new URL(url).port),
    child,
    log: () => stderr,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited(child);
    },
  };
}

export interface JsonReply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export async function lab(
  base: string,
  method: string,
  route: string,
  token?: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonReply> {
  const res = await fetch(new URL(route, base), {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

export async function healthOf(base: string): Promise<number> {
  try {
    return (await lab(base, 'GET', '/health')).status;
  } catch {
    return 0;
  }
}

export function untilHealth(base: string, status: number, what = `${base}/health = ${status}`): Promise<boolean> {
  return waitFor(async () => (await healthOf(base)) === status, what);
}
