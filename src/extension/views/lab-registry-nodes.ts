import * as vscode from 'vscode';
import type { LabEntrySummary } from '../../core/fleet/fleet-snapshot';
import { conflictIdContext, LAB_CONFLICT, LAB_CONFLICTS, LAB_ENTRY, LAB_REGISTRY } from './context-values';
import { AdoptChoice, ConflictModel, labLockText } from './fleet-tree';
import { mdCode, mdText } from './markdown-text';

/**
 * The Fleet view's Lab Registry: its entries with the lab lock, holder and fencing token, and the
 * conflicts (a name with two ids) as warnings with where each id lives, on which "Adopt the Lab's
 * ID on <station>" is offered when fleet-tree.ts says so.
 */

const t = vscode.l10n.t;

export class LabRegistryNode {
  constructor(readonly children: (ConflictsNode | LabEntryNode)[]) {}

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(t('Lab Registry'), vscode.TreeItemCollapsibleState.Expanded);
    item.id = 'fleet-lab';
    item.contextValue = LAB_REGISTRY;
    item.iconPath = new vscode.ThemeIcon('database');
    return item;
  }
}

export class LabEntryNode {
  readonly children: never[] = [];
  constructor(readonly entry: LabEntrySummary) {}

  treeItem(): vscode.TreeItem {
    const e = this.entry;
    const item = new vscode.TreeItem(e.name, vscode.TreeItemCollapsibleState.None);
    item.id = `fleet-lab-entry:${e.name}`;
    const lock = labLockText(e, t);
    item.description = `${lock} · ${e.id.slice(0, 8)}…`;
    item.contextValue = LAB_ENTRY;
    item.iconPath = new vscode.ThemeIcon(e.lock ? 'lock' : 'circle-outline', e.lock ? new vscode.ThemeColor('charts.green') : undefined);
    item.accessibilityInformation = { label: `${e.name}, ${lock}` };
    item.tooltip = new vscode.MarkdownString(`**${mdText(e.name)}** ${mdCode(e.id)}\n\n${mdText(lock)}`);
    return item;
  }
}

export class ConflictsNode {
  constructor(readonly children: ConflictNode[]) {}

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(t('Conflicts'), vscode.TreeItemCollapsibleState.Expanded);
    item.id = 'fleet-conflicts';
    item.description = String(this.children.length);
    item.contextValue = LAB_CONFLICTS;
    item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
    return item;
  }
}

/** A name with two ids: a warning, with where each id lives under it. */
export class ConflictNode {
  constructor(
    readonly model: ConflictModel,
    readonly children: ConflictIdNode[],
  ) {}

  treeItem(): vscode.TreeItem {
    const c = this.model;
    const item = new vscode.TreeItem(c.name, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `fleet-conflict:${c.name}`;
    item.description = t('{0} ids · lab: {1}', new Set(c.ids.map((i) => i.stationId)).size, c.labId ?? t('none'));
    item.contextValue = LAB_CONFLICT;
    item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
    item.tooltip = new vscode.MarkdownString(
      `**${mdText(c.name)}**: ${mdText(t('a name with two ids'))}\n\n${mdText(t("Lab's id"))}: ${c.labId ? mdCode(c.labId) : '—'}\n\n` +
        c.ids.map((i) => `- ${mdText(i.station)}: ${mdCode(i.stationId)}`).join('\n'),
    );
    return item;
  }
}

/** Where one id of a conflicting name lives; "Adopt the Lab's ID on <station>" when offered. */
export class ConflictIdNode {
  readonly children: never[] = [];
  constructor(readonly choice: AdoptChoice) {}

  get contextValue(): string {
    return conflictIdContext(this.choice.offered);
  }

  treeItem(): vscode.TreeItem {
    const c = this.choice;
    const item = new vscode.TreeItem(c.station, vscode.TreeItemCollapsibleState.None);
    item.id = `fleet-conflict-id:${c.name}:${c.station}`;
    item.description = `${c.stationId}${c.why ? ` · ${c.why}` : ` · ${t("differs from the lab's id")}`}`;
    item.contextValue = this.contextValue;
    item.iconPath = new vscode.ThemeIcon(c.offered ? 'arrow-swap' : 'pass');
    return item;
  }
}
