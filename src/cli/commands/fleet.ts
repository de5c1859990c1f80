import { HubkeeperError } from '../../core/errors/hubkeeper-error';
import { stationProblem } from '../../core/lab/lab-keys';
import { exitCodeOf } from '../exit-codes';
import { expectPositionals, parseSeconds, ParsedArgs, UsageError } from '../args';
import { CliContext, printJson } from '../context';
import { safe, table } from '../output';
import { labCall } from './lab-options';
import { DEFAULT_DEADLINE_MS, fileRemoteRequest, RemoteKind } from '../../core/fleet/remote-request';

/**
 * `fleet list|show|release|reap`: the stations' published states, and remote actions. A remote
 * action is a request that only the target station's agent executes, after checking the target
 * there (see core/agent/remote-actions.ts); this command names the target exactly as that station
 * published it (a lease's holder instance and acquired_at, a hub's key, pid and process start)
 * and waits for the result, unless --no-wait.
 */

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

export async function fleetListCommand(ctx: CliContext, args: ParsedArgs): Promise<number> {
  expectPositionals(args, []);
  const { body } = await labCall(ctx, args.options, 'GET', '/fleet/stations');
  if (ctx.json) return (printJson(ctx, body), 0);
  const stations = body.stations as Json[];
  if (stations.length === 0) return (ctx.out.out('No station has published anything yet (start `hubkeeper agent` on one).'), 0);
  const c = ctx.out.color;
  const paint = (h: string) => (h === 'healthy' ? c.green(h) : h === 'stale' ? c.yellow(h) : h === 'gone' ? c.red(h) : c.dim(h));
  const rows = stations.map((s) => [
    safe(s.station),
    paint(s.health),
    s.last_heartbeat ? `${s.last_heartbeat} (${Math.round(s.heartbeat_age_ms / 100) / 10} s ago)` : '-',
    String(s.counts.entries),
    String(s.counts.held),
    s.counts.stale_locks ? c.yellow(String(s.counts.stale_locks)) : '0',
    `${s.counts.hubs}${s.counts.orphans ? c.yellow(` (${s.counts.orphans} orphan)`) : ''}`,
    s.counts.conflicts ? c.red(String(s.counts.conflicts)) : '0',
    s.allow_remote.join(',') || c.dim('none'),
  ]);
  for (const line of table(['STATION', 'HEALTH', 'LAST HEARTBEAT', 'ENTRIES', 'HELD', 'STALE', 'HUBS', 'CONFLICTS', 'REMOTE'], rows, c))
    ctx.out.out(line);
  return 0;
}

export async function fleetShowCommand(ctx: CliContext, args: ParsedArgs): Promise<number> {
  const station = stationArg(expectPositionals(args, ['station'])[0]);
  const body: Json = (await labCall(ctx, args.options, 'GET', `/fleet/stations/${encodeURIComponent(station)}`)).body;
  if (ctx.json) return (printJson(ctx, body), 0);
  const { out, color: c } = ctx.out;
  out(
    `${c.bold(safe(body.station))}  ${body.health} · last heartbeat ${body.last_heartbeat ?? '-'} · incarnation ${body.incarnation ?? '-'} (epoch ${body.epoch}) · remote actions: ${body.allow_remote.join(', ') || 'none'}`,
  );
  const st = body.state ?? {};
  out(
    `registry ${safe(st.registry?.path ?? '?')}: ${body.counts.entries} entries, ${body.counts.held} held, ${body.counts.stale_locks} stale`,
  );
  const leases = [...(st.held ?? []), ...(st.stale_locks ?? [])] as Json[];
  if (leases.length)
    for (const l of table(
      ['NAME', 'ID', 'LOCK', 'EVIDENCE'],
      leases.map((e) => [safe(e.name), e.id, e.lock_state, safe(e.lock_reason)]),
      c,
    ))
      out(`  ${l}`);
  const hubs = (st.hubs ?? []) as Json[];
  out(`hubs: ${hubs.length}`);
  if (hubs.length)
    for (const l of table(
      ['KEY', 'STATE', 'PID', 'CWD', 'REASON'],
      hubs.map((h) => [safe(h.key), h.state, String(h.pid ?? '-'), safe(h.cwd ?? '?'), safe(h.reason ?? '')]),
      c,
    ))
      out(`  ${l}`);
  for (const k of body.conflicts as Json[])
    out(
      c.red(
        `conflict: ${safe(k.name)}: lab id ${k.lab_id ?? '(none)'}; ${k.ids.map((i: Json) => `${safe(i.station)} has ${i.id}`).join(', ')}`,
      ),
    );
  return 0;
}

