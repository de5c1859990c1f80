import * as path from 'node:path';
import { ProcessInfo } from '../processes/process-table';
import { HubKind } from './hub-paths';

/**
 * Which processes are hubs. bones: argv0's basename is `bones` followed by `hub start` (what
 * `bones status --all` looks for). Hubkeeper: the `hubkeeper` CLI (or its bundled `cli.js`)
 * followed by `hub start`. A hub started by the VS Code extension runs inside the editor's
 * extension host; its entry records that command line, so it is recognised by an exact match.
 */

export function hubKindOfCommand(argv: readonly string[]): HubKind | undefined {
  // Words, as `ps -o command` shows them: a process that rewrote its title ("bones hub start" in
  // one argv slot) reads the same as one started with three arguments.
  const words = argv.join(' ').split(/\s+/).filter(Boolean);
  if (words.length >= 3 && path.basename(words[0]) === 'bones' && words[1] === 'hub' && words[2] === 'start') return 'bones';
  for (let i = 0; i + 2 < words.length && i < 3; i++) {
    const base = path.basename(words[i]);
    if ((base === 'hubkeeper' || base === 'cli.js' || base === 'hubkeeper.js') && words[i + 1] === 'hub' && words[i + 2] === 'start') return 'hubkeeper';
  }
  return undefined;
}

/** True when `proc` runs a hub: by its command line, or exactly the command line the entry recorded. */
export function isHubProcess(proc: ProcessInfo, recordedCmdline?: readonly string[]): boolean {
  if (hubKindOfCommand(proc.argv) !== undefined) return true;
  return recordedCmdline !== undefined && recordedCmdline.length > 0 && sameArgv(proc.argv, recordedCmdline);
}

export function sameArgv(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
