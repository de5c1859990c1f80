import * as vscode from 'vscode';
import { parseFilter } from '../views/components-tree';
import { CommandContext } from './command-context';

/** Filter Components… and Clear Component Filter. */

export async function filterComponents({ components }: CommandContext): Promise<void> {
  const text = await vscode.window.showInputBox({
    title: vscode.l10n.t('Filter Components'),
    prompt: vscode.l10n.t('Show names containing this text; prefix with a type and a colon to show one type (node:robot)'),
    value: components.filter.text ?? '',
  });
  if (text !== undefined) components.setFilter(parseFilter(text));
}

export function clearComponentFilter({ components }: CommandContext): void {
  components.setFilter({});
}
