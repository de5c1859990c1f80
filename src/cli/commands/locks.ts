import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeLock } from '../../core/leases/describe-lock';
import { clearStaleHubLocks } from '../../core/hubs/hub-lock-clear';
import { readHubLockStates } from '../../core/hubs/hub-lock-state';
import { staleLeases } from '../../core/overview/components-state';
import { readMachineState } from '../../core/overview/machine-state';
import { entryJson, lockJson } from '../../core/overview/state-json';
import { HubkeeperError } from '../../core/errors/hubkeeper-error';
import { exitCodeOf } from '../exit-codes';
import { ParsedArgs, UsageError } from '../args';
import { CliContext, hubEnv, hubsOptions, openRegistry, printJson } from '../context';
import { safe, table } from '../output';

/** `locks list` and `locks release`: stale component leases and stale hub locks, with evidence. */

export async function listLocksCommand(ctx: CliContext, args: ParsedArgs): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
  const { components, hubs } = await readMachineState(openRegistry(ctx), hubsOptions(ctx));
  const leases = staleLeases(components);
  const hubLocks = hubs.staleHubLocks;
  if (ctx.json) {
    printJson(ctx, {
      registry: components.path,
      registry_error: components.error ?? null,
      component_leases: leases.map((e) => entryJson(e.entry, e.status)),
      hub_locks: hubLocks.map((h) => ({ workspace: h.workspace, ...lockJson(h.state) })),
    });
    return 0;
  }
  const { out, err, color } = ctx.out;
  if (components.error) err(`hubkeeper: ${components.error}`);
  if (leases.length === 0 && hubLocks.length === 0) {
    out('No stale locks.');
    return 0;
  }
  const rows = [
    ...leases.map((e) => ['lease', safe(e.entry.name), color.yellow(describeLock(e.entry.lock, e.status)), e.status.reason]),
    ...hubLocks.map((h) => [`${h.state.kind} hub lock`, safe(h.workspace), color.yellow('stale'), safe(h.state.evidence)]),
  ];
  for (const line of table(['KIND', 'NAME / WORKSPACE', 'STATE', 'EVIDENCE'], rows, color)) out(line);
  return 0;
}

/**
 * A TARGET that is a directory means that workspace's hub locks (cleared only when stale: a live
 * hub is stopped with `hubs reap`, never by pulling its lock away); anything else is a component
 * name, whose lease is released when stale, or with --force.
 */
export async function releaseLocksCommand(ctx: CliContext, args: ParsedArgs): Promise<number> {
  if (args.positionals.length === 0) throw new UsageError('name the component leases or workspace paths whose locks to release');
  const force = args.options.force === true;
  let failed = 0;
  for (const target of args.positionals) {
    const dir = path.resolve(ctx.cwd, target);
    if (fs.existsSync(dir) && fs.statSync(dir).isDirectory()) {
      const states = await readHubLockStates(dir, hubEnv(ctx));
      const live = states.filter((s) => s.state === 'held');
      const cleared = await clearStaleHubLocks(dir, hubEnv(ctx));
      for (const s of cleared) ctx.out.out(`Cleared the stale ${s.kind} hub lock ${s.path} (${s.evidence}).`);
      for (const s of live) {
        ctx.out.err(
          `hubkeeper: ${s.kind} hub lock ${s.path} is held by live pid ${s.pid}: stop that hub instead (hubkeeper hubs reap ${s.pid})`,
        );
        failed = Math.max(failed, exitCodeOf('held'));
      }
      if (cleared.length === 0 && live.length === 0) ctx.out.out(`No hub locks in ${dir}.`);
      continue;
    }
    try {
      const released = await openRegistry(ctx).release(target, { force });
      ctx.out.out(released ? `Released the lock on '${safe(target)}'.` : `'${safe(target)}' was not locked.`);
    } catch (err) {
      if (!(err instanceof HubkeeperError)) throw err;
      ctx.out.err(`hubkeeper: ${err.message}`);
      failed = Math.max(failed, exitCodeOf(err.kind));
    }
  }
  return failed;
}
