import * as vscode from 'vscode';
import { isWriteCommand } from '../command-titles';
import { log } from '../log';
import { isTrusted } from '../trust';
import { CommandContext } from './command-context';

/** The window's own commands: refresh, the log, its hub (restart, re-acquire), its leases, and the status bar menu. */

export async function refresh({ model, fleet }: CommandContext): Promise<void> {
  // The Fleet view's title shows the same Refresh: the lab's data is fetched again too.
  await Promise.all([model.refreshAll(), fleet.refresh().catch(() => undefined)]);
}

export function showLog(): void {
  log().show();
}

export async function showHubs(): Promise<void> {
  await vscode.commands.executeCommand('hubkeeper.hubs.focus');
}

/**
 * Open Documentation: the README shipped inside the extension, in the Markdown preview, at a
 * heading when one is given (a welcome view's "Learn more": `command:hubkeeper.openDocs?["slug"]`).
 * Without the Markdown extension, the file itself at that heading.
 */
export async function openDocs({ extensionUri }: CommandContext, heading?: unknown): Promise<void> {
  const readme = vscode.Uri.joinPath(extensionUri, 'README.md');
  const slug = typeof heading === 'string' ? heading : '';
  try {
    await vscode.commands.executeCommand('markdown.showPreview', readme.with({ fragment: slug }));
  } catch {
    const doc = await vscode.workspace.openTextDocument(readme);
    const line = Math.max(0, headingLine(doc.getText(), slug));
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(line, 0, line, 0), preview: true });
  }
}

/** The line of the Markdown heading whose GitHub-style slug is `slug` (-1: none). */
function headingLine(text: string, slug: string): number {
  const toSlug = (title: string) =>
    title
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s-]/gu, '')
      .replace(/\s/g, '-');
  return text.split('\n').findIndex((l) => /^#{1,6} /.test(l) && toSlug(l.replace(/^#+ /, '')) === slug);
}

export function restartHub({ windowHubs }: CommandContext): Promise<void> {
  return windowHubs.restart();
}

/** Re-acquire Hub Lock and Leases: after the machine slept, or a lease was lost to another holder. */
export async function reacquire({ model, windowHubs }: CommandContext): Promise<void> {
  await windowHubs.sync(model.settings.hubEnabled);
  const { claims } = model.leases;
  for (const s of claims.problems) await claims.acquire(s.claim);
}

export async function releaseMyLeases({ model }: CommandContext): Promise<void> {
  await model.leases.claims.releaseAll();
  await model.refreshRegistry();
  vscode.window.setStatusBarMessage(vscode.l10n.t("Hubkeeper released this window's leases"), 4000);
}

/** The menu's entries, with their icons outside the words a translator sees. */
const menu = () => [
  { label: `$(list-tree) ${vscode.l10n.t('Show Hubs')}`, command: 'hubkeeper.showHubs' },
  { label: `$(unlock) ${vscode.l10n.t('Release My Leases')}`, command: 'hubkeeper.leases.releaseMine' },
  { label: `$(debug-restart) ${vscode.l10n.t('Restart Hub')}`, command: 'hubkeeper.hub.restart' },
  { label: `$(output) ${vscode.l10n.t('Open Log')}`, command: 'hubkeeper.showLog' },
];

/** The status bar item's menu; untrusted, without the write commands. */
export async function showHubMenu(): Promise<void> {
  const chosen = await vscode.window.showQuickPick(
    menu().filter((i) => isTrusted() || !isWriteCommand(i.command)),
    { title: 'Hubkeeper' },
  );
  if (chosen) await vscode.commands.executeCommand(chosen.command);
}
