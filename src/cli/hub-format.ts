import * as path from 'node:path';
import { HubInfo } from '../core/hubs/hub-status';
import { groupHubs } from '../core/overview/hubs-state';
import { duration } from '../core/time/relative';
import { Colors, safe, table } from './output';

/** How hubs look in the CLI: the grouped table (the JSON shape is core/overview/state-json.ts). */

export function hubTable(hubs: HubInfo[], color: Colors, showAll: boolean): string[] {
  const lines: string[] = [];
  for (const { title, hubs: members } of groupHubs(hubs)) {
    if (members.length === 0 || (!showAll && (title === 'Idle' || title === 'Stopped'))) continue;
    if (lines.length > 0) lines.push('');
    lines.push(color.bold(`${title} (${members.length})`));
    const rows = members.map((h) => [
      safe(h.name),
      h.cwd ? safe(h.cwd) : '?',
      stateCell(h, color),
      h.pid ? String(h.pid) : '-',
      h.uptimeMs !== undefined ? duration(h.uptimeMs) : '-',
      h.hubUrl ?? '-',
      h.source === 'process-scan' ? 'process scan' : h.source,
      [h.reason, h.untrusted && `untrusted: ${h.untrusted}`]
        .filter(Boolean)
        .map((r) => safe(r as string))
        .join('; '),
    ]);
    for (const line of table(['WORKSPACE', 'PATH', 'STATE', 'PID', 'UPTIME', 'URL', 'FROM', 'REASON'], rows, color))
      lines.push(`  ${line}`);
  }
  return lines;
}

function stateCell(h: HubInfo, color: Colors): string {
  if (h.state === 'running') return color.green('running');
  if (h.state === 'orphan' || h.state === 'unreachable') return color.yellow(h.state);
  if (h.state === 'stopped') return color.red(h.dead ? 'stopped (dead entry)' : 'stopped');
  return color.dim(h.state);
}

/** Matches a user's reap target: a workspace id, a pid, or a workspace path. */
export function matchesTarget(h: HubInfo, target: string, cwd: string): boolean {
  if (/^[0-9a-f]{16}$/.test(target)) return h.id === target;
  if (/^\d+$/.test(target)) return h.pid === Number(target);
  return h.cwd !== undefined && path.resolve(h.cwd) === path.resolve(cwd, target);
}
