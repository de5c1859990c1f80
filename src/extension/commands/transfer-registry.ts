import * as path from 'node:path';
import * as vscode from 'vscode';
import { writeFileAtomic } from '../../core/fs/atomic-write';
import { pythonJson } from '../../core/json/python-json';
import { readImportFile } from '../../core/registry/import-file';
import { CommandContext } from './command-context';
import { confirm, guarded, scripted } from './ui';

/** Export Registry… and Import into Registry… (the CLI's `components export` / `import`, through the same core calls). */

export async function exportRegistry({ model }: CommandContext, _clicked?: unknown, _selected?: unknown, options?: unknown): Promise<void> {
  const file = scripted(options).file;
  const target = file
    ? vscode.Uri.file(file)
    : await vscode.window.showSaveDialog({
        title: vscode.l10n.t('Export Registry'),
        defaultUri: vscode.Uri.file(path.join(path.dirname(model.registry.path), 'registry-export.json')),
        filters: { JSON: ['json'] },
      });
  if (!target) return;
  await guarded(vscode.l10n.t('Exporting the registry'), async () => {
    await writeFileAtomic(target.fsPath, pythonJson(await model.registry.export()));
    void vscode.window.showInformationMessage(vscode.l10n.t('Hubkeeper exported the registry to {0}.', target.fsPath));
  });
}

const modes = () => [
  { label: vscode.l10n.t('Merge'), description: vscode.l10n.t('add the names not in the registry yet'), value: 'merge' as const },
  { label: vscode.l10n.t('Replace'), description: vscode.l10n.t('replace every entry'), value: 'replace' as const },
];

export async function importRegistry({ model }: CommandContext, _clicked?: unknown, _selected?: unknown, options?: unknown): Promise<void> {
  const { file, mode } = scripted(options);
  const source = file
    ? vscode.Uri.file(file)
    : (
        await vscode.window.showOpenDialog({
          title: vscode.l10n.t('Import into Registry'),
          canSelectMany: false,
          filters: { JSON: ['json'] },
        })
      )?.[0];
  if (!source) return;
  const how =
    mode ?? (await vscode.window.showQuickPick(modes(), { title: vscode.l10n.t('Import {0}', path.basename(source.fsPath)) }))?.value;
  if (!how) return;
  if (
    how === 'replace' &&
    !mode &&
    !(await confirm(
      vscode.l10n.t('Replace every entry of the registry?'),
      vscode.l10n.t('Entries not in the imported file are removed, with their IDs.'),
      vscode.l10n.t('Replace'),
    ))
  )
    return;
  await guarded(vscode.l10n.t('Importing {0}', path.basename(source.fsPath)), async () => {
    const { data } = readImportFile(source.fsPath);
    const added = await model.registry.import(data, { merge: how === 'merge', source: source.fsPath });
    await model.refreshRegistry();
    const one = added.length === 1;
    void vscode.window.showInformationMessage(
      how === 'merge'
        ? one
          ? vscode.l10n.t('Hubkeeper added 1 entry.')
          : vscode.l10n.t('Hubkeeper added {0} entries.', added.length)
        : one
          ? vscode.l10n.t('Hubkeeper imported 1 entry.')
          : vscode.l10n.t('Hubkeeper imported {0} entries.', added.length),
    );
  });
}
