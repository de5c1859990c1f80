import { DEFAULT_REAP_GRACE_MS } from '../../core/defaults';
import { HubInfo, listHubs } from '../../core/hubs/hub-status';
import { reapHub, ReapResult } from '../../core/hubs/reap';
import { confirmationLines, orphansToReap, planReap } from '../../core/hubs/reap-plan';
import { HubkeeperError } from '../../core/errors/hubkeeper-error';
import { expectPositionals, parseSeconds, ParsedArgs, UsageError } from '../args';
import { CliContext, hubEnv, hubRoots, printJson } from '../context';
import { hubJson } from '../../core/overview/state-json';
import { hubTable, matchesTarget } from '../hub-format';
import { confirmed, NOTHING_DONE } from '../confirm';
import { safe } from '../output';

/** `hubs list`, `hubs reap`, `hubs prune`. */

export async function listHubsCommand(ctx: CliContext, args: ParsedArgs): Promise<number> {
  expectPositionals(args, []);
  const all = args.options.all === true;
  const { hubs, unreadable } = await listHubs({ roots: hubRoots(ctx), env: hubEnv(ctx) });
  if (ctx.json) {
    printJson(ctx, { hubs: hubs.map(hubJson), unreadable: unreadable.map((u) => ({ file: u.file, problem: u.problem })) });
    return 0;
  }
  const { out, color } = ctx.out;
  const lines = hubTable(hubs, color, all);
  if (lines.length === 0) out('No running or orphaned hubs.');
  for (const line of lines) out(line);
  const hidden = all ? 0 : hubs.filter((h) => h.state === 'idle' || h.state === 'stopped').length;
  if (hidden > 0) out(color.dim(`\n${hidden} idle or stopped workspace${hidden === 1 ? '' : 's'} not shown (--all shows them)`));
  for (const u of unreadable) out(color.red(`! ${u.file}: ${safe(u.problem)} (kept as it is)`));
  return 0;
}

export async function reapHubsCommand(ctx: CliContext, args: ParsedArgs): Promise<number> {
  const orphans = args.options.orphans === true;
  const targets = args.positionals;
  if (orphans === targets.length > 0) throw new UsageError('name what to reap: --orphans, or workspace ids, pids or paths');
  const graceMs = args.options.grace === undefined ? DEFAULT_REAP_GRACE_MS : parseSeconds(String(args.options.grace), '--grace') * 1000;
  const dryRun = args.options['dry-run'] === true;
  const { hubs } = await listHubs({ roots: hubRoots(ctx), env: hubEnv(ctx) });
  let chosen: HubInfo[];
  if (orphans) {
    const { reap, leftAlone } = orphansToReap(hubs);
    chosen = reap;
    if (leftAlone.length > 0 && !ctx.json) {
      ctx.out.err(
        `left alone: ${leftAlone.length} hub${leftAlone.length === 1 ? '' : 's'} found only by the process scan whose folder still exists (another HOME or container?); name ${leftAlone.length === 1 ? 'it' : 'them'} by pid to reap: ${leftAlone.map((h) => h.pid).join(' ')}`,
      );
    }
  } else {
    chosen = [];
    for (const t of targets) {
      const found = hubs.filter((h) => matchesTarget(h, t, ctx.cwd));
      if (found.length === 0) throw new HubkeeperError(`no hub matches '${t}' (try \`hubkeeper hubs list --all\`)`, 'not-found');
      for (const h of found) if (!chosen.includes(h)) chosen.push(h);
    }
  }
  if (chosen.length === 0) {
    if (ctx.json) printJson(ctx, { results: [] });
    else ctx.out.out('No orphaned hubs to reap.');
    return 0;
  }
  if (!dryRun) {
    const lines = chosen.flatMap((h) => confirmationLines(h, graceMs)).map(safe);
    const them = chosen.length === 1 ? 'this hub' : `these ${chosen.length} hubs`;
    if (
      !(await confirmed(
        ctx,
        args,
        `reap ${chosen.length} hub${chosen.length === 1 ? '' : 's'}`,
        lines,
        `Stop ${them} and remove ${chosen.length === 1 ? 'its entry' : 'their entries'}?`,
      ))
    ) {
      ctx.out.out(NOTHING_DONE);
      return 0;
    }
  }
  const results: ReapResult[] = [];
  const requestedBy = `hubkeeper hubs reap (pid ${process.pid})`;
  for (const hub of chosen) {
    // Asking an editor's hub can take seconds: say what is being waited for.
    if (!dryRun && !ctx.json && planReap(hub).kind === 'ask')
      ctx.out.err(`asking ${safe(hub.name)} (pid ${hub.pid}) to stop its hub: it runs inside an editor window, which is not signalled…`);
    results.push(await reapHub(hub, { env: hubEnv(ctx), graceMs, dryRun, requestedBy }));
  }
  report(ctx, results);
  return results.some((r) => r.outcome === 'refused') ? 1 : 0;
}

export async function pruneHubsCommand(ctx: CliContext, args: ParsedArgs): Promise<number> {
  expectPositionals(args, []);
  const dryRun = args.options['dry-run'] === true;
  const { hubs } = await listHubs({ roots: hubRoots(ctx), env: hubEnv(ctx) });
  const dead = hubs.filter((h) => h.dead && !h.process);
  const results: ReapResult[] = [];
  for (const hub of dead) results.push(await reapHub(hub, { env: hubEnv(ctx), dryRun }));
  if (dead.length === 0 && !ctx.json) ctx.out.out('No dead entries.');
  else report(ctx, results);
  return 0;
}

function report(ctx: CliContext, results: ReapResult[]): void {
  if (ctx.json) {
    printJson(ctx, { results: results.map((r) => ({ hub: hubJson(r.hub), outcome: r.outcome, detail: r.detail })) });
    return;
  }
  const { out, color } = ctx.out;
  for (const r of results) {
    const who = `${safe(r.hub.name)} (pid ${r.hub.pid ?? '-'}, ${safe(r.hub.cwd ?? '?')})`;
    const line = `${r.outcome.padEnd(12)} ${who}: ${safe(r.detail)}`;
    out(r.outcome === 'refused' ? color.red(line) : line);
  }
}
