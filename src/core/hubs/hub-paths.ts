import * as os from 'node:os';
import * as path from 'node:path';
import { expandHome } from '../registry/discovery';

/**
 * Where hub state lives. Registry roots: `~/.hubkeeper` (Hubkeeper's own hubs; `HUBKEEPER_HOME`
 * moves it) and `~/.bones` (bones' hubs, read and reaped). Per-workspace state: `.hubkeeper/` and
 * `.bones/` inside the workspace; `HUBKEEPER_DIR` / `BONES_DIR` replace them — an absolute value is
 * one directory for every workspace, a relative one a different name inside each workspace.
 */

export type HubKind = 'hubkeeper' | 'bones';

export interface HubRoot {
  kind: HubKind;
  /** e.g. /home/ana/.bones */
  dir: string;
}

export interface HubEnv {
  env: Readonly<Record<string, string | undefined>>;
  home?: string;
}

export function defaultHubRoots({ env, home = os.homedir() }: HubEnv): HubRoot[] {
  const own = env.HUBKEEPER_HOME ? path.resolve(expandHome(env.HUBKEEPER_HOME, home)) : path.join(home, '.hubkeeper');
  return [
    { kind: 'hubkeeper', dir: own },
    { kind: 'bones', dir: path.join(home, '.bones') },
  ];
}

export function workspacesDir(root: HubRoot): string {
  return path.join(root.dir, 'workspaces');
}

export function workspaceStateDir(workspace: string, kind: HubKind, { env, home = os.homedir() }: HubEnv): string {
  const override = kind === 'bones' ? env.BONES_DIR : env.HUBKEEPER_DIR;
  if (override) {
    const expanded = expandHome(override, home);
    return path.isAbsolute(expanded) ? expanded : path.join(workspace, expanded);
  }
  return path.join(workspace, kind === 'bones' ? '.bones' : '.hubkeeper');
}
