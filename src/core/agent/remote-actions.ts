import { HubkeeperError } from '../errors/hubkeeper-error';
import { HubEnv, HubRoot } from '../hubs/hub-paths';
import { listHubs } from '../hubs/hub-status';
import { reapHub } from '../hubs/reap';
import { ComponentRegistry } from '../registry/component-registry';
import { adoptLabId } from '../registry/registry-adopt';
import type { LabClient } from './lab-client';

/**
 * What a station's agent does with a remote request it has claimed: the same code as the local
 * command, after checking the target's identity here, on this machine, against what the request
 * names. A hub is reaped only if it is still an orphan (judged again here, now: the request names
 * the state the requester confirmed, `expect_state`) and its key, pid and exact process start
 * (clock ticks since boot) are still those named, and then reap.ts checks the command line again right before each signal
 * — a bare pid never gets a signal. A lease is released only if its holder host, pid, instance
 * and acquired_at are still those named, and only if it is stale (ComponentRegistry.release, without
 * force). Nothing here throws: every problem is a refusal with one line of why.
 */

export interface RemoteContext {
  station: string;
  registry: ComponentRegistry;
  roots: readonly HubRoot[];
  env: HubEnv;
  lab: LabClient;
  requestedBy: string;
  /** Upper bound for a reap's SIGTERM grace. */
  maxGraceMs?: number;
}

export interface RemoteOutcome {
  outcome: 'done' | 'refused';
  detail: string;
}

type Target = Record<string, unknown>;
const done = (detail: string): RemoteOutcome => ({ outcome: 'done', detail });
const refused = (detail: string): RemoteOutcome => ({ outcome: 'refused', detail });

export async function executeRemote(kind: string, target: Target, ctx: RemoteContext): Promise<RemoteOutcome> {
  try {
    if (kind === 'release') return await release(target, ctx);
    if (kind === 'reap') return await reap(target, ctx);
    if (kind === 'adopt') return await adopt(target, ctx);
    return refused(`unknown kind '${kind}'`);
  } catch (err) {
    return refused(err instanceof HubkeeperError ? err.message : `unexpected error: ${(err as Error)?.message ?? String(err)}`);
  }
}

async function release(t: Target, ctx: RemoteContext): Promise<RemoteOutcome> {
  const { name, holder_instance: instance, acquired_at: acquiredAt, holder_host: host, holder_pid: pid } = t;
  if (
    typeof name !== 'string' ||
    typeof instance !== 'string' ||
    typeof acquiredAt !== 'string' ||
    typeof host !== 'string' ||
    typeof pid !== 'number'
  ) {
    return refused('a remote release names the entry and its holder host, pid, instance and acquired_at (the lock as shown)');
  }
  // Host and pid as confirmed: read first; instance and acquired_at (a new lock always has a new
  // one of these) are then checked again under the file lock by release().
  const record = await ctx.registry.getEntry(name);
  const lock = record?.kind === 'entry' ? record.lock : null;
  if (lock && (lock.holderHost !== host || lock.holderPid !== pid))
    return refused(
      `the lock on '${name}' is held by ${lock.holderHost} (PID ${lock.holderPid}) now, not ${host} (PID ${pid}) as confirmed; nothing released`,
    );
  const released = await ctx.registry.release(name, { expect: { holderInstance: instance, acquiredAt } });
  return done(
    released ? `released the stale lease on '${name}' (instance ${instance})` : `'${name}' had no lock any more; nothing to release`,
  );
}

