import * as os from 'node:os';
import * as vscode from 'vscode';
import { HubInfo } from '../../core/hubs/hub-status';
import { reapHub, ReapResult } from '../../core/hubs/reap';
import { confirmationLines, orphansToReap } from '../../core/hubs/reap-plan';
import { log } from '../log';
import { HubkeeperModel } from '../model';
import { offers } from '../views/context-values';
import { CommandContext } from './command-context';
import { isHub, pickHubs } from './pick';
import { confirm, guarded, scripted, targets } from './ui';

/** Reap Hub…, Reap All Orphan Hubs… and Prune Dead Hub Entries…: the core's reap (hubs/reap.ts), after a question. */

export async function reapHubs(ctx: CommandContext, clicked?: unknown, selected?: unknown, options?: unknown): Promise<void> {
  const { model } = ctx;
  // A multi-selection may hold idle hubs: only what the item menu would be offered on.
  const nodes = (await targets(clicked, selected, isHub, () => pickHubs(ctx, 'Reap Hub', 'hubkeeper.hubs.reap')))?.filter((n) =>
    offers('hubkeeper.hubs.reap', n.contextValue),
  );
  if (!nodes?.length) return;
  const hubs = nodes.map((n) => n.hub);
  const own = nodes.some((n) => n.isOwn);
  const message = hubs.length === 1 ? `Stop the hub '${hubs[0].name}' (pid ${hubs[0].pid ?? '-'})?` : `Stop ${hubs.length} hubs?`;
  const warning = own ? "\n\nOne of them is this window's own hub: this window stops hosting it (use Restart Hub to start it again)." : '';
  const rule =
    'A process whose identity changed since it was listed is not touched; a hub inside an editor is asked to stop, never signalled.';
  if (!(await confirm(message, `${plan(model, hubs)}\n\n${rule}${warning}`, 'Reap', scripted(options).yes))) return;
  await guarded('Reaping', () => reap(model, hubs, hubs.length === 1 ? `Reaping ${hubs[0].name}` : `Reaping ${hubs.length} hubs`));
}

export async function reapOrphanHubs({ model }: CommandContext, _clicked?: unknown, _selected?: unknown, options?: unknown): Promise<void> {
  await model.refreshHubs();
  const { reap: orphans, leftAlone } = orphansToReap(model.state.hubs.hubs);
  const aside = leftAlone.length
    ? `\n\nLeft alone: ${leftAlone.length} hub${leftAlone.length === 1 ? '' : 's'} found only by the process scan whose folder still exists (another HOME or container?); reap ${leftAlone.length === 1 ? 'it' : 'them'} one by one if you are sure.`
    : '';
  if (orphans.length === 0)
    return void vscode.window.showInformationMessage(`Hubkeeper: no orphan hubs to reap.${aside.replace(/\n/g, ' ')}`);
  if (
    !(await confirm(
      `Reap ${orphans.length} orphan hub${orphans.length === 1 ? '' : 's'}?`,
      `${plan(model, orphans)}${aside}`,
      'Reap All',
      scripted(options).yes,
    ))
  )
    return;
  await guarded('Reaping orphans', () => reap(model, orphans, `Reaping ${orphans.length} orphan hub${orphans.length === 1 ? '' : 's'}`));
}

export async function pruneHubEntries(
  { model }: CommandContext,
  _clicked?: unknown,
  _selected?: unknown,
  options?: unknown,
): Promise<void> {
  await model.refreshHubs();
  const dead = model.state.hubs.hubs.filter((h) => h.dead && !h.process);
  if (dead.length === 0) return void vscode.window.showInformationMessage('Hubkeeper: no dead hub entries.');
  const describe = dead
    .map((h) => `${h.name}: pid ${h.pid ?? '-'}, ${h.cwd ?? 'folder unknown'}${h.reason ? ` (${h.reason})` : ''}`)
    .join('\n');
  if (!(await confirm(`Remove ${dead.length} dead hub entr${dead.length === 1 ? 'y' : 'ies'}?`, describe, 'Remove', scripted(options).yes)))
    return;
  await guarded('Pruning', () => reap(model, dead, 'Removing dead entries'));
}

/** What the process table says now, next to what each entry claims, and what will happen to it. */
function plan(model: HubkeeperModel, hubs: HubInfo[]): string {
  return hubs.map((h) => confirmationLines(h, model.settings.reapGraceMs).join('\n')).join('\n\n');
}

async function reap(model: HubkeeperModel, hubs: HubInfo[], title: string): Promise<void> {
  const results: ReapResult[] = [];
  // In the Hubs view (its progress bar and badge), where the hubs are, rather than a notification.
  await vscode.window.withProgress({ location: { viewId: 'hubkeeper.hubs' }, title }, async (progress) => {
    for (const [i, hub] of hubs.entries()) {
      progress.report({ message: `${hub.name} (pid ${hub.pid ?? '-'})`, increment: 100 / hubs.length });
      results.push(
        await reapHub(hub, {
          env: { env: process.env, home: os.homedir() },
          graceMs: model.settings.reapGraceMs,
          requestedBy: `a VS Code window (extension host pid ${process.pid})`,
        }),
      );
      if (i === hubs.length - 1) progress.report({ message: 'done' });
    }
  });
  await model.refreshHubs();
  const refused = results.filter((r) => r.outcome === 'refused');
  const done = results.length - refused.length;
  const summary = `Hubkeeper: ${done} hub${done === 1 ? '' : 's'} reaped${refused.length ? `, ${refused.length} refused` : ''}.`;
  for (const r of results) log().info(`reap ${r.hub.name} (pid ${r.hub.pid ?? '-'}, ${r.hub.cwd ?? '?'}): ${r.outcome}: ${r.detail}`);
  if (refused.length === 0) void vscode.window.showInformationMessage(summary);
  else void vscode.window.showWarningMessage(`${summary} ${refused.map((r) => `${r.hub.name}: ${r.detail}`).join('; ')}`);
}
