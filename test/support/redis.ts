import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import { exited, tempDir, track, waitFor, which } from './helpers';

/**
 * A private, real `redis-server` for one test file: a random free loopback port, its own temp
 * dir, a random password, AOF on and RDB snapshots off (so a restart replays exactly what was
 * written), no unix socket. It is stopped when the file's tests end. Nothing here touches a Redis
 * that another test or person started.
 */

export const REDIS_SERVER = which('redis-server');
// Registered at import (top level): after() called inside a before() hook would run when that
// hook ends, killing the server before the first test.
const servers: TestRedis[] = [];
const root = tempDir('hubkeeper-redis-');
after(() => Promise.all(servers.map((s) => s.stop())));
export const SKIP_NO_REDIS = REDIS_SERVER ? false : 'redis-server is not installed (apt-get install redis-server; .ci/run does it)';

export interface TestRedis {
  port: number;
  password: string;
  /** redis://:password@127.0.0.1:port */
  url: string;
  dir: string;
  child(): ChildProcess;
  /** Runs redis-cli against it and returns stdout. */
  cli(...args: string[]): string;
  /** SHUTDOWN (the AOF is flushed), and wait for the process to exit. */
  shutdown(): Promise<void>;
  /** Start again on the same port and dir (the AOF is replayed). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(options: { password?: string; port?: number } = {}): Promise<TestRedis> {
  if (!REDIS_SERVER) throw new Error('redis-server is not installed');
  const dir = fs.mkdtempSync(path.join(root, 'r-'));
  const password = options.password ?? randomBytes(16).toString('hex');
  let port = 0;
  let proc: ChildProcess | undefined;

  const launch = async () => {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--save',
      '',
      '--daemonize',
      'no',
      '--logfile',
      path.join(dir, 'redis.log'),
      '--protected-mode',
      'yes',
    ];
    if (password) args.push('--requirepass', password);
    const child = track(spawn(REDIS_SERVER as string, args, { stdio: ['ignore', 'ignore', 'pipe'] }));
    proc = child;
    // Ready when it answers PING (the port may also be taken: then it exits and we try another).
    await waitFor(
      () => child.exitCode !== null || child.signalCode !== null || ping(port, password),
      `redis-server on port ${port}`,
      20_000,
    );
    return child.exitCode === null && child.signalCode === null;
  };

  for (let attempt = 0; ; attempt++) {
    port = options.port ?? (await freePort());
    if (await launch()) break;
    if (attempt >= 4) throw new Error(`redis-server would not start; log: ${readLog(dir)}`);
  }

  const redis: TestRedis = {
    port,
    password,
    url: password ? `redis://:${password}@127.0.0.1:${port}` : `redis://127.0.0.1:${port}`,
    dir,
    child: () => proc as ChildProcess,
    cli: (...args) =>
      execFileSync('redis-cli', ['-p', String(port), ...(password ? ['-a', password, '--no-auth-warning'] : []), ...args], {
        encoding: 'utf8',
      }),
    async shutdown() {
      const p = proc as ChildProcess;
      try {
        redis.cli('SHUTDOWN');
      } catch {
        /* the connection drops as it exits */
      }
      await exited(p);
    },
    async restart() {
      if (!(await launch())) throw new Error(`redis-server did not start again on port ${port}; log: ${readLog(dir)}`);
    },
    async stop() {
      const p = proc;
      if (p && p.exitCode === null && p.signalCode === null) {
        p.kill('SIGKILL');
        await exited(p);
      }
    },
  };
  servers.push(redis);
  return redis;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** One PING over raw RESP (AUTH first), so the helper needs no client library. */
function ping(port: number, password: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write(`${password ? `AUTH ${password}\r\n` : ''}PING\r\n`));
    socket.on('data', (c) => {
      data += c.toString();
      if (data.includes('+PONG')) done(true);
      else if (data.includes('-')) done(false); // LOADING, NOAUTH, ...
    });
  });
}

function readLog(dir: string): string {
  try {
    return fs.readFileSync(path.join(dir, 'redis.log'), 'utf8').split('\n').slice(-5).join(' | ');
  } catch {
    return '(no log)';
  }
}
