import * as path from 'node:path';
import { ProcessInfo } from '../processes/process-table';
import { sameArgv } from '../processes/process-identity';
import { HubKind } from './hub-paths';

/**
 * Which processes are hubs, and of which sort.
 *
 * - `standalone`: the process's own command line is a hub's. bones: argv0's basename is `bones`
 *   followed by `hub start` (what `bones status --all` looks for). Hubkeeper: the `hubkeeper` CLI
 *   (or its bundled `cli.js`) followed by `hub start`. Such a process is nothing but the hub, so it
 *   may be stopped with signals.
 * - `embedded`: a hub running inside another program — the VS Code extension runs one in the
 *   editor's extension host. Its command line says nothing about hubs, so it is recognised only
 *   by the command line its entry recorded AND the exact start recorded with it (ticks since boot
 *   + boot id): a command line alone, or with a wall-clock time, is something anyone can write
 *   into an entry to aim a reap at any process. Such a hub is asked to stop, never signalled:
 *   a signal would end the whole editor window.
 */

export type HubProcessKind = 'standalone' | 'embedded';

export function hubKindOfCommand(argv: readonly string[]): HubKind | undefined {
  // Words, as `ps -o command` shows them: a process that rewrote its title ("bones hub start" in
  // one argv slot) reads the same as one started with three arguments.
  const words = argv.join(' ').split(/\s+/).filter(Boolean);
  if (words.length >= 3 && path.basename(words[0]) === 'bones' && words[1] === 'hub' && words[2] === 'start') return 'bones';
  for (let i = 0; i + 2 < words.length && i < 3; i++) {
    const base = path.basename(words[i]);
    if ((base === 'hubkeeper' || base === 'cli.js' || base === 'hubkeeper.js') && words[i + 1] === 'hub' && words[i + 2] === 'start')
      return 'hubkeeper';
  }
  return undefined;
}

/**
 * The sort of hub `proc` is, or undefined when it is no hub. `recorded` is what the hub's entry
 * says: its command line, and whether the process matched the entry's exact start.
 */
export function hubProcessKind(
  proc: ProcessInfo,
  recorded?: { cmdline?: readonly string[]; exactStart: boolean },
): HubProcessKind | undefined {
  if (hubKindOfCommand(proc.argv) !== undefined) return 'standalone';
  const cmdline = recorded?.cmdline;
  if (recorded?.exactStart && cmdline && cmdline.length > 0 && sameArgv(proc.argv, cmdline)) return 'embedded';
  return undefined;
}
