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
        title: 'Export Registry',
        defaultUri: vscode.Uri.file(path.join(path.dirname(model.registry.path), 'registry-export.json')),
        filters: { JSON: ['json'] },
      });
  if (!target) return;
  await guarded('Exporting the registry', async () => {
    await writeFileAtomic(target.fsPath, pythonJson(await model.registry.export()));
    void vscode.window.showInformationMessage(`Hubkeeper exported the registry to ${target.fsPath}.`);
  });
}

const MODES = [
  { label: 'Merge', description: 'add the names not in the registry yet', value: 'merge' as const },
  { label: 'Replace', description: 'replace every entry', value: 'replace' as const },
];

export async function importRegistry({ model }: CommandContext, _clicked?: unknown, _selected?: unknown, options?: unknown): Promise<void> {
  const { file, mode } = scripted(options);
  const source = file
    ? vscode.Uri.file(file)
    : (await vscode.window.showOpenDialog({ title: 'Import into Registry', canSelectMany: false, filters: { JSON: ['json'] } }))?.[0];
  if (!source) return;
  const how = mode ?? (await vscode.window.showQuickPick(MODES, { title: `Import ${path.basename(source.fsPath)}` }))?.value;
  if (!how) return;
  if (
    how === 'replace' &&
    !mode &&
    !(await confirm('Replace every entry of the registry?', 'Entries not in the imported file are removed, with their IDs.', 'Replace'))
  )
    return;
  await guarded(`Importing ${path.basename(source.fsPath)}`, async () => {
    const { data } = readImportFile(source.fsPath);
    const added = await model.registry.import(data, { merge: how === 'merge', source: source.fsPath });
    await model.refreshRegistry();
    void vscode.window.showInformationMessage(
      `Hubkeeper ${how === 'merge' ? 'added' : 'imported'} ${added.length} entr${added.length === 1 ? 'y' : 'ies'}.`,
    );
  });
}
