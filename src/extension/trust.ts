import * as vscode from 'vscode';
import { log } from './log';
import { CommandId, isWriteCommand, untrustedRefusal, writeCommandTitles } from './command-titles';

/**
 * Workspace Trust. In an untrusted workspace Hubkeeper is a read-only viewer: no hub, no claims,
 * no writes, and the folder's own `.madsci/` does not choose the registry (a repository must not
 * decide what this window locks or writes). Granting trust turns everything on without a reload
 * (extension.ts). The read is live, never cached: trust can change while the window is open.
 */

export function isTrusted(): boolean {
  return vscode.workspace.isTrusted;
}

/** What the views say while the workspace is untrusted (TreeView.message is plain text). */
export function untrustedViewMessage(): string {
  return vscode.l10n.t(
    'Read-only: this folder is not trusted, so Hubkeeper runs no hub, takes no claims, writes nothing and ignores the folder\'s own .madsci/. To allow them, trust it: "Workspaces: Manage Workspace Trust".',
  );
}

/**
 * Registers a command; a write command (command-titles.ts) run in an untrusted workspace is
 * refused with one line (a warning and the log) and returns that line, for scripts and tests.
 */
export function registerCommand(id: CommandId, handler: (...args: unknown[]) => unknown): vscode.Disposable {
  if (!isWriteCommand(id)) return vscode.commands.registerCommand(id, handler);
  const title = writeCommandTitles(vscode.l10n.t)[id];
  return vscode.commands.registerCommand(id, (...args: unknown[]) => (isTrusted() ? handler(...args) : refuse(title)));
}

/** Refuses `title` in an untrusted workspace; returns the line said. */
export function refuse(title: string): string {
  const line = untrustedRefusal(title, vscode.l10n.t);
  log().warn(line);
  const manage = vscode.l10n.t('Manage Workspace Trust');
  void vscode.window
    .showWarningMessage(line, manage)
    .then((choice) => choice === manage && vscode.commands.executeCommand('workbench.trust.manage'));
  return line;
}