async function reap(t: Target, ctx: RemoteContext): Promise<RemoteOutcome> {
  const { key, pid, process_start_ticks: ticks, expect_state: expectState } = t;
  if (typeof key !== 'string' || typeof pid !== 'number')
    return refused('a remote reap names the hub key and pid as the station published them');
  if (expectState !== 'orphan')
    return refused(
      `a remote reap names expect_state "orphan" (the state the requester confirmed), not ${JSON.stringify(expectState ?? null)}; only an orphan is reaped remotely`,
    );
  const graceMs = Math.min(typeof t.grace_ms === 'number' ? t.grace_ms : 2000, ctx.maxGraceMs ?? 60_000);
  const { hubs } = await listHubs({ roots: ctx.roots, env: ctx.env });
  const hub = hubs.find((h) => h.key === key);
  if (!hub) return refused(`no hub ${key} on station ${ctx.station} now; nothing signalled`);
  if (hub.pid !== pid) return refused(`hub ${key} now has pid ${hub.pid ?? 'none'}, not ${pid}; not signalled`);
  // Judged again now: a workspace that came back (its folder or marker restored) is no orphan any more.
  if (hub.state !== expectState)
    return refused(
      `hub ${key} is ${hub.state} now${hub.reason ? ` (${hub.reason})` : ''}, no longer an orphan as confirmed; not signalled`,
    );
  if (ticks !== null && ticks !== undefined) {
    if (typeof ticks !== 'number') return refused('process_start_ticks: expected a number');
    const now = hub.process?.startTicks;
    if (now !== ticks) {
      return refused(
        `pid ${pid} is not the process named: it ${hub.process ? `started at tick ${now}` : 'is gone'}, the request names tick ${ticks} (the pid was recycled); not signalled`,
      );
    }
  } else if (hub.process) {
    return refused(`pid ${pid} is running but the request does not name its start; a bare pid is never signalled`);
  }
  const r = await reapHub(hub, { env: ctx.env, graceMs, requestedBy: ctx.requestedBy });
  return { outcome: r.outcome === 'refused' ? 'refused' : 'done', detail: `${r.outcome}: ${r.detail}` };
}

async function adopt(t: Target, ctx: RemoteContext): Promise<RemoteOutcome> {
  const { name, lab_id: labId, from_id: fromId } = t;
  if (typeof name !== 'string') return refused('a remote adopt names the entry');
  if ((labId !== undefined && typeof labId !== 'string') || (fromId !== undefined && typeof fromId !== 'string'))
    return refused('lab_id and from_id, when named, are the ids as shown (strings)');
  // A confirmed station id without the lab id it was confirmed against would take whatever id the lab has now.
  if (fromId !== undefined && labId === undefined)
    return refused('a remote adopt that names from_id also names lab_id (both ids as confirmed); nothing changed');
  const r = await adoptFromLab(ctx.lab, ctx.registry, name, { labId, fromId });
  return done(r);
}

/**
 * `lab adopt` on this station: the lab's id for `name` into the local entry. Returns what happened,
 * in words. A requester that confirmed two exact ids (the Fleet view) names them: if the lab's id
 * or this station's id is no longer the one confirmed, nothing changes.
 */
export async function adoptFromLab(
  lab: LabClient,
  registry: ComponentRegistry,
  name: string,
  expect: { labId?: string; fromId?: string } = {},
): Promise<string> {
  const res = await lab.call('GET', `/registry/resolve/${encodeURIComponent(name)}`);
  if (res.status === 404) throw new HubkeeperError(`the lab does not know '${name}'; nothing to adopt`, 'not-found');
  if (res.status !== 200) throw new HubkeeperError(`${lab.url.origin}: HTTP ${res.status}: ${res.body?.error ?? 'refused'}`, 'refused');
  if (expect.labId !== undefined && String(res.body.id) !== expect.labId)
    throw new HubkeeperError(
      `the lab's id for '${name}' is now ${res.body.id}, not ${expect.labId} as confirmed; nothing changed`,
      'refused',
    );
  const r = await adoptLabId(registry, name, String(res.body.id), expect.fromId);
  return r.changed
    ? `'${name}' in ${registry.path} now has the lab's id ${r.id} (was ${r.oldId})`
    : `'${name}' already has the lab's id ${r.id}`;
}
