import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ComponentRegistry } from '../../core/registry/component-registry';
import { workspaceRegistryPathProblem } from '../../core/registry/registry-name';
import { emptyDocument } from '../../core/registry/types';
import { isTrusted, refuse } from '../trust';
import { CommandContext } from './command-context';
import { guarded } from './ui';

/** Open Registry File and Create Registry Here (the Components view's welcome links). */

export async function openRegistryFile({ model }: CommandContext): Promise<void> {
  if (fs.existsSync(model.registry.path)) return void (await vscode.window.showTextDocument(vscode.Uri.file(model.registry.path)));
  // Choosing another registry writes the workspace settings: a write, refused untrusted.
  if (!isTrusted()) return void refuse(vscode.l10n.t('Open Registry File (choose another registry)'));
  const chosen = await vscode.window.showOpenDialog({
    title: vscode.l10n.t('Open Registry File'),
    canSelectMany: false,
    filters: { JSON: ['json'] },
  });
  if (!chosen) return;
  // Stored in the workspace settings, where only an existing registry.json is accepted (settings.ts).
  const problem = workspaceRegistryPathProblem(chosen[0].fsPath);
  if (problem)
    return void vscode.window.showWarningMessage(
      vscode.l10n.t('Hubkeeper: {0} is not used as the registry: {1}.', chosen[0].fsPath, problem),
    );
  await vscode.workspace.getConfiguration('hubkeeper').update('registryPath', chosen[0].fsPath, vscode.ConfigurationTarget.Workspace);
}

export async function createRegistry({ model }: CommandContext): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const file = folder ? path.join(folder.uri.fsPath, '.madsci', 'registry.json') : model.registry.path;
  await guarded(vscode.l10n.t('Creating the registry'), async () => {
    await new ComponentRegistry(file, model.registryOptions()).file.update((doc, now) => ({
      doc: doc ?? emptyDocument(now),
      result: undefined,
    }));
    model.configure();
    await model.refreshRegistry();
    void vscode.window.showInformationMessage(vscode.l10n.t('Hubkeeper created {0}.', file));
  });
}
