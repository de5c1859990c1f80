import * as os from 'node:os';
import * as vscode from 'vscode';
import { reapHub, ReapResult } from '../../core/hubs/reap';
import { confirmationLines, orphansToReap } from '../../core/hubs/reap-plan';
import { HubInfo } from '../../core/hubs/hub-status';
import { log } from '../log';
import { HubkeeperModel } from '../model';
import { HubNode, HubsProvider } from '../views/hubs-view';
import { registerCommand } from '../trust';
import { confirm, guarded, scripted, targets } from './ui';

/** Commands on workspace hubs: reap (one, several, all orphans), prune, open, copy, reveal. */

export function registerHubCommands(model: HubkeeperModel, provider: HubsProvider): vscode.Disposable[] {
  const isHub = (x: unknown): x is HubNode => x instanceof HubNode;
  const pick = async (title: string, filter: (h: HubInfo) => boolean): Promise<HubNode[] | undefined> => {
    const nodes = provider.hubNodes().filter((n) => filter(n.hub));
    if (nodes.length === 0) {
      void vscode.window.showInformationMessage(`Hubkeeper: no hubs to ${title.toLowerCase()}.`);
      return undefined;
    }
    const chosen = await vscode.window.showQuickPick(
      nodes.map((n) => ({ label: n.hub.name, description: `${n.hub.state}${n.hub.pid ? ` · pid ${n.hub.pid}` : ''}${n.hub.reason ? ` · ${n.hub.reason}` : ''}`, detail: n.hub.cwd, node: n })),
      { title, canPickMany: true },
    );
    return chosen?.map((c) => c.node);
  };
  const env = () => ({ env: process.env, home: os.homedir() });
  const reap = async (hubs: HubInfo[], title: string): Promise<void> => {
    const results: ReapResult[] = [];
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      for (const [i, hub] of hubs.entries()) {
        if (token.isCancellationRequested) break;
        progress.report({ message: `${hub.name} (pid ${hub.pid ?? '-'})`, increment: 100 / hubs.length });
        results.push(await reapHub(hub, { env: env(), graceMs: model.settings.reapGraceMs, requestedBy: `a VS Code window (extension host pid ${process.pid})` }));
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
  };
  const describe = (hubs: HubInfo[]) => hubs.map((h) => `${h.name}: pid ${h.pid ?? '-'}, ${h.cwd ?? 'folder unknown'}${h.reason ? ` (${h.reason})` : ''}`).join('\n');
  // What the process table says now, next to what each entry claims, and what will happen to it.
  const plan = (hubs: HubInfo[]) => hubs.map((h) => confirmationLines(h, model.settings.reapGraceMs).join('\n')).join('\n\n');
  const reg = registerCommand; // write commands refuse in an untrusted workspace (trust.ts)

  return [
    reg('hubkeeper.hubs.reap', async (clicked?: unknown, selected?: unknown, options?: unknown) => {
      const nodes = await targets(clicked, selected, isHub, () => pick('Reap Hub', (h) => h.state !== 'idle'));
      const hubs = nodes?.map((n) => n.hub).filter((h) => h.state !== 'idle');
      if (!hubs?.length) return;
      const own = hubs.filter((h) => provider.hubNodes().some((n) => n.hub === h && n.isOwn));
      const message = hubs.length === 1 ? `Stop the hub '${hubs[0].name}' (pid ${hubs[0].pid ?? '-'})?` : `Stop ${hubs.length} hubs?`;
      const warning = own.length ? '\n\nOne of them is this window\'s own hub: this window stops hosting it (use Restart Hub to start it again).' : '';
      const rule = 'A process whose identity changed since it was listed is not touched; a hub inside an editor is asked to stop, never signalled.';
      if (!(await confirm(message, `${plan(hubs)}\n\n${rule}${warning}`, 'Reap', scripted(options).yes))) return;
      await guarded('Reaping', () => reap(hubs, hubs.length === 1 ? `Reaping ${hubs[0].name}` : `Reaping ${hubs.length} hubs`));
    }),

    reg('hubkeeper.hubs.reapOrphans', async (_clicked?: unknown, _selected?: unknown, options?: unknown) => {
      await model.refreshHubs();
      const { reap: orphans, leftAlone } = orphansToReap(model.hubs);
      const aside = leftAlone.length
        ? `\n\nLeft alone: ${leftAlone.length} hub${leftAlone.length === 1 ? '' : 's'} found only by the process scan whose folder still exists (another HOME or container?); reap ${leftAlone.length === 1 ? 'it' : 'them'} one by one if you are sure.`
        : '';
      if (orphans.length === 0) return void vscode.window.showInformationMessage(`Hubkeeper: no orphan hubs to reap.${aside.replace(/\n/g, ' ')}`);
      if (!(await confirm(`Reap ${orphans.length} orphan hub${orphans.length === 1 ? '' : 's'}?`, `${plan(orphans)}${aside}`, 'Reap All', scripted(options).yes))) return;
      await guarded('Reaping orphans', () => reap(orphans, `Reaping ${orphans.length} orphan hub${orphans.length === 1 ? '' : 's'}`));
    }),

    reg('hubkeeper.hubs.prune', async (_clicked?: unknown, _selected?: unknown, options?: unknown) => {
      await model.refreshHubs();
      const dead = model.hubs.filter((h) => h.dead && !h.process);
      if (dead.length === 0) return void vscode.window.showInformationMessage('Hubkeeper: no dead hub entries.');
      if (!(await confirm(`Remove ${dead.length} dead hub entr${dead.length === 1 ? 'y' : 'ies'}?`, describe(dead), 'Remove', scripted(options).yes))) return;
      await guarded('Pruning', () => reap(dead, 'Removing dead entries'));
    }),

    reg('hubkeeper.hubs.openFolder', async (clicked?: unknown) => {
      const [node] = (await targets(clicked, undefined, isHub, () => pick('Open Hub Folder', (h) => Boolean(h.cwd)))) ?? [];
      if (node?.hub.cwd) await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(node.hub.cwd), { forceNewWindow: true });
    }),

    reg('hubkeeper.hubs.copyUrl', async (clicked?: unknown) => {
      const [node] = (await targets(clicked, undefined, isHub, () => pick('Copy Hub URL', (h) => Boolean(h.hubUrl)))) ?? [];
      if (!node?.hub.hubUrl) return;
      // The hub listens on this machine's 127.0.0.1; in a remote window (or code-server) that is
      // not the user's machine: asExternalUri gives an address that reaches it (a forwarded port).
      const url = (await vscode.env.asExternalUri(vscode.Uri.parse(node.hub.hubUrl))).toString();
      await vscode.env.clipboard.writeText(url);
      vscode.window.setStatusBarMessage(`Copied ${url}`, 3000);
    }),

    reg('hubkeeper.hubs.revealEntry', async (clicked?: unknown) => {
      const [node] = (await targets(clicked, undefined, isHub, () => pick('Reveal Hub Entry', (h) => Boolean(h.record)))) ?? [];
      if (node?.hub.record) await vscode.window.showTextDocument(vscode.Uri.file(node.hub.record.file));
    }),
  ];
}
