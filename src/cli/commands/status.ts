import { describeLock } from '../../core/leases/describe-lock';
import { isStale, LockStatus } from '../../core/leases/lease-rules';
import { listHubs } from '../../core/hubs/hub-status';
import { ComponentRegistry } from '../../core/registry/component-registry';
import { COMPONENT_TYPES, InvalidEntry, RegistryDocument, RegistryEntry } from '../../core/registry/types';
import { expectPositionals, ParsedArgs } from '../args';
import { CliContext, discover, hubEnv, hubRoots, openRegistry, printJson } from '../context';
import { HUB_GROUPS, hubTable } from '../hub-format';
import { entryJson, hubJson, invalidEntryJson, lockJson } from '../json-shapes';
import { Output, safe, table } from '../output';
import { staleHubLocks } from './locks';

/**
 * `status`: one screen with the component registry, the hubs and every stale lock. A registry
 * that cannot be read is reported in its place; the rest of the screen still shows.
 */
export async function status(ctx: CliContext, args: ParsedArgs): Promise<number> {
  expectPositionals(args, []);
  const found = discover(ctx);
  const registry = openRegistry(ctx);
  const [components, writeRefused, { hubs, unreadable }, hubLocks] = await Promise.all([
    readComponents(registry),
    registry.file.writeRefusal(),
    listHubs({ roots: hubRoots(ctx), env: hubEnv(ctx) }),
    staleHubLocks(ctx),
  ]);
  if (ctx.json) {
    const { entries, invalid, error } = components;
    printJson(ctx, {
      registry: { path: found.path, reason: found.reason, exists: components.doc !== undefined, error: error ?? null, write_refused: writeRefused ?? null },
      counts: Object.fromEntries(COMPONENT_TYPES.map((t) => [t, entries.filter((e) => e.entry.componentType === t).length])),
      held: entries.filter((e) => e.status.state === 'held').map((e) => entryJson(e.entry, e.status)),
      stale_locks: entries.filter((e) => isStale(e.status)).map((e) => entryJson(e.entry, e.status)),
      invalid: invalid.map(invalidEntryJson),
      hubs: hubs.map(hubJson),
      stale_hub_locks: hubLocks.map((h) => ({ workspace: h.workspace, ...lockJson(h.state) })),
      unreadable_hub_files: unreadable.map((u) => ({ file: u.file, problem: u.problem })),
    });
    return 0;
  }
  const { out, color } = ctx.out;
  out(`${color.bold('Registry')}  ${found.path} ${color.dim(`(${found.reason})`)}`);
  if (writeRefused) out(color.yellow(`  ! writes refused: ${safe(writeRefused)}`));
  printComponents(ctx.out, components);
  out();
  const counts = HUB_GROUPS.map((g) => `${hubs.filter((h) => g.states.includes(h.state)).length} ${g.title.toLowerCase()}`);
  out(`${color.bold('Hubs')}  ${counts.join(', ')}`);
  for (const line of hubTable(hubs, color, args.options.all === true)) out(`  ${line}`);
  for (const u of unreadable) out(color.red(`  ! ${u.file}: ${safe(u.problem)} (kept as it is)`));
  if (hubLocks.length > 0) {
    out();
    out(color.bold('Stale hub locks'));
    const rows = hubLocks.map((h) => [safe(h.workspace), h.state.kind, safe(h.state.evidence)]);
    for (const line of table(['WORKSPACE', 'KIND', 'EVIDENCE'], rows, color)) out(`  ${line}`);
  }
  return 0;
}

interface Components {
  doc?: RegistryDocument;
  entries: { entry: RegistryEntry; status: LockStatus }[];
  invalid: InvalidEntry[];
  error?: string;
}

async function readComponents(registry: ComponentRegistry): Promise<Components> {
  try {
    const doc = await registry.snapshot();
    const records = doc ? [...doc.entries.values()] : [];
    return {
      doc,
      entries: records.filter((r): r is RegistryEntry => r.kind === 'entry').map((entry) => ({ entry, status: registry.lockStatus(entry) })),
      invalid: records.filter((r): r is InvalidEntry => r.kind === 'invalid'),
    };
  } catch (err) {
    return { entries: [], invalid: [], error: (err as Error).message };
  }
}

function printComponents({ out, color }: Output, { doc, entries, invalid, error }: Components): void {
  if (error) return out(color.red(`  cannot be read: ${error}`));
  if (!doc) return out('  does not exist yet: it is created by the first `hubkeeper components resolve`.');
  const total = entries.length + invalid.length;
  const counts = COMPONENT_TYPES.map((t) => [t, entries.filter((e) => e.entry.componentType === t).length] as const).filter(([, n]) => n > 0);
  out(`  ${total} entr${total === 1 ? 'y' : 'ies'}${counts.length ? ': ' + counts.map(([t, n]) => `${n} ${t}${n === 1 ? '' : 's'}`).join(', ') : ''}`);
  const stale = entries.filter((e) => isStale(e.status));
  const held = entries.filter((e) => e.status.state === 'held').length;
  out(`  ${held} live lock${held === 1 ? '' : 's'}, ${stale.length} stale`);
  if (invalid.length > 0) out(color.red(`  ${invalid.length} unreadable entr${invalid.length === 1 ? 'y' : 'ies'} (kept as they are): ${invalid.map((r) => safe(r.name)).join(', ')}`));
  if (stale.length === 0) return;
  out();
  out(color.bold('Stale locks'));
  const rows = stale.map((e) => [safe(e.entry.name), e.entry.componentType, color.yellow(describeLock(e.entry.lock, e.status)), e.status.reason]);
  for (const line of table(['NAME', 'TYPE', 'LOCK', 'EVIDENCE'], rows, color)) out(`  ${line}`);
}
