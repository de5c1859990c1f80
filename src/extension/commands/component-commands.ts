import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { pythonJson, pythonString } from '../../core/json/python-json';
import { JsonSyntaxError, parseJson } from '../../core/json/parse-json';
import { writeFileAtomic } from '../../core/fs/atomic-write';
import { nameProblem } from '../../core/registry/names';
import { workspaceRegistryPathProblem } from '../../core/registry/registry-name';
import { ComponentRegistry } from '../../core/registry/component-registry';
import { ComponentType, emptyDocument } from '../../core/registry/types';
import { HubkeeperModel } from '../model';
import { ComponentNode, ComponentsProvider, InvalidComponentNode } from '../views/components-view';
import { isTrusted, refuse, registerCommand } from '../trust';
import { confirm, guarded, scripted, targets } from './ui';

/** Commands on component registry entries: from the Components view and the command palette. */

export function registerComponentCommands(model: HubkeeperModel, provider: ComponentsProvider): vscode.Disposable[] {
  const isComponent = (x: unknown): x is ComponentNode => x instanceof ComponentNode;
  const isEntry = (x: unknown): x is ComponentNode | InvalidComponentNode => x instanceof ComponentNode || x instanceof InvalidComponentNode;
  const pick = async (title: string, filter: (n: ComponentNode) => boolean = () => true): Promise<ComponentNode[] | undefined> => {
    const nodes = provider.components().filter(filter);
    if (nodes.length === 0) {
      void vscode.window.showInformationMessage(`Hubkeeper: no components to ${title.toLowerCase()}.`);
      return undefined;
    }
    const chosen = await vscode.window.showQuickPick(
      nodes.map((n) => ({ label: n.name, description: `${n.entry.componentType} · ${n.lockText}`, detail: n.entry.id, node: n })),
      { title, placeHolder: 'Pick a component', matchOnDescription: true },
    );
    return chosen ? [chosen.node] : undefined;
  };
  const changed = () => model.refreshRegistry();
  const reg = registerCommand; // write commands refuse in an untrusted workspace (trust.ts)

  return [
    reg('hubkeeper.components.rename', async (clicked?: unknown, _selected?: unknown, options?: unknown) => {
      const opts = scripted(options);
      const [node] = (await targets(clicked, undefined, isComponent, () => pick('Rename Component'))) ?? [];
      if (!node) return;
      const existing = new Set(model.doc?.entries.keys() ?? []);
      const newName = opts.newName ?? await vscode.window.showInputBox({
        title: `Rename '${node.name}'`,
        prompt: 'The new name. The component keeps its ID.',
        value: node.name,
        valueSelection: [0, node.name.length],
        validateInput: (value) => (value === node.name ? 'Type a different name' : (nameProblem(value) ?? (existing.has(value) ? `'${value}' already exists` : undefined))),
      });
      if (newName === undefined) return;
      let force = false;
      const status = model.registry.lockStatus(node.entry);
      if (status.state === 'held' && node.entry.lock?.holderInstance !== model.registry.holder.instanceId) {
        force = await confirm(`'${node.name}' is locked by ${node.entry.lock?.holderHost} (pid ${node.entry.lock?.holderPid}).`, 'Renaming it clears that lock; the holder will report its lease lost.', 'Rename Anyway', opts.yes);
        if (!force) return;
      }
      await guarded(`Renaming '${node.name}'`, async () => {
        await model.registry.rename(node.name, newName, { force });
        await changed();
        vscode.window.setStatusBarMessage(`Renamed '${node.name}' to '${newName}'`, 4000);
      });
    }),

    reg('hubkeeper.components.release', async (clicked?: unknown, selected?: unknown, options?: unknown) => {
      const nodes = await targets(clicked, selected, isComponent, () => pick('Release Component Lock', (n) => n.lockState !== 'free'));
      const locked = nodes?.filter((n) => n.entry.lock);
      if (!locked?.length) return;
      const live = locked.filter((n) => n.lockState === 'held' && n.entry.lock?.holderInstance !== model.registry.holder.instanceId);
      const names = locked.map((n) => `'${n.name}'`).join(', ');
      const detail = live.length ? `${live.map((n) => `'${n.name}' is held by ${n.entry.lock?.holderHost} (pid ${n.entry.lock?.holderPid})`).join('; ')}: its holder will report the lease lost.` : 'The lock is stale: its holder is gone or its lease expired.';
      if (!(await confirm(`Release the lock on ${names}?`, detail, 'Release', scripted(options).yes))) return;
      await guarded('Releasing the lock', async () => {
        // Force only what the dialog named as held by someone else; the rest is re-checked at
        // release time, so a lock renewed since the view was drawn is refused, not stolen.
        for (const n of locked) await model.registry.release(n.name, { force: live.includes(n) });
        await changed();
        vscode.window.setStatusBarMessage(`Released ${names}`, 4000);
      });
    }),

    reg('hubkeeper.components.delete', async (clicked?: unknown, selected?: unknown, options?: unknown) => {
      const nodes = await targets(clicked, selected, isEntry, () => pick('Delete Component Entry'));
      if (!nodes?.length) return;
      const names = nodes.map((n) => `'${n.name}'`).join(', ');
      const held = nodes.filter((n): n is ComponentNode => n instanceof ComponentNode && n.lockState === 'held' && n.entry.lock?.holderInstance !== model.registry.holder.instanceId);
      const heldNote = held.length ? ` ${held.map((n) => `'${n.name}' is locked by ${n.entry.lock?.holderHost} (pid ${n.entry.lock?.holderPid})`).join('; ')}: deleting it takes its name away from a running holder.` : '';
      if (!(await confirm(`Delete ${names} from the registry?`, `Their IDs are gone for good: a component that resolves the name again gets a new ID.${heldNote}`, 'Delete', scripted(options).yes))) return;
      await guarded('Deleting the entry', async () => {
        for (const n of nodes) await model.registry.remove(n.name, { force: held.includes(n as ComponentNode) });
        await changed();
      });
    }),

    reg('hubkeeper.components.copyId', async (clicked?: unknown) => {
      const [node] = (await targets(clicked, undefined, isComponent, () => pick('Copy Component ID'))) ?? [];
      if (!node) return;
      await vscode.env.clipboard.writeText(node.entry.id);
      vscode.window.setStatusBarMessage(`Copied ${node.entry.id}`, 3000);
    }),

    reg('hubkeeper.components.reveal', async (clicked?: unknown) => {
      const [node] = (await targets(clicked, undefined, isEntry, () => pick('Reveal in registry.json'))) ?? [];
      if (!node) return;
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(model.registry.path));
      const offset = doc.getText().indexOf(`\n    ${pythonString(node.name)}: `);
      const editor = await vscode.window.showTextDocument(doc);
      if (offset >= 0) {
        const pos = doc.positionAt(offset + 5);
        editor.selection = new vscode.Selection(pos, pos.translate(0, pythonString(node.name).length));
        editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenter);
      }
    }),

    reg('hubkeeper.components.filter', async () => {
      const text = await vscode.window.showInputBox({ title: 'Filter Components', prompt: 'Show names containing this text; prefix with a type and a colon to show one type (node:robot)', value: provider.filter.text ?? '' });
      if (text === undefined) return;
      const m = /^(node|module|manager|experiment|workcell):(.*)$/.exec(text.trim());
      provider.setFilter(m ? { types: [m[1] as ComponentType], text: m[2] } : { text: text.trim() });
    }),

    reg('hubkeeper.components.clearFilter', () => provider.setFilter({})),

    reg('hubkeeper.components.cleanStale', async (_clicked?: unknown, _selected?: unknown, options?: unknown) => {
      const opts = scripted(options);
      const ages = [
        { label: '7 days', days: 7 },
        { label: '1 day', days: 1 },
        { label: '30 days', days: 30 },
        { label: '1 hour', days: 1 / 24 },
      ];
      const age = opts.olderThanDays !== undefined ? { label: `${opts.olderThanDays} days`, days: opts.olderThanDays } : await vscode.window.showQuickPick(ages, { title: 'Clean Stale Components', placeHolder: 'Remove unlocked entries not seen for…' });
      if (!age) return;
      const names = await guarded('Checking for stale entries', () => model.registry.cleanStale({ olderThanDays: age.days, dryRun: true }));
      if (!names) return;
      if (names.length === 0) return void vscode.window.showInformationMessage(`Hubkeeper: no unlocked entries unseen for ${age.label}.`);
      if (!(await confirm(`Remove ${names.length} stale entr${names.length === 1 ? 'y' : 'ies'}?`, names.slice(0, 20).join(', ') + (names.length > 20 ? `, and ${names.length - 20} more` : ''), 'Remove', opts.yes))) return;
      await guarded('Cleaning stale entries', async () => {
        const removed = await model.registry.cleanStale({ olderThanDays: age.days });
        await changed();
        void vscode.window.showInformationMessage(`Hubkeeper removed ${removed.length} stale entr${removed.length === 1 ? 'y' : 'ies'}.`);
      });
    }),

    reg('hubkeeper.components.export', async (_clicked?: unknown, _selected?: unknown, options?: unknown) => {
      const file = scripted(options).file;
      const target = file ? vscode.Uri.file(file) : await vscode.window.showSaveDialog({ title: 'Export Registry', defaultUri: vscode.Uri.file(path.join(path.dirname(model.registry.path), 'registry-export.json')), filters: { JSON: ['json'] } });
      if (!target) return;
      await guarded('Exporting the registry', async () => {
        await writeFileAtomic(target.fsPath, pythonJson(await model.registry.export()));
        void vscode.window.showInformationMessage(`Hubkeeper exported the registry to ${target.fsPath}.`);
      });
    }),

    reg('hubkeeper.components.import', async (_clicked?: unknown, _selected?: unknown, options?: unknown) => {
      const { file, mode } = scripted(options);
      const source = file ? vscode.Uri.file(file) : (await vscode.window.showOpenDialog({ title: 'Import into Registry', canSelectMany: false, filters: { JSON: ['json'] } }))?.[0];
      if (!source) return;
      const how =
        mode ??
        (
          await vscode.window.showQuickPick(
            [
              { label: 'Merge', description: 'add the names not in the registry yet', value: 'merge' as const },
              { label: 'Replace', description: 'replace every entry', value: 'replace' as const },
            ],
            { title: `Import ${path.basename(source.fsPath)}` },
          )
        )?.value;
      if (!how) return;
      if (how === 'replace' && !mode && !(await confirm('Replace every entry of the registry?', 'Entries not in the imported file are removed, with their IDs.', 'Replace'))) return;
      await guarded(`Importing ${path.basename(source.fsPath)}`, async () => {
        let data;
        try {
          data = parseJson(fs.readFileSync(source.fsPath, 'utf8'));
        } catch (err) {
          throw new Error(`${source.fsPath}: ${err instanceof JsonSyntaxError ? `not valid JSON: ${err.message}` : (err as Error).message}`);
        }
        const added = await model.registry.import(data, { merge: how === 'merge', source: source.fsPath });
        await changed();
        void vscode.window.showInformationMessage(`Hubkeeper ${how === 'merge' ? 'added' : 'imported'} ${added.length} entr${added.length === 1 ? 'y' : 'ies'}.`);
      });
    }),

    reg('hubkeeper.components.openRegistry', async () => {
      if (fs.existsSync(model.registry.path)) return void (await vscode.window.showTextDocument(vscode.Uri.file(model.registry.path)));
      if (!isTrusted()) return void refuse('Open Registry File (choose another registry)');
      const chosen = await vscode.window.showOpenDialog({ title: 'Open Registry File', canSelectMany: false, filters: { JSON: ['json'] } });
      if (!chosen) return;
      // Stored in the workspace settings, where only an existing registry.json is accepted (settings.ts).
      const problem = workspaceRegistryPathProblem(chosen[0].fsPath);
      if (problem) return void vscode.window.showWarningMessage(`Hubkeeper: ${chosen[0].fsPath} is not used as the registry: ${problem}.`);
      await vscode.workspace.getConfiguration('hubkeeper').update('registryPath', chosen[0].fsPath, vscode.ConfigurationTarget.Workspace);
    }),

    reg('hubkeeper.components.createRegistry', async () => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      const file = folder ? path.join(folder.uri.fsPath, '.madsci', 'registry.json') : model.registry.path;
      await guarded('Creating the registry', async () => {
        await new ComponentRegistry(file, { ...model.registryOptions(), holder: model.registry.holder }).file.update((doc, now) => ({ doc: doc ?? emptyDocument(now), result: undefined }));
        model.configure();
        await changed();
        void vscode.window.showInformationMessage(`Hubkeeper created ${file}.`);
      });
    }),
  ];
}
