import * as path from 'node:path';
import { writeFileAtomic } from '../../core/fs/atomic-write';
import { isJsonObject, JsonObject } from '../../core/json/json-value';
import { JsonSyntaxError, parseJson } from '../../core/json/parse-json';
import { pythonJson } from '../../core/json/python-json';
import { ComponentRegistry } from '../../core/registry/component-registry';
import { RegistryLockError } from '../../core/registry/errors';
import { readImportFile } from '../../core/registry/import-file';
import { ioError } from '../../core/registry/io-errors';
import { isComponentType } from '../../core/registry/types';
import { expectPositionals, parseDays, parseSeconds, ParsedArgs, UsageError } from '../args';
import { confirmed, NOTHING_DONE } from '../confirm';
import { CliContext, openRegistry, printJson } from '../context';
import { safe } from '../output';

/** `components resolve|rename|release|clean|export|import`: the commands that write. */

export async function resolveComponent(ctx: CliContext, args: ParsedArgs): Promise<number> {
  const [name] = expectPositionals(args, ['name']);
  const type = args.options.type;
  if (typeof type !== 'string') throw new UsageError('--type is required (node, module, manager, experiment or workcell)');
  if (!isComponentType(type)) throw new UsageError(`--type must be one of node, module, manager, experiment, workcell (not '${type}')`);
  const noLock = args.options['no-lock'] === true;
  const hold = args.options.hold === true;
  if (noLock && hold) throw new UsageError('--hold keeps a lease, so it cannot be combined with --no-lock');
  const metadata = args.options.metadata === undefined ? undefined : parseMetadata(String(args.options.metadata));
  const wait = args.options.wait === undefined ? undefined : parseSeconds(String(args.options.wait), '--wait');

  const registry = openRegistry(ctx);
  const id = await registry.resolve(name, type, {
    metadata,
    acquireLock: !noLock,
    retryTimeoutMs: wait === undefined ? undefined : wait * 1000,
  });
  if (ctx.json) printJson(ctx, { name, id, locked: !noLock, registry: registry.path });
  else ctx.out.out(id);
  if (!hold) return 0;
  return holdUntilSignal(ctx, registry, name);
}

/** Keeps the lease alive until Ctrl-C / SIGTERM, then releases it. Exits 1 if the lease is lost. */
function holdUntilSignal(ctx: CliContext, registry: ComponentRegistry, name: string): Promise<number> {
  const { holder } = registry;
  if (!ctx.json)
    ctx.out.err(
      `Holding the lease on '${safe(name)}' (heartbeat every ${holder.heartbeatMs / 1000} s, TTL ${holder.ttlMs / 1000} s). Press Ctrl-C to release it.`,
    );
  return new Promise((resolve) => {
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const finish = async (code: number) => {
      clearInterval(keepAlive);
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      await holder.releaseAll();
      resolve(code);
    };
    const onSignal = () => void finish(0).then(() => ctx.json || ctx.out.err(`Released '${safe(name)}'.`));
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
    holder.on('lost', (lease, reason) => {
      ctx.out.err(`Lost the lease on '${safe(lease.name)}': ${safe(reason)}`);
      void finish(1);
    });
    holder.on('heartbeat-error', (err) => ctx.out.err(`Heartbeat failed (will retry): ${err.message}`));
  });
}

function parseMetadata(text: string): JsonObject {
  let value;
  try {
    value = parseJson(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) throw new UsageError(`--metadata is not valid JSON: ${err.message}`);
    throw err;
  }
  if (!isJsonObject(value)) throw new UsageError('--metadata must be a JSON object, e.g. \'{"module_name": "liquidhandler"}\'');
  return value;
}

export async function renameComponent(ctx: CliContext, args: ParsedArgs): Promise<number> {
  const [oldName, newName] = expectPositionals(args, ['old', 'new']);
  const registry = openRegistry(ctx);
  const id = await registry.rename(oldName, newName, { force: args.options.force === true });
  if (ctx.json) printJson(ctx, { old_name: oldName, new_name: newName, id });
  else ctx.out.out(`Renamed '${safe(oldName)}' to '${safe(newName)}' (id ${id} unchanged).`);
  return 0;
}

