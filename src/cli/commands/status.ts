import { describeLock } from '../../core/leases/describe-lock';
import { ComponentsState, countsByType, heldLeases, staleLeases } from '../../core/overview/components-state';
import { groupHubs } from '../../core/overview/hubs-state';
import { readMachineState } from '../../core/overview/machine-state';
import { machineStateJson } from '../../core/overview/state-json';
import { COMPONENT_TYPES } from '../../core/registry/types';
import { expectPositionals, ParsedArgs } from '../args';
import { CliContext, discover, hubsOptions, openRegistry, printJson } from '../context';
import { hubTable } from '../hub-format';
import { Output, safe, table } from '../output';

/**
 * `status`: one screen with the component registry, the hubs and every stale lock (the machine
 * state snapshot, core/overview). A registry that cannot be read is reported in its place; the
 * rest of the screen still shows.
 */
export async function status(ctx: CliContext, args: ParsedArgs): Promise<number> {
  expectPositionals(args, []);
  const found = discover(ctx);
  const state = await readMachineState(openRegistry(ctx), hubsOptions(ctx));
  if (ctx.json) {
    printJson(ctx, machineStateJson(state, found));
    return 0;
  }
  const { out, color } = ctx.out;
  const { hubs, unreadable, staleHubLocks } = state.hubs;
  out(`${color.bold('Registry')}  ${found.path} ${color.dim(`(${found.reason})`)}`);
  if (state.components.writeRefused) out(color.yellow(`  ! writes refused: ${safe(state.components.writeRefused)}`));
  printComponents(ctx.out, state.components);
  out();
  const counts = groupHubs(hubs).map((g) => `${g.hubs.length} ${g.title.toLowerCase()}`);
  out(`${color.bold('Hubs')}  ${counts.join(', ')}`);
  for (const line of hubTable(hubs, color, args.options.all === true)) out(`  ${line}`);
  for (const u of unreadable) out(color.red(`  ! ${u.file}: ${safe(u.problem)} (kept as it is)`));
  if (staleHubLocks.length > 0) {
    out();
    out(color.bold('Stale hub locks'));
    const rows = staleHubLocks.map((h) => [safe(h.workspace), h.state.kind, safe(h.state.evidence)]);
    for (const line of table(['WORKSPACE', 'KIND', 'EVIDENCE'], rows, color)) out(`  ${line}`);
  }
  return 0;
}

function printComponents({ out, color }: Output, state: ComponentsState): void {
  const { entries, invalid, error } = state;
  if (error) return out(color.red(`  cannot be read: ${error}`));
  if (!state.exists) return out('  does not exist yet: it is created by the first `hubkeeper components resolve`.');
  const total = entries.length + invalid.length;
  const byType = countsByType(state);
  const counts = COMPONENT_TYPES.map((t) => [t, byType[t]] as const).filter(([, n]) => n > 0);
  out(
    `  ${total} entr${total === 1 ? 'y' : 'ies'}${counts.length ? ': ' + counts.map(([t, n]) => `${n} ${t}${n === 1 ? '' : 's'}`).join(', ') : ''}`,
  );
  const stale = staleLeases(state);
  const held = heldLeases(state).length;
  out(`  ${held} live lock${held === 1 ? '' : 's'}, ${stale.length} stale`);
  if (invalid.length > 0)
    out(
      color.red(
        `  ${invalid.length} unreadable entr${invalid.length === 1 ? 'y' : 'ies'} (kept as they are): ${invalid.map((r) => safe(r.name)).join(', ')}`,
      ),
    );
  if (stale.length === 0) return;
  out();
  out(color.bold('Stale locks'));
  const rows = stale.map((e) => [
    safe(e.entry.name),
    e.entry.componentType,
    color.yellow(describeLock(e.entry.lock, e.status)),
    e.status.reason,
  ]);
  for (const line of table(['NAME', 'TYPE', 'LOCK', 'EVIDENCE'], rows, color)) out(`  ${line}`);
}
