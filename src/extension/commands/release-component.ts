import * as vscode from 'vscode';
import { CommandContext } from './command-context';
import { isComponent, pickComponent } from './pick';
import { confirm, guarded, scripted, targets } from './ui';

/** Release Component Lock: the selected entries' leases; another holder's live one only after asking. */
export async function releaseComponent(ctx: CommandContext, clicked?: unknown, selected?: unknown, options?: unknown): Promise<void> {
  const { model } = ctx;
  const nodes = await targets(clicked, selected, isComponent, () =>
    pickComponent(ctx, 'Release Component Lock', 'hubkeeper.components.release'),
  );
  const locked = nodes?.filter((n) => n.entry.lock);
  if (!locked?.length) return;
  const live = locked.filter((n) => model.registry.heldByAnother(n.entry, n.status));
  const names = locked.map((n) => `'${n.name}'`).join(', ');
  const detail = live.length
    ? `${live.map((n) => `'${n.name}' is held by ${n.entry.lock?.holderHost} (pid ${n.entry.lock?.holderPid})`).join('; ')}: its holder will report the lease lost.`
    : 'The lock is stale: its holder is gone or its lease expired.';
  if (!(await confirm(`Release the lock on ${names}?`, detail, 'Release', scripted(options).yes))) return;
  // In the Components view (its progress bar), rather than a notification.
  await guarded('Releasing the lock', async () =>
    vscode.window.withProgress({ location: { viewId: 'hubkeeper.components' }, title: `Releasing ${names}` }, async () => {
      // Force only what the dialog named as held by someone else; the rest is re-checked at
      // release time, so a lock renewed since the view was drawn is refused, not stolen.
      for (const n of locked) await model.registry.release(n.name, { force: live.includes(n) });
      await model.refreshRegistry();
      vscode.window.setStatusBarMessage(`Released ${names}`, 4000);
    }),
  );
}
