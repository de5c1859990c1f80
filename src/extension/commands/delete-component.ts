import { CommandContext } from './command-context';
import { ComponentNode } from '../views/components-view';
import { isEntry, pickComponent } from './pick';
import { confirm, guarded, scripted, targets } from './ui';

/** Delete Component Entry…: the ids are gone for good; a live lease of another holder is named in the question. */
export async function deleteComponent(ctx: CommandContext, clicked?: unknown, selected?: unknown, options?: unknown): Promise<void> {
  const { model } = ctx;
  const nodes = await targets(clicked, selected, isEntry, () =>
    pickComponent(ctx, 'Delete Component Entry', 'hubkeeper.components.delete'),
  );
  if (!nodes?.length) return;
  const names = nodes.map((n) => `'${n.name}'`).join(', ');
  const held = nodes.filter((n): n is ComponentNode => n instanceof ComponentNode && model.registry.heldByAnother(n.entry, n.status));
  const heldNote = held.length
    ? ` ${held.map((n) => `'${n.name}' is locked by ${n.entry.lock?.holderHost} (pid ${n.entry.lock?.holderPid})`).join('; ')}: deleting it takes its name away from a running holder.`
    : '';
  if (
    !(await confirm(
      `Delete ${names} from the registry?`,
      `Their IDs are gone for good: a component that resolves the name again gets a new ID.${heldNote}`,
      'Delete',
      scripted(options).yes,
    ))
  )
    return;
  await guarded('Deleting the entry', async () => {
    for (const n of nodes) await model.registry.remove(n.name, { force: held.includes(n as ComponentNode) });
    await model.refreshRegistry();
  });
}
