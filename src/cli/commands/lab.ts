import { stationProblem } from '../../core/lab/lab-keys';
import { expectPositionals, ParsedArgs, UsageError } from '../args';
import { CliContext, printJson } from '../context';
import { safe, table } from '../output';
import { labCall } from './lab-options';

/**
 * `lab status|entries|conflicts|token create|token revoke`: thin clients of a running lab
 * (any replica), authenticated with the lab token. `--json` prints the lab's answer as it is:
 * those shapes are documented in the README and only ever gain fields.
 */

interface LockShape {
  holder_host: string;
  holder_pid: number;
  expires_at: string;
  fencing_token: number;
}
interface EntryShape {
  name: string;
  id: string;
  component_type: string;
  lock: LockShape | null;
  conflicts: unknown[];
}
interface ConflictShape {
  name: string;
  lab_id: string;
  offered_id: string;
  host: string | null;
  pid: number | null;
  station: string | null;
  at: string;
}
interface ReplicaShape {
  instance: string;
  host: string;
  pid: number;
  url: string;
  seen_at: string;
  alive: boolean;
}

export async function labStatusCommand(ctx: CliContext, args: ParsedArgs): Promise<number> {
  expectPositionals(args, []);
  const { body } = await labCall(ctx, args.options, 'GET', '/lab/status');
  if (ctx.json) return (printJson(ctx, body), 0);
  const redis = body.redis as { url: string; version: string; used_memory_bytes: number; aof_enabled: boolean };
  const counts = body.counts as Record<string, number>;
  const replicas = body.replicas as ReplicaShape[];
  const c = ctx.out.color;
  ctx.out.out(
    `${c.bold('Lab')} fleet ${safe(String(body.fleet))} · lease TTL ${body.lease_ttl_seconds} s · server time ${body.server_time}`,
  );
  ctx.out.out(
    `Redis ${safe(redis.url)} · version ${redis.version} · ${(redis.used_memory_bytes / 1048576).toFixed(1)} MiB used · AOF ${redis.aof_enabled ? 'on' : c.yellow('off (a restart loses recent writes)')}`,
  );
  ctx.out.out(
    `${counts.entries} entries · ${counts.conflicted_names} names with conflicts · ${counts.stations} stations with state · ${counts.station_tokens} station tokens`,
  );
  ctx.out.out('');
  const rows = replicas.map((r) => [
    r.alive ? c.green('serving') : c.dim('gone'),
    safe(r.url),
    safe(r.host),
    String(r.pid),
    r.seen_at,
    r.instance,
  ]);
  for (const line of table(['REPLICA', 'URL', 'HOST', 'PID', 'SEEN', 'INSTANCE'], rows, c)) ctx.out.out(line);
  return 0;
}

export async function labEntriesCommand(ctx: CliContext, args: ParsedArgs): Promise<number> {
  expectPositionals(args, []);
  const { body } = await labCall(ctx, args.options, 'GET', '/registry/entries');
  if (ctx.json) return (printJson(ctx, body), 0);
  const entries = body.entries as EntryShape[];
  if (entries.length === 0) return (ctx.out.out('The lab registry has no entries yet.'), 0);
  const c = ctx.out.color;
  const rows = entries.map((e) => [
    safe(e.name),
    e.id,
    e.component_type,
    e.lock ? `${safe(e.lock.holder_host)} (PID ${e.lock.holder_pid}) until ${e.lock.expires_at}` : c.dim('free'),
    e.lock ? String(e.lock.fencing_token) : '',
    e.conflicts.length ? c.red(String(e.conflicts.length)) : '',
  ]);
  for (const line of table(['NAME', 'ID', 'TYPE', 'LAB LOCK', 'FENCE', 'CONFLICTS'], rows, c)) ctx.out.out(line);
  return 0;
}

export async function labConflictsCommand(ctx: CliContext, args: ParsedArgs): Promise<number> {
  expectPositionals(args, []);
  const { body } = await labCall(ctx, args.options, 'GET', '/lab/conflicts');
  if (ctx.json) return (printJson(ctx, body), 0);
  const conflicts = body.conflicts as ConflictShape[];
  if (conflicts.length === 0) return (ctx.out.out('No conflicts: every machine that told the lab about a name gave the same id.'), 0);
  const rows = conflicts.map((k) => [
    safe(k.name),
    k.lab_id,
    k.offered_id,
    safe(k.host ?? '?'),
    k.pid === null ? '?' : String(k.pid),
    safe(k.station ?? '(lab token)'),
    k.at,
  ]);
  for (const line of table(['NAME', 'LAB ID', 'OFFERED ID', 'HOST', 'PID', 'STATION', 'AT'], rows, ctx.out.color)) ctx.out.out(line);
  return 0;
}

export async function labTokenCreateCommand(ctx: CliContext, args: ParsedArgs): Promise<number> {
  const station = stationArg(args);
  const { body } = await labCall(ctx, args.options, 'POST', `/lab/stations/${encodeURIComponent(station)}/tokens`);
  if (ctx.json) return (printJson(ctx, body), 0);
  // The token alone on stdout, so `TOKEN=$(hubkeeper lab token create pc-01)` works.
  ctx.out.out(String(body.token));
  ctx.out.err(`token ${body.token_id} for station ${station}: give it to that station only; it is not shown again`);
  return 0;
}

export async function labTokenRevokeCommand(ctx: CliContext, args: ParsedArgs): Promise<number> {
  const station = stationArg(args);
  const { body } = await labCall(ctx, args.options, 'DELETE', `/lab/stations/${encodeURIComponent(station)}/tokens`);
  if (ctx.json) return (printJson(ctx, body), 0);
  const n = Number(body.revoked);
  ctx.out.out(n === 0 ? `station ${station} had no live tokens` : `revoked ${n} token${n === 1 ? '' : 's'} of station ${station}`);
  return 0;
}

function stationArg(args: ParsedArgs): string {
  const [station] = expectPositionals(args, ['station']);
  const problem = stationProblem(station);
  if (problem) throw new UsageError(`'${station}': ${problem}`);
  return station;
}