export async function releaseComponent(ctx: CliContext, args: ParsedArgs): Promise<number> {
  const [name] = expectPositionals(args, ['name']);
  const registry = openRegistry(ctx);
  let released: boolean;
  try {
    released = await registry.release(name, { force: args.options.force === true });
  } catch (err) {
    if (err instanceof RegistryLockError) throw new RegistryLockError(`${err.message} (--force releases it anyway)`, err.file);
    throw err;
  }
  if (ctx.json) printJson(ctx, { name, released });
  else ctx.out.out(released ? `Released the lock on '${safe(name)}'.` : `'${safe(name)}' was not locked.`);
  return 0;
}

export async function cleanComponents(ctx: CliContext, args: ParsedArgs): Promise<number> {
  expectPositionals(args, []);
  const olderThanDays = args.options['older-than'] === undefined ? 7 : parseDays(String(args.options['older-than']));
  const dryRun = args.options['dry-run'] === true;
  const registry = openRegistry(ctx);
  if (!dryRun) {
    // Deletes data: show what would go and ask (or need --yes off a terminal); the removal itself
    // applies the same rule again at write time.
    const planned = await registry.cleanStale({ olderThanDays, dryRun: true });
    if (planned.length === 0) return reportClean(ctx, [], false);
    const what = `remove ${planned.length} entr${planned.length === 1 ? 'y' : 'ies'}`;
    if (
      !(await confirmed(
        ctx,
        args,
        what,
        planned.map(safe),
        `Remove ${planned.length === 1 ? 'this entry' : `these ${planned.length} entries`} from ${registry.path}?`,
      ))
    ) {
      ctx.out.out(NOTHING_DONE);
      return 0;
    }
  }
  return reportClean(ctx, await registry.cleanStale({ olderThanDays, dryRun }), dryRun);
}

function reportClean(ctx: CliContext, names: string[], dryRun: boolean): number {
  if (ctx.json) {
    printJson(ctx, { removed: dryRun ? [] : names, would_remove: dryRun ? names : [], dry_run: dryRun });
    return 0;
  }
  const verb = dryRun ? 'Would remove' : 'Removed';
  ctx.out.out(
    names.length === 0
      ? 'No stale entries.'
      : `${verb} ${names.length} stale entr${names.length === 1 ? 'y' : 'ies'}: ${names.map(safe).join(', ')}`,
  );
  return 0;
}

export async function exportComponents(ctx: CliContext, args: ParsedArgs): Promise<number> {
  const [file] = expectPositionals(args, [], ['file']);
  const registry = openRegistry(ctx);
  const text = pythonJson(await registry.export());
  if (file === undefined || file === '-') {
    ctx.out.out(text);
    return 0;
  }
  const target = path.resolve(ctx.cwd, file);
  try {
    await writeFileAtomic(target, text);
  } catch (err) {
    throw ioError(target, 'cannot write the export', err);
  }
  if (!ctx.json) ctx.out.err(`Exported ${registry.path} to ${target}.`);
  else printJson(ctx, { exported_to: target });
  return 0;
}

export async function importComponents(ctx: CliContext, args: ParsedArgs): Promise<number> {
  const [file] = expectPositionals(args, ['file']);
  const { data, source } = readImportFile(file === '-' ? '-' : path.resolve(ctx.cwd, file));
  const merge = args.options.replace !== true;
  const registry = openRegistry(ctx);
  if (
    !merge &&
    !(await confirmed(
      ctx,
      args,
      'replace every entry of the registry',
      [`${registry.path} ← ${source}`],
      'Replace every entry of the registry with the imported ones?',
    ))
  ) {
    ctx.out.out(NOTHING_DONE);
    return 0;
  }
  const added = await registry.import(data, { merge, source });
  if (ctx.json) printJson(ctx, { added, merge });
  else
    ctx.out.out(
      `${merge ? 'Merged' : 'Replaced the entries with'} ${added.length} entr${added.length === 1 ? 'y' : 'ies'} from ${source}.`,
    );
  return 0;
}
