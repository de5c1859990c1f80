import * as vscode from 'vscode';
import { CommandContext } from './command-context';
import { ComponentNode } from '../views/components-view';
import { isEntry, pickComponent } from './pick';
import { confirm, guarded, scripted, targets } from './ui';

/** Delete Component Entry…: the ids are gone for good; a live lease of another holder is named in the question. */
export async function deleteComponent(ctx: CommandContext, clicked?: unknown, selected?: unknown, options?: unknown): Promise<void> {
  const { model } = ctx;
  const nodes = await targets(clicked, selected, isEntry, () =>
    pickComponent(ctx, vscode.l10n.t('Delete Component Entry'), 'hubkeeper.components.delete'),
  );
  if (!nodes?.length) return;
  const names = nodes.map((n) => `'${n.name}'`).join(', ');
  const held = nodes.filter((n): n is ComponentNode => n instanceof ComponentNode && model.registry.heldByAnother(n.entry, n.status));
  const holders = held
    .map((n) => vscode.l10n.t("'{0}' is locked by {1} (pid {2})", n.name, n.entry.lock?.holderHost ?? '?', n.entry.lock?.holderPid ?? '?'))
    .join('; ');
  if (
    !(await confirm(
      vscode.l10n.t('Delete {0} from the registry?', names),
      held.length
        ? vscode.l10n.t(
            'Their IDs are gone for good: a component that resolves the name again gets a new ID. {0}: deleting it takes its name away from a running holder.',
            holders,
          )
        : vscode.l10n.t('Their IDs are gone for good: a component that resolves the name again gets a new ID.'),
      vscode.l10n.t('Delete'),
      scripted(options).yes,
    ))
  )
    return;
  await guarded(vscode.l10n.t('Deleting the entry'), async () => {
    for (const n of nodes) await model.registry.remove(n.name, { force: held.includes(n as ComponentNode) });
    await model.refreshRegistry();
  });
}
