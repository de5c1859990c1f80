import { toPlain } from '../../core/json/json-value';
import { pythonJson } from '../../core/json/python-json';
import { describeLock } from '../../core/leases/describe-lock';
import { LockStatus } from '../../core/leases/lease-rules';
import { readComponentsState } from '../../core/overview/components-state';
import { usableEntry } from '../../core/registry/entries';
import { notFound, RegistryError } from '../../core/registry/errors';
import { isComponentType, RegistryEntry } from '../../core/registry/types';
import { ago } from '../../core/time/relative';
import { expectPositionals, ParsedArgs, UsageError } from '../args';
import { CliContext, openRegistry, printJson } from '../context';
import { entryJson, invalidEntryJson } from '../../core/overview/state-json';
import { Colors, safe, table } from '../output';

/** `components list`, `components show`, `components lookup`: read-only, they never create files. */

export async function listComponents(ctx: CliContext, args: ParsedArgs): Promise<number> {
  expectPositionals(args, []);
  const type = args.options.type as string | undefined;
  if (type !== undefined && !isComponentType(type))
    throw new UsageError(`--type must be one of node, module, manager, experiment, workcell`);
  const includeStale = args.options['include-stale'] === true;
  const registry = openRegistry(ctx);
  const state = await readComponentsState(registry);
  if (state.error) throw new RegistryError(state.error, 'corrupt');
  const ofType = state.entries.filter((c) => !type || c.entry.componentType === type);
  const entries = ofType.filter((c) => includeStale || c.status.state !== 'expired');
  if (ctx.json) {
    printJson(ctx, {
      registry: state.path,
      exists: state.exists,
      entries: entries.map((c) => entryJson(c.entry, c.status)),
      invalid: state.invalid.map(invalidEntryJson),
      write_refused: state.writeRefused ?? null,
    });
    return 0;
  }
  const { out, err, color } = ctx.out;
  // Reading a registry in a shared directory is harmless; writing it is refused: say so up front.
  if (state.writeRefused) err(color.yellow(`warning: ${safe(state.writeRefused)} (reading it still works)`));
  if (!state.exists) {
    err(`No registry at ${registry.path} yet (nothing to list). It is created by the first resolve.`);
    return 0;
  }
  if (entries.length === 0 && state.invalid.length === 0) {
    const hiddenStale = ofType.length > entries.length;
    out(
      `No ${type ? `${type} ` : ''}entries in ${registry.path}${hiddenStale ? ' (entries with expired locks are hidden; --include-stale shows them)' : ''}.`,
    );
    return 0;
  }
  const now = registry.file.clock.leaseNow();
  const rows = entries.map(({ entry, status }) => [
    safe(entry.name),
    entry.componentType,
    entry.id,
    lockCell(entry, status, color),
    ago(now.wall.millis - entry.lastSeen.millis),
  ]);
  for (const line of table(['NAME', 'TYPE', 'ID', 'LOCK', 'LAST SEEN'], rows, color)) out(line);
  for (const r of state.invalid) out(color.red(`! ${safe(r.name)}: unreadable entry, kept as is: ${safe(r.problems[0])}`));
  const hidden = state.entries.length - entries.length;
  if (hidden > 0 && !type)
    out(color.dim(`${hidden} entr${hidden === 1 ? 'y' : 'ies'} with an expired lock hidden (--include-stale shows them)`));
  return 0;
}

function lockCell(entry: RegistryEntry, status: LockStatus, color: Colors): string {
  const text = describeLock(entry.lock, status);
  if (status.state === 'held') return color.green(text);
  if (status.state === 'free') return color.dim(text);
  return color.yellow(text);
}

export async function showComponent(ctx: CliContext, args: ParsedArgs): Promise<number> {
  const [name] = expectPositionals(args, ['name']);
  const registry = openRegistry(ctx);
  const record = await registry.getEntry(name);
  if (!record) throw notFound(name, registry.path);
  const { out, color } = ctx.out;
  if (record.kind === 'invalid') {
    if (ctx.json) printJson(ctx, { ...invalidEntryJson(record), raw: toPlain(record.raw) });
    else {
      out(color.red(`${safe(name)} cannot be read (it is kept in the file as it is):`));
      for (const p of record.problems) out(`  ${safe(p)}`);
    }
    return 0;
  }
  const status = registry.lockStatus(record);
  if (ctx.json) {
    printJson(ctx, entryJson(record, status));
    return 0;
  }
  const now = registry.file.clock.now().millis;
  const lock = record.lock;
  const rows: [string, string][] = [
    ['name', safe(record.name)],
    ['id', record.id],
    ['type', record.componentType],
    ['created', `${record.createdAt.text} (${ago(now - record.createdAt.millis)})`],
    ['last seen', `${record.lastSeen.text} (${ago(now - record.lastSeen.millis)})`],
    ['workcell', record.workcellId ?? '-'],
    ['lock', describeLock(lock, status)],
  ];
  if (lock) {
    rows.push(
      ['  holder', `${safe(lock.holderHost)} pid ${lock.holderPid} (instance ${lock.holderInstance})`],
      ['  acquired', lock.acquiredAt.text],
      ['  heartbeat', lock.heartbeatAt.text],
      ['  expires', lock.expiresAt.text],
      ['  evidence', status.reason],
    );
  }
  for (const [k, v] of rows) out(`${color.bold(k.padEnd(12))}${v}`);
  out(color.bold('metadata'));
  for (const line of pythonJson(record.metadata, 0).split('\n')) out(`  ${line}`);
  return 0;
}

export async function lookupComponent(ctx: CliContext, args: ParsedArgs): Promise<number> {
  const [name] = expectPositionals(args, ['name']);
  const registry = openRegistry(ctx);
  const record = await registry.getEntry(name);
  if (!record) throw notFound(name, registry.path);
  const id = usableEntry(record, registry.path).id;
  if (ctx.json) printJson(ctx, { name, id });
  else ctx.out.out(id);
  return 0;
}
