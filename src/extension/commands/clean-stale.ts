import * as vscode from 'vscode';
import { CommandContext } from './command-context';
import { confirm, guarded, scripted } from './ui';

const AGES = [
  { label: '7 days', days: 7 },
  { label: '1 day', days: 1 },
  { label: '30 days', days: 30 },
  { label: '1 hour', days: 1 / 24 },
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
      ? { label: `${opts.olderThanDays} days`, days: opts.olderThanDays }
      : await vscode.window.showQuickPick(AGES, { title: 'Clean Stale Components', placeHolder: 'Remove unlocked entries not seen for…' });
  if (!age) return;
  const names = await guarded('Checking for stale entries', () => model.registry.cleanStale({ olderThanDays: age.days, dryRun: true }));
  if (!names) return;
  if (names.length === 0) return void vscode.window.showInformationMessage(`Hubkeeper: no unlocked entries unseen for ${age.label}.`);
  if (
    !(await confirm(
      `Remove ${names.length} stale entr${names.length === 1 ? 'y' : 'ies'}?`,
      names.slice(0, 20).join(', ') + (names.length > 20 ? `, and ${names.length - 20} more` : ''),
      'Remove',
      opts.yes,
    ))
  )
    return;
  await guarded('Cleaning stale entries', async () => {
    const removed = await model.registry.cleanStale({ olderThanDays: age.days });
    await model.refreshRegistry();
    void vscode.window.showInformationMessage(`Hubkeeper removed ${removed.length} stale entr${removed.length === 1 ? 'y' : 'ies'}.`);
  });
}
