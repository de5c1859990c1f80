import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { connectRedis, LabRedis, parseRedisUrl, untilReady } from '../src/core/lab/redis-connection';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');

/**
 * How a benchmark that starts servers ends, whatever happens: the failure reported, every child it
 * started killed, its temp directory removed, and the process ended (a Redis client or a server
 * socket left open must not keep `npm run bench` waiting).
 */
export function runBench(label: string, main: () => Promise<void>, cleanup: { children: ChildProcess[]; dir: string }): void {
  main()
    .catch((err) => {
      console.error(`${label} bench failed: ${err?.stack ?? err}`);
      process.exitCode = 1;
    })
    .finally(() => {
      for (const c of cleanup.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      setTimeout(() => {
        fs.rmSync(cleanup.dir, { recursive: true, force: true });
        process.exit();
      }, 300);
    });
}

/** A private lab for a benchmark: a redis-server (loopback, random port, a password) and two `lab serve` replicas. */
export interface BenchLab {
  url: string;
  redis: LabRedis;
  token: string;
  tokenFile: string;
  /** The replicas' base URLs, each answering /health with 200. */
  replicas: string[];
}

export async function startBenchLab(cleanup: { children: ChildProcess[]; dir: string }, serveArgs: string[]): Promise<BenchLab> {
  const { children, dir } = cleanup;
  const password = randomBytes(16).toString('hex');
  // A free port from the OS (redis-server's --port 0 would turn TCP off).
  const port = await new Promise<number>((resolve) => {
    const s = http.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  children.push(
    spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--requirepass', password],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    ),
  );
  const url = `redis://:${password}@127.0.0.1:${port}`;
  const redis = connectRedis(parseRedisUrl(url));
  await untilReady(redis, 20_000);
  const tokenFile = path.join(dir, 'lab.token');
  const token = randomBytes(32).toString('hex');
  fs.writeFileSync(tokenFile, token, { mode: 0o600 });
  const replicas: string[] = [];
  for (let i = 0; i < 2; i++) {
    const child = spawn(
      process.execPath,
      [CLI, 'lab', 'serve', '--redis', url, '--listen', '127.0.0.1:0', '--token-file', tokenFile, ...serveArgs],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    children.push(child);
    replicas.push((await listeningOn(child)).replace(/\/$/, ''));
  }
  for (const r of replicas) {
    while (
      (await fetch(`${r}/health`).then(
        (x) => x.status,
        () => 0,
      )) !== 200
    )
      await new Promise((res) => setTimeout(res, 50));
  }
  return { url, redis, token, tokenFile, replicas };
}

function listeningOn(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (c) => {
      buf += c;
      const m = /listening on (http:\/\/\S+)/.exec(buf);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`lab serve exited ${code}: ${buf}`)));
  });
}
