import type { LabConnection } from '../core/fleet/fleet-snapshot';

/**
 * The lab connection's decisions that need no editor (window-lab.ts, commands/lab-connect.ts),
 * apart so that unit tests reach them: when the connection is made again, and which of a
 * command's scripted answers count.
 */

/**
 * Whether WindowLab makes its feed (and agent) again: what it is made from changed, or Connect
 * asks again (`force`) while the lab refuses the same URL and token — without that, connecting
 * again after a refusal did nothing and the command said Connected under a Refused view. A plain
 * sync (settings, trust) never retries a refusal: only the user's Connect does.
 */
export function rebuildNeeded(made: string, madeFrom: string, force: boolean, kind: LabConnection['kind']): boolean {
  return made !== madeFrom || (force && kind === 'refused');
}

/**
 * What Disconnect from Lab does besides forgetting the stored token. With hubkeeper.lab.tokenFile
 * set, forgetting the token alone changed nothing (the window fell back to the file and connected
 * again at once, under a "Disconnected" message), so the least surprising is to do what the user
 * asked: clear the user's hubkeeper.lab.url too, after a confirmation naming the lab (the token
 * file is the user's own and stays).
 */
export function disconnectPlan(tokenFile: string | undefined): { clearUrl: boolean; confirm: boolean } {
  const fallsBack = tokenFile !== undefined && tokenFile !== '';
  return { clearUrl: fallsBack, confirm: fallsBack };
}

/**
 * Connect to Lab's scripted answers (the command's third argument): the URL, the token and the
 * plain-http "Connect anyway". Honoured only while the editor runs the extension's tests (the host
 * tests drive Connect this way); otherwise any extension or link running the command with
 * arguments would silently change the user's lab URL and point this machine's station agent at
 * a lab of its choosing: the user is asked, as for a click.
 */
export function connectAnswers(options: unknown, inTests: boolean): { url?: string; token?: string; yes?: boolean } {
  if (!inTests || typeof options !== 'object' || options === null || Array.isArray(options)) return {};
  const o = options as Record<string, unknown>;
  return {
    url: typeof o.url === 'string' ? o.url : undefined,
    token: typeof o.token === 'string' ? o.token : undefined,
    yes: o.yes === true,
  };
}
