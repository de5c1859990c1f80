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
  const nodes = (await targets(clicked, selected, isHub, () => pickHubs(ctx, vscode.l10n.t('Reap Hub'), 'hubkeeper.hubs.reap')))?.filter(
    (n) => offers('hubkeeper.hubs.reap', n.contextValue),
  );
  if (!nodes?.length) return;
  const hubs = nodes.map((n) => n.hub);
  const own = nodes.some((n) => n.isOwn);
  const message =
    hubs.length === 1
      ? vscode.l10n.t("Stop the hub '{0}' (pid {1})?", hubs[0].name, hubs[0].pid ?? '-')
      : vscode.l10n.t('Stop {0} hubs?', hubs.length);
  const rule = vscode.l10n.t(
    'A process whose identity changed since it was listed is not touched; a hub inside an editor is asked to stop, never signalled.',
  );
  const warning = own
    ? vscode.l10n.t("One of them is this window's own hub: this window stops hosting it (use Restart Hub to start it again).")
    : undefined;
  const detail = [plan(model, hubs), rule, warning].filter(Boolean).join('\n\n');
  if (!(await confirm(message, detail, vscode.l10n.t('Reap'), scripted(options).yes))) return;
  await guarded(vscode.l10n.t('Reaping'), () =>
    reap(model, hubs, hubs.length === 1 ? vscode.l10n.t('Reaping {0}', hubs[0].name) : vscode.l10n.t('Reaping {0} hubs', hubs.length)),
  );
}

export async function reapOrphanHubs({ model }: CommandContext, _clicked?: unknown, _selected?: unknown, options?: unknown): Promise<void> {
  await model.refreshHubs();
  const { reap: orphans, leftAlone } = orphansToReap(model.state.hubs.hubs);
  const aside =
    leftAlone.length === 0
      ? undefined
      : leftAlone.length === 1
        ? vscode.l10n.t(
            'Left alone: 1 hub found only by the process scan whose folder still exists (another HOME or container?); reap it one by one if you are sure.',
          )
        : vscode.l10n.t(
            'Left alone: {0} hubs found only by the process scan whose folder still exists (another HOME or container?); reap them one by one if you are sure.',
            leftAlone.length,
          );
  if (orphans.length === 0)
    return void vscode.window.showInformationMessage(
      aside ? vscode.l10n.t('Hubkeeper: no orphan hubs to reap. {0}', aside) : vscode.l10n.t('Hubkeeper: no orphan hubs to reap.'),
    );
  const one = orphans.length === 1;
  if (
    !(await confirm(
      one ? vscode.l10n.t('Reap 1 orphan hub?') : vscode.l10n.t('Reap {0} orphan hubs?', orphans.length),
      [plan(model, orphans), aside].filter(Boolean).join('\n\n'),
      vscode.l10n.t('Reap All'),
      scripted(options).yes,
    ))
  )
    return;
  await guarded(vscode.l10n.t('Reaping orphans'), () =>
    reap(model, orphans, one ? vscode.l10n.t('Reaping 1 orphan hub') : vscode.l10n.t('Reaping {0} orphan hubs', orphans.length)),
  );
}

export async function pruneHubEntries(
  { model }: CommandContext,
  _clicked?: unknown,
  _selected?: unknown,
  options?: unknown,
): Promise<void> {
  await model.refreshHubs();
  const dead = model.state.hubs.hubs.filter((h) => h.dead && !h.process);
  if (dead.length === 0) return void vscode.window.showInformationMessage(vscode.l10n.t('Hubkeeper: no dead hub entries.'));
  const describe = dead
    .map((h) => {
      const folder = h.cwd ?? vscode.l10n.t('folder unknown');
      return h.reason
        ? vscode.l10n.t('{0}: pid {1}, {2} ({3})', h.name, h.pid ?? '-', folder, h.reason)
        : vscode.l10n.t('{0}: pid {1}, {2}', h.name, h.pid ?? '-', folder);
    })
    .join('\n');
  const question =
    dead.length === 1 ? vscode.l10n.t('Remove 1 dead hub entry?') : vscode.l10n.t('Remove {0} dead hub entries?', dead.length);
  if (!(await confirm(question, describe, vscode.l10n.t('Remove'), scripted(options).yes))) return;
  await guarded(vscode.l10n.t('Pruning'), () => reap(model, dead, vscode.l10n.t('Removing dead entries')));
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
      progress.report({ message: vscode.l10n.t('{0} (pid {1})', hub.name, hub.pid ?? '-'), increment: 100 / hubs.length });
      results.push(
        await reapHub(hub, {
          env: { env: process.env, home: os.homedir() },
          graceMs: model.settings.reapGraceMs,
          requestedBy: `a VS Code window (extension host pid ${process.pid})`,
        }),
      );
      if (i === hubs.length - 1) progress.report({ message: vscode.l10n.t('done') });
    }
  });
  await model.refreshHubs();
  const refused = results.filter((r) => r.outcome === 'refused');
  const done = results.length - refused.length;
  const summary = refused.length
    ? done === 1
      ? vscode.l10n.t('Hubkeeper: 1 hub reaped, {0} refused.', refused.length)
      : vscode.l10n.t('Hubkeeper: {0} hubs reaped, {1} refused.', done, refused.length)
    : done === 1
      ? vscode.l10n.t('Hubkeeper: 1 hub reaped.')
      : vscode.l10n.t('Hubkeeper: {0} hubs reaped.', done);
  for (const r of results) log().info(`reap ${r.hub.name} (pid ${r.hub.pid ?? '-'}, ${r.hub.cwd ?? '?'}): ${r.outcome}: ${r.detail}`);
  if (refused.length === 0) void vscode.window.showInformationMessage(summary);
  else void vscode.window.showWarningMessage(`${summary} ${refused.map((r) => `${r.hub.name}: ${r.detail}`).join('; ')}`);
}
