import * as fs from 'node:fs';
import { expectPositionals, ParsedArgs } from '../args';
import { CliContext, discover, printJson } from '../context';

/** `registry path`: which registry.json discovery picks, and why. Creates nothing. */
export async function registryPath(ctx: CliContext, args: ParsedArgs): Promise<number> {
  expectPositionals(args, []);
  const found = discover(ctx);
  const exists = fs.existsSync(found.path);
  if (ctx.json) {
    printJson(ctx, { path: found.path, source: found.source, reason: found.reason, exists, searched: found.searched });
    return 0;
  }
  const { out, color } = ctx.out;
  out(found.path);
  out(color.dim(`  ${found.reason}${exists ? '' : '; the file does not exist yet'}`));
  if (found.searched.length > 0) out(color.dim(`  searched: ${found.searched.join(', ')}`));
  return 0;
}