export async function fleetReleaseCommand(ctx: CliContext, args: ParsedArgs): Promise<number> {
  const [name] = expectPositionals(args, ['name']);
  const station = stationOption(args);
  const state = await publishedState(ctx, args, station);
  const entry = [...(state.held ?? []), ...(state.stale_locks ?? [])].find((e: Json) => e.name === name && e.lock);
  if (!entry)
    throw new HubkeeperError(`station ${station} published no lock on '${name}' (see \`hubkeeper fleet show ${station}\`)`, 'not-found');
  const l = entry.lock;
  return request(ctx, args, station, 'release', {
    name,
    holder_host: l.holder_host,
    holder_pid: l.holder_pid,
    holder_instance: l.holder_instance,
    acquired_at: l.acquired_at,
  });
}

export async function fleetReapCommand(ctx: CliContext, args: ParsedArgs): Promise<number> {
  const [which] = expectPositionals(args, ['hub']);
  const station = stationOption(args);
  const state = await publishedState(ctx, args, station);
  const hubs = ((state.hubs ?? []) as Json[]).filter(
    (h) => h.key === which || h.id === which || String(h.pid) === which || h.cwd === which,
  );
  if (hubs.length !== 1)
    throw new HubkeeperError(
      `${hubs.length === 0 ? 'no' : 'more than one'} hub of station ${station} matches '${which}' (name it by its key; see \`hubkeeper fleet show ${station}\`)`,
      hubs.length === 0 ? 'not-found' : 'usage',
    );
  const h = hubs[0];
  if (h.state !== 'orphan')
    throw new HubkeeperError(
      `hub ${safe(h.key)} of station ${station} is ${h.state}, not an orphan; only an orphan is reaped remotely (see \`hubkeeper fleet show ${station}\`)`,
      'refused',
    );
  const graceMs = args.options.grace === undefined ? undefined : parseSeconds(String(args.options.grace), '--grace') * 1000;
  return request(ctx, args, station, 'reap', {
    key: h.key,
    pid: h.pid,
    process_start_ticks: h.process_start_ticks,
    expect_state: h.state, // the station refuses unless the hub is still an orphan there
    name: h.name,
    cwd: h.cwd,
    grace_ms: graceMs,
  });
}

/** Files a request for `station` and (unless --no-wait) waits for its agent's result (core/fleet/remote-request.ts). */
export async function request(ctx: CliContext, args: ParsedArgs, station: string, kind: RemoteKind, target: Json): Promise<number> {
  const deadlineMs =
    args.options.deadline === undefined
      ? DEFAULT_DEADLINE_MS
      : Math.round(parseSeconds(String(args.options.deadline), '--deadline') * 1000);
  if (deadlineMs < 1) throw new UsageError('--deadline must be more than 0 seconds');
  const call = async (method: string, route: string, body?: unknown) => (await labCall(ctx, args.options, method, route, body)).body;
  const r = await fileRemoteRequest(call, station, kind, target, {
    deadlineMs,
    wait: args.options['no-wait'] !== true,
    onState: (seen) => {
      if (!ctx.json && args.options['no-wait'] !== true)
        ctx.out.err(
          `request ${seen.id}: ${kind} on ${station}: ${seen.state === 'pending' ? "waiting for the station's agent" : seen.state}…`,
        );
    },
  });
  if (ctx.json) printJson(ctx, { request: r });
  else if (['done', 'pending'].includes(r.state))
    ctx.out.out(
      r.state === 'done'
        ? `${kind} on ${station}: ${safe(r.detail ?? 'done')}`
        : `request ${r.id} filed for ${station} (deadline ${r.deadline_at})`,
    );
  if (r.state === 'done' || r.state === 'pending') return 0;
  if (!ctx.json) ctx.out.err(`hubkeeper: station ${station}: ${kind} ${r.state}: ${safe(r.detail ?? '')}`);
  return exitCodeOf('refused');
}

async function publishedState(ctx: CliContext, args: ParsedArgs, station: string): Promise<Json> {
  const body: Json = (await labCall(ctx, args.options, 'GET', `/fleet/stations/${encodeURIComponent(station)}`)).body;
  if (!body.state) throw new HubkeeperError(`station ${station} has published no state yet`, 'not-found');
  return body.state;
}

export function stationOption(args: ParsedArgs): string {
  const s = args.options.station;
  if (typeof s !== 'string') throw new UsageError('--station NAME is required: the station whose agent executes the request');
  return stationArg(s);
}

function stationArg(station: string): string {
  const problem = stationProblem(station);
  if (problem) throw new UsageError(`'${station}': ${problem}`);
  return station;
}
