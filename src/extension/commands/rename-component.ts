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
    (await targets(clicked, undefined, isComponent, () => pickComponent(ctx, 'Rename Component', 'hubkeeper.components.rename'))) ?? [];
  if (!node) return;
  const { entries, invalid } = model.state.components;
  const existing = new Set([...entries.map((c) => c.entry.name), ...invalid.map((r) => r.name)]);
  const newName =
    opts.newName ??
    (await vscode.window.showInputBox({
      title: `Rename '${node.name}'`,
      prompt: 'The new name. The component keeps its ID.',
      value: node.name,
      valueSelection: [0, node.name.length],
      validateInput: (value) =>
        value === node.name
          ? 'Type a different name'
          : (nameProblem(value) ?? (existing.has(value) ? `'${value}' already exists` : undefined)),
    }));
  if (newName === undefined) return;
  const force = model.registry.heldByAnother(node.entry); // as the file is now, not as last drawn
  const lock = node.entry.lock;
  if (
    force &&
    !(await confirm(
      `'${node.name}' is locked by ${lock?.holderHost} (pid ${lock?.holderPid}).`,
      'Renaming it clears that lock; the holder will report its lease lost.',
      'Rename Anyway',
      opts.yes,
    ))
  )
    return;
  await guarded(`Renaming '${node.name}'`, async () => {
    await model.registry.rename(node.name, newName, { force });
    await model.refreshRegistry();
    vscode.window.setStatusBarMessage(`Renamed '${node.name}' to '${newName}'`, 4000);
  });
}
