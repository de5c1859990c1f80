import * as fs from 'node:fs';
import * as path from 'node:path';
import { HubSession } from '../../core/hubs/hub-session';
import { HubkeeperError } from '../../core/errors/hubkeeper-error';
import { expectPositionals, parseSeconds, ParsedArgs } from '../args';
import { CliContext, hubEnv, printJson } from '../context';

/**
 * `hub start [PATH]`: runs a hub for a workspace in the foreground — takes the workspace's hub
 * lock, serves the endpoint, registers in ~/.hubkeeper/workspaces, and undoes it all on Ctrl-C.
 * The process moves into the workspace, as a bones hub does, so its cwd tells where it belongs.
 */
export async function hubStartCommand(ctx: CliContext, args: ParsedArgs): Promise<number> {
  const [given] = expectPositionals(args, [], ['path']);
  const workspace = path.resolve(ctx.cwd, given ?? '.');
  if (!fs.existsSync(workspace) || !fs.statSync(workspace).isDirectory())
    throw new HubkeeperError(`${workspace}: not a directory`, 'not-found', workspace);
  const waitMs = args.options.wait === undefined ? 0 : parseSeconds(String(args.options.wait), '--wait') * 1000;
  process.chdir(workspace);
  let lost: (code: number) => void = () => undefined;
  // A lock held by another hub is a HubLockHeldError (kind 'held': exit 3), like any held lease.
  const session = await HubSession.start(workspace, {
    env: hubEnv(ctx),
    waitMs,
    log: (line) => ctx.out.err(line),
    onLost: (err) => {
      ctx.out.err(`hubkeeper: ${err.message}`);
      lost(1);
    },
  });
  if (ctx.json) printJson(ctx, { workspace, url: session.url, pid: process.pid, entry: session.entryFile });
  else ctx.out.out(`hub for ${workspace} listening on ${session.url} (pid ${process.pid}); Ctrl-C stops it`);
  return new Promise((resolve) => {
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const finish = (code: number) => {
      clearInterval(keepAlive);
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      void session.stop().then(() => resolve(code));
    };
    const onSignal = () => finish(0);
    lost = finish;
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  });
}
