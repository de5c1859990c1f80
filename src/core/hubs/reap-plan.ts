import * as path from 'node:path';
import { getProcess, ProcessInfo } from '../processes/process-table';
import { userName } from '../processes/users';
import { describeArgv, HubInfo, isClearOrphan } from './hub-status';

/**
 * What reaping a hub would do, decided in one place for the CLI, the editor and the reaper
 * itself: signal a standalone hub process, ask a hub embedded in an editor to stop, remove a
 * dead entry, or refuse. The static refusals are here; the reaper re-reads the process table
 * right before acting (reap.ts). `confirmationLines` is what a person sees before saying yes:
 * what the entry claims next to what the process table says now.
 */

export type ReapAction =
  { kind: 'signal'; process: ProcessInfo } | { kind: 'ask'; process: ProcessInfo } | { kind: 'prune' } | { kind: 'refuse'; why: string };

export function planReap(hub: HubInfo): ReapAction {
  const seen = hub.process;
  if (!seen || hub.pid === undefined) {
    return hub.record ? { kind: 'prune' } : { kind: 'refuse', why: 'nothing to reap: no process and no entry' };
  }
  const why = whyNotStop(seen, hub);
  if (why) return { kind: 'refuse', why };
  return hub.kind === 'embedded' ? { kind: 'ask', process: seen } : { kind: 'signal', process: seen };
}

/** Reasons never to stop this process, whatever the process table says later. */
export function whyNotStop(proc: ProcessInfo, hub: HubInfo): string | undefined {
  if (proc.pid <= 1) return `refusing to signal pid ${proc.pid}`;
  if (proc.pid === process.pid) return 'refusing to signal this process itself';
  const uid = process.getuid?.();
  if (uid !== undefined && proc.uid !== uid) return `pid ${proc.pid} belongs to another user (uid ${proc.uid})`;
  if (hub.untrusted) return `${hub.untrusted}; an entry anyone else could have written never gets a process stopped`;
  if (hub.kind === undefined) return `pid ${proc.pid} does not run a hub`;
  if (hub.kind === 'embedded' && !hub.record) return `pid ${proc.pid} runs a hub inside another program but has no entry to ask it through`;
  return undefined;
}

/** Hubs that `--orphans` / "Reap All Orphans" take (see isClearOrphan), and those they leave. */
export function orphansToReap(hubs: readonly HubInfo[]): { reap: HubInfo[]; leftAlone: HubInfo[] } {
  const orphans = hubs.filter((h) => h.state === 'orphan');
  return { reap: orphans.filter(isClearOrphan), leftAlone: orphans.filter((h) => !isClearOrphan(h)) };
}

/** The lines a confirmation shows for one hub: the claim, the process now, and what will happen. */
export function confirmationLines(hub: HubInfo, graceMs: number): string[] {
  const lines = [`${hub.name} — ${hub.cwd ?? 'folder unknown'}${hub.reason ? ` (${hub.reason})` : ''}`];
  const e = hub.record?.entry;
  if (e && e.hubPid > 0) {
    lines.push(
      `  entry ${path.basename(hub.record?.file ?? '')} says: pid ${e.hubPid}, started ${e.startedAt}${e.cmdline ? `, command ${describeArgv(e.cmdline)}` : ''}`,
    );
  }
  if (hub.pid !== undefined) {
    const now = getProcess(hub.pid);
    lines.push(
      now && !now.zombie
        ? `  process table now: pid ${now.pid}, user ${userName(now.uid)}, started ${new Date(now.startTimeMs).toISOString()}, command ${describeArgv(now.argv)}`
        : `  process table now: no process ${hub.pid}`,
    );
  }
  const plan = planReap(hub);
  lines.push(
    plan.kind === 'signal'
      ? `  will: SIGTERM, then SIGKILL after ${graceMs / 1000} s; then remove its entry and stale lock`
      : plan.kind === 'ask'
        ? `  will: ask it to stop (it runs inside ${describeArgv(plan.process.argv.slice(0, 1))}, an editor's extension host: that window releases its hub and stays open; no signal)`
        : plan.kind === 'prune'
          ? '  will: remove the dead entry (no process to stop)'
          : `  will not: ${plan.why}`,
  );
  return lines;
}
