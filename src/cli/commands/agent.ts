import { agentLockPath, describeHolder, readAgentLockHolder, tryAgentLock } from '../../core/agent/agent-lock';
import { LabClient } from '../../core/agent/lab-client';
import { StationAgent } from '../../core/agent/station-agent';
import { readTokenFile } from '../../core/auth/token-file';
import { HubkeeperError } from '../../core/errors/hubkeeper-error';
import { stationProblem } from '../../core/lab/lab-keys';
import { isRemoteKind, RemoteKind, REMOTE_KINDS } from '../../core/lab/fleet-store';
import { LeaseHolder } from '../../core/lease-holder/lease-holder';
import { DEFAULT_HEARTBEAT_MS } from '../../core/defaults';
import { hostName } from '../../core/processes/host-name';
import { ComponentRegistry } from '../../core/registry/component-registry';
import { expectPositionals, parseSeconds, ParsedArgs, UsageError } from '../args';
import { CliContext, discover, hubEnv, hubsOptions, printJson, trustsGroupWritable } from '../context';
import { labTokenFile, labUrls } from './lab-options';

/**
 * `hubkeeper agent`: runs this station's agent in the foreground until Ctrl-C (see
 * core/agent/station-agent.ts). Exit 0 when stopped, 1 when a newer agent of the same station
 * replaced it.
 */
export async function agentCommand(ctx: CliContext, args: ParsedArgs): Promise<number> {
  expectPositionals(args, []);
  const o = args.options;
  const urls = labUrls(ctx, o.lab);
  const station = typeof o.station === 'string' ? o.station : hostName(ctx.env);
  const problem = stationProblem(station);
  if (problem) throw new UsageError(`--station '${station}': ${problem}`);
  const allow = parseAllow(o['allow-remote']);
  const heartbeatMs = o.heartbeat === undefined ? DEFAULT_HEARTBEAT_MS : parseSeconds(String(o.heartbeat), '--heartbeat') * 1000;
  if (heartbeatMs < 100) throw new UsageError('--heartbeat must be at least 0.1 seconds');
  const tokenFile = labTokenFile(ctx, o['token-file']);
  let token: string;
  try {
    token = await readTokenFile(tokenFile, 'the station token');
  } catch (err) {
    throw new HubkeeperError((err as Error).message, 'io');
  }

  const found = discover(ctx);
  // Leases are judged as this station: a lock whose holder_host is the station is a process of this machine.
  const registry = new ComponentRegistry(found.path, {
    trustGroupWritable: trustsGroupWritable(ctx),
    holder: new LeaseHolder({ hostname: station }),
  });
  const lab = new LabClient(urls, token);
  const agent = new StationAgent({
    lab,
    station,
    registry,
    found,
    hubs: hubsOptions(ctx),
    heartbeatMs,
    allow,
    log: (line) => ctx.out.err(line),
    onIncarnation: (incarnation, epoch) => {
      if (ctx.json)
        printJson(ctx, {
          station,
          incarnation,
          epoch,
          lab: lab.url.origin,
          pid: process.pid,
          allow_remote: allow,
          heartbeat_ms: heartbeatMs,
        });
      else
        ctx.out.out(
          `agent for station ${station}: incarnation ${incarnation} (epoch ${epoch}) on ${lab.url.origin}; heartbeat ${heartbeatMs / 1000} s; remote actions allowed: ${allow.join(', ') || 'none'}`,
        );
    },
  });
  ctx.out.err(`agent for station ${station} (pid ${process.pid}) starting; registry ${found.path}; Ctrl-C stops it`);
  // The seat editor windows look for (agent-seat.ts): held, no window starts a second agent. Run
  // by hand while another holds it, this one runs anyway (the lab keeps the newest incarnation).
  const lockPath = agentLockPath(hubEnv(ctx));
  const seat = await tryAgentLock(lockPath, { by: 'cli', station }).catch(() => undefined);
  if (!seat)
    ctx.out.err(`${lockPath}: held by ${describeHolder(await readAgentLockHolder(lockPath))}; this agent replaces its incarnation`);
  agent.start();

  const onSignal = () => void agent.stop();
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const why = await agent.ended;
  await seat?.release();
  clearInterval(keepAlive);
  process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  if (why === 'stopped') return 0;
  throw new HubkeeperError(`station ${station}: ${why}; this agent stops`, 'refused');
}

function parseAllow(value: unknown): RemoteKind[] {
  if (value === undefined) return [];
  const kinds = String(value)
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  for (const k of kinds)
    if (!isRemoteKind(k)) throw new UsageError(`--allow-remote '${k}': expected some of ${REMOTE_KINDS.join(', ')} (comma-separated)`);
  return [...new Set(kinds)] as RemoteKind[];
}
