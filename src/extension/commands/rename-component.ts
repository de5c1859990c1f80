import * as vscode from 'vscode';
import { nameProblem } from '../../core/registry/names';
import { CommandContext } from './command-context';
import { isComponent, pickComponent } from './pick';
import { confirm, guarded, scripted, targets } from './ui';

/** Rename Component…: a new name, the same id; a live lease of another holder is cleared only after asking. */
export async function renameComponent(ctx: CommandContext, clicked?: unknown, _selected?: unknown, options?: unknown): Promise<void> {
  const { model } = ctx;
  const opts = scripted(options);
  const [node] =
    (await targets(clicked, undefined, isComponent, () =>
      pickComponent(ctx, vscode.l10n.t('Rename Component'), 'hubkeeper.components.rename'),
    )) ?? [];
  if (!node) return;
  const { entries, invalid } = model.state.components;
  const existing = new Set([...entries.map((c) => c.entry.name), ...invalid.map((r) => r.name)]);
  const newName =
    opts.newName ??
    (await vscode.window.showInputBox({
      title: vscode.l10n.t("Rename '{0}'", node.name),
      prompt: vscode.l10n.t('The new name. The component keeps its ID.'),
      value: node.name,
      valueSelection: [0, node.name.length],
      validateInput: (value) =>
        value === node.name
          ? vscode.l10n.t('Type a different name')
          : (nameProblem(value) ?? (existing.has(value) ? vscode.l10n.t("'{0}' already exists", value) : undefined)),
    }));
  if (newName === undefined) return;
  const force = model.registry.heldByAnother(node.entry); // as the file is now, not as last drawn
  const lock = node.entry.lock;
  if (
    force &&
    !(await confirm(
      vscode.l10n.t("'{0}' is locked by {1} (pid {2}).", node.name, lock?.holderHost ?? '?', lock?.holderPid ?? '?'),
      vscode.l10n.t('Renaming it clears that lock; the holder will report its lease lost.'),
      vscode.l10n.t('Rename Anyway'),
      opts.yes,
    ))
  )
    return;
  await guarded(vscode.l10n.t("Renaming '{0}'", node.name), async () => {
    await model.registry.rename(node.name, newName, { force });
    await model.refreshRegistry();
    vscode.window.setStatusBarMessage(vscode.l10n.t("Renamed '{0}' to '{1}'", node.name, newName), 4000);
  });
}
