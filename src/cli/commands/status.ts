import { describeLock } from '../../core/leases/describe-lock';
import { isStale } from '../../core/leases/lease-rules';
import { COMPONENT_TYPES, RegistryEntry } from '../../core/registry/types';
import { expectPositionals, ParsedArgs } from '../args';
import { CliContext, discover, openRegistry, printJson } from '../context';
import { entryJson, invalidEntryJson } from '../json-shapes';
import { safe, table } from '../output';

/** `status`: one screen with the registry, its components by type, and the stale locks. */
export async function status(ctx: CliContext, args: ParsedArgs): Promise<number> {
  expectPositionals(args, []);
  const found = discover(ctx);
  const registry = openRegistry(ctx);
  const doc = await registry.snapshot();
  const records = doc ? [...doc.entries.values()] : [];
  const entries = records.filter((r): r is RegistryEntry => r.kind === 'entry');
  const invalid = records.filter((r) => r.kind === 'invalid');
  const withStatus = entries.map((e) => ({ entry: e, status: registry.lockStatus(e) }));
  const held = withStatus.filter((s) => s.status.state === 'held');
  const stale = withStatus.filter((s) => isStale(s.status));
  if (ctx.json) {
    printJson(ctx, {
      registry: { path: found.path, reason: found.reason, exists: doc !== undefined },
      counts: Object.fromEntries(COMPONENT_TYPES.map((t) => [t, entries.filter((e) => e.componentType === t).length])),
      held: held.map((s) => entryJson(s.entry, s.status)),
      stale_locks: stale.map((s) => entryJson(s.entry, s.status)),
      invalid: invalid.map(invalidEntryJson),
    });
    return 0;
  }
  const { out, color } = ctx.out;
  out(`${color.bold('Registry')}  ${found.path} ${color.dim(`(${found.reason})`)}`);
  if (!doc) {
    out('  does not exist yet: it is created by the first `hubkeeper components resolve`.');
    return 0;
  }
  const counts = COMPONENT_TYPES.map((t) => [t, entries.filter((e) => e.componentType === t).length] as const).filter(([, n]) => n > 0);
  out(`  ${records.length} entr${records.length === 1 ? 'y' : 'ies'}${counts.length ? ': ' + counts.map(([t, n]) => `${n} ${t}${n === 1 ? '' : 's'}`).join(', ') : ''}`);
  out(`  ${held.length} live lock${held.length === 1 ? '' : 's'}, ${stale.length} stale`);
  if (invalid.length > 0) out(color.red(`  ${invalid.length} unreadable entr${invalid.length === 1 ? 'y' : 'ies'} (kept as they are): ${invalid.map((r) => safe(r.name)).join(', ')}`));
  if (stale.length > 0) {
    out();
    out(color.bold('Stale locks'));
    const rows = stale.map((s) => [safe(s.entry.name), s.entry.componentType, color.yellow(describeLock(s.entry.lock, s.status)), s.status.reason]);
    for (const line of table(['NAME', 'TYPE', 'LOCK', 'EVIDENCE'], rows, color)) out(`  ${line}`);
  }
  return 0;
}
