import * as vscode from 'vscode';
import { CommandContext } from './command-context';
import { isComponent, pickComponent } from './pick';
import { confirm, guarded, scripted, targets } from './ui';

/** Release Component Lock: the selected entries' leases; another holder's live one only after asking. */
export async function releaseComponent(ctx: CommandContext, clicked?: unknown, selected?: unknown, options?: unknown): Promise<void> {
  const { model } = ctx;
  const nodes = await targets(clicked, selected, isComponent, () =>
    pickComponent(ctx, vscode.l10n.t('Release Component Lock'), 'hubkeeper.components.release'),
  );
  const locked = nodes?.filter((n) => n.entry.lock);
  if (!locked?.length) return;
  const live = locked.filter((n) => model.registry.heldByAnother(n.entry, n.status));
  const names = locked.map((n) => `'${n.name}'`).join(', ');
  const holders = live
    .map((n) => vscode.l10n.t("'{0}' is held by {1} (pid {2})", n.name, n.entry.lock?.holderHost ?? '?', n.entry.lock?.holderPid ?? '?'))
    .join('; ');
  const detail = live.length
    ? vscode.l10n.t('{0}: its holder will report the lease lost.', holders)
    : vscode.l10n.t('The lock is stale: its holder is gone or its lease expired.');
  if (!(await confirm(vscode.l10n.t('Release the lock on {0}?', names), detail, vscode.l10n.t('Release'), scripted(options).yes))) return;
  // In the Components view (its progress bar), rather than a notification.
  await guarded(vscode.l10n.t('Releasing the lock'), async () =>
    vscode.window.withProgress({ location: { viewId: 'hubkeeper.components' }, title: vscode.l10n.t('Releasing {0}', names) }, async () => {
      // Force only what the dialog named as held by someone else; the rest is re-checked at
      // release time, so a lock renewed since the view was drawn is refused, not stolen.
      for (const n of locked) await model.registry.release(n.name, { force: live.includes(n) });
      await model.refreshRegistry();
      vscode.window.setStatusBarMessage(vscode.l10n.t('Released {0}', names), 4000);
    }),
  );
}
