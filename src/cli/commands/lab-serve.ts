import { ensureTokenFile } from '../../core/auth/token-file';
import { fleetProblem } from '../../core/lab/lab-keys';
import { startLabServer } from '../../core/lab/lab-server';
import { connectRedis, parseRedisUrl, RedisUrlError } from '../../core/lab/redis-connection';
import { DEFAULT_LEASE_TTL_MS } from '../../core/leases/lease-rules';
import { hostName } from '../../core/processes/host-name';
import { expectPositionals, ParsedArgs, UsageError } from '../args';
import { HubkeeperError } from '../../core/errors/hubkeeper-error';
import { CliContext, printJson } from '../context';
import { DEFAULT_FLEET, labTokenFile } from './lab-options';

/**
 * `lab serve`: one replica of the lab registry, in the foreground until Ctrl-C. It starts even
 * when Redis is down (and says so): /health answers 503 until Redis does, then 200.
 */
export async function labServeCommand(ctx: CliContext, args: ParsedArgs): Promise<number> {
  expectPositionals(args, []);
  const o = args.options;
  if (typeof o.redis !== 'string') throw new UsageError('--redis URL is required (redis://[user:password@]host:port[/db] or rediss://…)');
  if (typeof o.listen !== 'string') throw new UsageError('--listen HOST:PORT is required (e.g. 127.0.0.1:8750)');
  const { host, port } = parseListen(o.listen);
  const fleet = typeof o.fleet === 'string' ? o.fleet : DEFAULT_FLEET;
  const fleetWrong = fleetProblem(fleet);
  if (fleetWrong) throw new UsageError(`--fleet '${fleet}': ${fleetWrong}`);
  const ttlMs = o['lease-ttl'] === undefined ? DEFAULT_LEASE_TTL_MS : parseTtl(String(o['lease-ttl']));
  const allowHosts =
    typeof o['allow-host'] === 'string'
      ? o['allow-host']
          .split(',')
          .map((h) => h.trim())
          .filter(Boolean)
      : [];

  let target;
  try {
    target = parseRedisUrl(o.redis, ctx.env);
  } catch (err) {
    if (err instanceof RedisUrlError) throw new HubkeeperError(err.message, 'refused');
    throw err;
  }
  if (!target.password && o['insecure-redis'] !== true) {
    throw new HubkeeperError(
      `${target.display}: no password given (in the URL or HUBKEEPER_REDIS_PASSWORD); anyone who can reach that Redis could rewrite the lab registry, so this is refused unless --insecure-redis is given`,
      'refused',
    );
  }
  const tokenFile = labTokenFile(ctx, o['token-file']);
  let labToken: string;
  try {
    labToken = await ensureTokenFile(tokenFile, 'the lab token');
  } catch (err) {
    throw new HubkeeperError((err as Error).message, 'io');
  }

  const log = (line: string) => ctx.out.err(line);
  const redis = connectRedis(target, { log, name: `hubkeeper-lab-${process.pid}` });
  let server;
  try {
    server = await startLabServer({
      redis,
      redisDisplay: target.display,
      fleet,
      leaseTtlMs: ttlMs,
      labToken,
      host,
      port,
      allowHosts,
      hostName: hostName(ctx.env),
      log,
    });
  } catch (err) {
    redis.destroy();
    const e = err as NodeJS.ErrnoException;
    throw new HubkeeperError(
      `${o.listen}: ${e.code === 'EADDRINUSE' ? 'address already in use' : e.code === 'EADDRNOTAVAIL' ? 'no such address on this machine' : e.message}`,
      'io',
    );
  }
  if (ctx.json)
    printJson(ctx, { url: server.url, pid: process.pid, fleet, instance: server.instance, redis: target.display, token_file: tokenFile });
  else
    ctx.out.out(
      `lab registry (fleet ${fleet}) listening on ${server.url} (pid ${process.pid}); Redis ${target.display}; token ${tokenFile}; Ctrl-C stops it`,
    );

  return new Promise((resolve) => {
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const onSignal = () => {
      clearInterval(keepAlive);
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      void server.close().then(() => {
        redis.destroy();
        resolve(0);
      });
    };
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  });
}

function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535)
    throw new UsageError(`--listen '${text}': expected HOST:PORT (e.g. 127.0.0.1:8750, [::1]:8750; port 0 picks a free one)`);
  return { host: m[1] ?? m[2], port };
}

function parseTtl(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || n > 86400)
    throw new UsageError(`--lease-ttl '${text}': expected a number of seconds, more than 0 and at most 86400`);
  return n * 1000;
}
