import * as vscode from 'vscode';
import { CommandContext } from './command-context';
import { confirm, guarded, scripted } from './ui';

/** The ages offered, in the order people pick them; read at each run, in the window's language. */
const ages = () => [
  { label: vscode.l10n.t('7 days'), days: 7 },
  { label: vscode.l10n.t('1 day'), days: 1 },
  { label: vscode.l10n.t('30 days'), days: 30 },
  { label: vscode.l10n.t('1 hour'), days: 1 / 24 },
];

/** Clean Stale Components…: entries unseen that long and without a live lock, after a dry run and a question. */
export async function cleanStaleComponents(
  { model }: CommandContext,
  _clicked?: unknown,
  _selected?: unknown,
  options?: unknown,
): Promise<void> {
  const opts = scripted(options);
  const age =
    opts.olderThanDays !== undefined
      ? { label: vscode.l10n.t('{0} days', opts.olderThanDays), days: opts.olderThanDays }
      : await vscode.window.showQuickPick(ages(), {
          title: vscode.l10n.t('Clean Stale Components'),
          placeHolder: vscode.l10n.t('Remove unlocked entries not seen for…'),
        });
  if (!age) return;
  const names = await guarded(vscode.l10n.t('Checking for stale entries'), () =>
    model.registry.cleanStale({ olderThanDays: age.days, dryRun: true }),
  );
  if (!names) return;
  if (names.length === 0)
    return void vscode.window.showInformationMessage(vscode.l10n.t('Hubkeeper: no unlocked entries unseen for {0}.', age.label));
  const shown = names.slice(0, 20).join(', ');
  if (
    !(await confirm(
      names.length === 1 ? vscode.l10n.t('Remove 1 stale entry?') : vscode.l10n.t('Remove {0} stale entries?', names.length),
      names.length > 20 ? vscode.l10n.t('{0}, and {1} more', shown, names.length - 20) : shown,
      vscode.l10n.t('Remove'),
      opts.yes,
    ))
  )
    return;
  await guarded(vscode.l10n.t('Cleaning stale entries'), async () => {
    const removed = await model.registry.cleanStale({ olderThanDays: age.days });
    await model.refreshRegistry();
    void vscode.window.showInformationMessage(
      removed.length === 1
        ? vscode.l10n.t('Hubkeeper removed 1 stale entry.')
        : vscode.l10n.t('Hubkeeper removed {0} stale entries.', removed.length),
    );
  });
}
