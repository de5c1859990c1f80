import * as vscode from 'vscode';
import { pythonString } from '../../core/json/python-json';
import { CommandContext } from './command-context';
import { isComponent, isEntry, pickComponent } from './pick';
import { targets } from './ui';

/** Copy Component ID and Reveal in registry.json: read-only, from an item or the palette. */

export async function copyComponentId(ctx: CommandContext, clicked?: unknown): Promise<void> {
  const [node] =
    (await targets(clicked, undefined, isComponent, () =>
      pickComponent(ctx, vscode.l10n.t('Copy Component ID'), 'hubkeeper.components.copyId'),
    )) ?? [];
  if (!node) return;
  await vscode.env.clipboard.writeText(node.entry.id);
  vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', node.entry.id), 3000);
}

export async function revealComponent(ctx: CommandContext, clicked?: unknown): Promise<void> {
  const [node] =
    (await targets(clicked, undefined, isEntry, () =>
      pickComponent(ctx, vscode.l10n.t('Reveal in registry.json'), 'hubkeeper.components.reveal'),
    )) ?? [];
  if (!node) return;
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(ctx.model.registry.path));
  // The entry's key as serialize-document.ts writes it: four spaces in, Python's escaping.
  const offset = doc.getText().indexOf(`\n    ${pythonString(node.name)}: `);
  const editor = await vscode.window.showTextDocument(doc);
  if (offset >= 0) {
    const pos = doc.positionAt(offset + 5);
    editor.selection = new vscode.Selection(pos, pos.translate(0, pythonString(node.name).length));
    editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenter);
  }
}
