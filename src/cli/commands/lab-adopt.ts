import { LabClient } from '../../core/agent/lab-client';
import { adoptFromLab } from '../../core/agent/remote-actions';
import { readTokenFile } from '../../core/auth/token-file';
import { HubkeeperError } from '../../core/errors/hubkeeper-error';
import { hostName } from '../../core/processes/host-name';
import { expectPositionals, ParsedArgs } from '../args';
import { CliContext, openRegistry, printJson } from '../context';
import { request, stationOption } from './fleet';
import { labTokenFile, labUrls } from './lab-options';

/**
 * `lab adopt NAME --station S`: S's local entry takes the lab's id. On S itself it is done here,
 * through the registry's safe write path; for another station it is a remote request that S's
 * agent runs the same way (if it allows `adopt`).
 */
export async function labAdoptCommand(ctx: CliContext, args: ParsedArgs): Promise<number> {
  const [name] = expectPositionals(args, ['name']);
  const station = stationOption(args);
  if (station !== hostName(ctx.env)) return request(ctx, args, station, 'adopt', { name });
  let token: string;
  try {
    token = await readTokenFile(labTokenFile(ctx, args.options['token-file']), 'the lab token');
  } catch (err) {
    throw new HubkeeperError((err as Error).message, 'io');
  }
  const lab = new LabClient(labUrls(ctx, args.options.lab), token);
  try {
    const registry = openRegistry(ctx);
    const detail = await adoptFromLab(lab, registry, name);
    if (ctx.json) printJson(ctx, { name, station, registry: registry.path, detail });
    else ctx.out.out(detail);
    return 0;
  } finally {
    lab.close();
  }
}
