import * as path from 'node:path';
import { goCleanPath, workspaceId } from '../../core/hubs/workspace-id';
import { expectPositionals, ParsedArgs } from '../args';
import { CliContext, printJson } from '../context';

/** `workspace id PATH`: the id bones and Hubkeeper file a workspace's hub entry under. */
export async function workspaceIdCommand(ctx: CliContext, args: ParsedArgs): Promise<number> {
  const [given] = expectPositionals(args, ['path']);
  // bones cleans the path it was given (an absolute cwd); a relative argument is made absolute first.
  const cleaned = goCleanPath(path.isAbsolute(given) ? given : path.join(ctx.cwd, given));
  const id = workspaceId(cleaned);
  if (ctx.json) printJson(ctx, { path: cleaned, id });
  else ctx.out.out(id);
  return 0;
}
