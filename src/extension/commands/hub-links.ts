import * as vscode from 'vscode';
import { CommandContext } from './command-context';
import { isHub, pickHubs } from './pick';
import { targets } from './ui';

/** Open Hub Folder in New Window, Copy Hub URL, Reveal Hub Entry File: read-only, from an item or the palette. */

export async function openHubFolder(ctx: CommandContext, clicked?: unknown): Promise<void> {
  const [node] =
    (await targets(clicked, undefined, isHub, () => pickHubs(ctx, vscode.l10n.t('Open Hub Folder'), 'hubkeeper.hubs.openFolder'))) ?? [];
  if (node?.hub.cwd) await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(node.hub.cwd), { forceNewWindow: true });
}

export async function copyHubUrl(ctx: CommandContext, clicked?: unknown): Promise<void> {
  const [node] =
    (await targets(clicked, undefined, isHub, () => pickHubs(ctx, vscode.l10n.t('Copy Hub URL'), 'hubkeeper.hubs.copyUrl'))) ?? [];
  if (!node?.hub.hubUrl) return;
  // The hub listens on this machine's 127.0.0.1; in a remote window (or code-server) that is
  // not the user's machine: asExternalUri gives an address that reaches it (a forwarded port).
  const url = (await vscode.env.asExternalUri(vscode.Uri.parse(node.hub.hubUrl))).toString();
  await vscode.env.clipboard.writeText(url);
  vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', url), 3000);
}

export async function revealHubEntry(ctx: CommandContext, clicked?: unknown): Promise<void> {
  const [node] =
    (await targets(clicked, undefined, isHub, () => pickHubs(ctx, vscode.l10n.t('Reveal Hub Entry'), 'hubkeeper.hubs.revealEntry'))) ?? [];
  if (node?.hub.record) await vscode.window.showTextDocument(vscode.Uri.file(node.hub.record.file));
}
