import * as vscode from 'vscode';
import { pythonJson } from '../../core/json/python-json';
import { UNPUBLISHED_TIME } from '../../core/overview/state-from-json';
import { describeLock } from '../../core/leases/describe-lock';
import { LockState, LockStatus } from '../../core/leases/lease-rules';
import { ComponentType, InvalidEntry, RegistryEntry } from '../../core/registry/types';
import { ago } from '../../core/time/relative';
import { HubkeeperModel } from '../model';
import { ComponentFilter, componentsByType, isFiltering } from './components-tree';
import { COMPONENT_GROUP, componentContext, INVALID_COMPONENT, REGISTRY_ERROR, stationContext, StationRef } from './context-values';
import { mdCode, mdCodeBlock, mdText } from './markdown-text';
import { reconcile, renderedItem } from './tree-refresh';

/**
 * The Components view: the registry grouped by type, as the model's state has it (each entry's
 * lock status is computed once per read, in core/overview). One class per node kind; ids are
 * stable (registry path + name) so a refresh keeps the selection and an open context menu.
 */

export class ComponentGroupNode {
  constructor(
    readonly type: ComponentType | 'unreadable',
    readonly children: (ComponentNode | InvalidComponentNode)[],
  ) {}

  treeItem(registryPath: string): vscode.TreeItem {
    const item = new vscode.TreeItem(groupLabel(this.type), vscode.TreeItemCollapsibleState.Expanded);
    item.id = `group:${registryPath}:${this.type}`;
    item.description = String(this.children.length);
    item.contextValue = COMPONENT_GROUP;
    item.iconPath = new vscode.ThemeIcon(this.type === 'unreadable' ? 'warning' : 'symbol-folder');
    return item;
  }
}

/** A group's label: the type's plural ("nodes"), in the window's language. */
function groupLabel(type: ComponentType | 'unreadable'): string {
  return {
    node: vscode.l10n.t('nodes'),
    module: vscode.l10n.t('modules'),
    manager: vscode.l10n.t('managers'),
    experiment: vscode.l10n.t('experiments'),
    workcell: vscode.l10n.t('workcells'),
    unreadable: vscode.l10n.t('Unreadable entries'),
  }[type];
}

const LOCK_ICONS: Record<LockState, [string, string | undefined]> = {
  held: ['lock', 'charts.green'],
  free: ['circle-outline', undefined],
  expired: ['clock', 'charts.yellow'],
  abandoned: ['debug-disconnect', 'charts.orange'],
};

export class ComponentNode {
  constructor(
    readonly entry: RegistryEntry,
    readonly registryPath: string,
    readonly status: LockStatus,
    /** Set in the Fleet view: the station that published this entry. */
    readonly station?: StationRef,
  ) {}

  get name(): string {
    return this.entry.name;
  }

  get lockState(): LockState {
    return this.status.state;
  }

  get lockText(): string {
    return describeLock(this.entry.lock, this.status);
  }

  get contextValue(): string {
    const local = componentContext(this.lockState);
    return this.station ? stationContext(this.station, local) : local;
  }

  treeItem(): vscode.TreeItem {
    const e = this.entry;
    const item = new vscode.TreeItem(e.name, vscode.TreeItemCollapsibleState.None);
    item.id = `${this.station ? `station:${this.station.name}:` : ''}component:${this.registryPath}:${e.name}`;
    item.description = `${this.lockText} · ${e.id.slice(0, 8)}…`;
    const [icon, color] = LOCK_ICONS[this.lockState];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    item.contextValue = this.contextValue;
    item.accessibilityInformation = { label: `${e.name}, ${e.componentType}, ${this.lockText}` };
    const md = new vscode.MarkdownString(undefined, true);
    // Everything from the file goes through mdText/mdCode (markdown-text.ts): a name is not markup.
    md.appendMarkdown(`**$(${icon}) ${mdText(e.name)}** · ${mdText(e.componentType)}\n\n`);
    // The row names are words (translated, then escaped like any text); the values come from the file.
    const row = (name: string, value: string) => `| ${mdText(name)} | ${value} |\n`;
    md.appendMarkdown(`| | |\n|---|---|\n${row(vscode.l10n.t('ID'), mdCode(e.id))}${row(vscode.l10n.t('Lock'), mdText(this.lockText))}`);
    if (e.lock) {
      md.appendMarkdown(
        row(vscode.l10n.t('Holder'), mdText(vscode.l10n.t('{0} · pid {1}', e.lock.holderHost, e.lock.holderPid))) +
          row(vscode.l10n.t('Acquired'), mdText(e.lock.acquiredAt.text)) +
          row(vscode.l10n.t('Heartbeat'), mdText(e.lock.heartbeatAt.text)) +
          row(vscode.l10n.t('Expires'), mdText(e.lock.expiresAt.text)) +
          row(vscode.l10n.t('Evidence'), mdText(this.status.reason)),
      );
    }
    // Another station publishes a free entry without its times (state-from-json.ts): unknown, not 1970.
    const created = e.createdAt === UNPUBLISHED_TIME ? '—' : e.createdAt.text;
    const lastSeen =
      e.lastSeen === UNPUBLISHED_TIME
        ? '—'
        : vscode.l10n.t('{0} ({1})', e.lastSeen.text, ago(Date.now() - e.lastSeen.millis, vscode.env.language));
    md.appendMarkdown(
      row(vscode.l10n.t('Created'), mdText(created)) +
        row(vscode.l10n.t('Last seen'), mdText(lastSeen)) +
        row(vscode.l10n.t('Workcell'), mdText(e.workcellId ?? '—')) +
        '\n',
    );
    if (this.station) md.appendMarkdown(mdText(vscode.l10n.t('Station {0} · {1}', this.station.name, this.registryPath)) + '\n');
    else md.appendMarkdown(mdCodeBlock(pythonJson(e.metadata), 'json'));
    item.tooltip = md;
    return item;
  }
}

export class InvalidComponentNode {
  constructor(
    readonly entry: InvalidEntry,
    readonly registryPath: string,
  ) {}

  get name(): string {
    return this.entry.name;
  }

  readonly contextValue = INVALID_COMPONENT;

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.entry.name, vscode.TreeItemCollapsibleState.None);
    item.id = `component:${this.registryPath}:${this.entry.name}`;
    item.description = vscode.l10n.t('unreadable, kept as it is');
    item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
    item.contextValue = this.contextValue;
    item.tooltip = new vscode.MarkdownString(this.entry.problems.map((p) => `- ${mdText(p)}`).join('\n'));
    return item;
  }
}

/**
 * The registry can be read, but writes to it are refused (a shared directory, a foreign link): a
 * warning above the entries, with a click to open the file. (A registry that cannot be read at
 * all is the view's message instead.)
 */
export class RegistryErrorNode {
  constructor(
    readonly message: string,
    readonly registryPath: string,
  ) {}

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.message, vscode.TreeItemCollapsibleState.None);
    item.id = `registry-warning:${this.registryPath}`;
    item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
    item.tooltip = this.message;
    item.contextValue = REGISTRY_ERROR;
    item.command = { command: 'hubkeeper.components.openRegistry', title: vscode.l10n.t('Open Registry File') };
    return item;
  }
}

export type ComponentsElement = ComponentGroupNode | ComponentNode | InvalidComponentNode | RegistryErrorNode;

export class ComponentsProvider implements vscode.TreeDataProvider<ComponentsElement> {
  private readonly changed = new vscode.EventEmitter<ComponentsElement[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly filterChanged = new vscode.EventEmitter<ComponentFilter>();
  readonly onDidChangeFilter = this.filterChanged.event;
  filter: ComponentFilter = {};
  private roots: ComponentsElement[] = [];

  constructor(private readonly model: HubkeeperModel) {
    model.onDidChange((what) => what === 'registry' && this.rebuild());
  }

  setFilter(filter: ComponentFilter): void {
    this.filter = filter;
    void vscode.commands.executeCommand('setContext', 'hubkeeper.componentFilterActive', isFiltering(filter));
    this.filterChanged.fire(filter);
    this.rebuild();
  }

  /** Every component node currently shown (for quick picks and tests). */
  components(): ComponentNode[] {
    return this.roots.flatMap((r) =>
      r instanceof ComponentGroupNode ? r.children.filter((c): c is ComponentNode => c instanceof ComponentNode) : [],
    );
  }

  getTreeItem(element: ComponentsElement): vscode.TreeItem {
    return element instanceof ComponentGroupNode ? element.treeItem(this.model.registry.path) : element.treeItem();
  }

  getChildren(element?: ComponentsElement): ComponentsElement[] {
    if (!element) return this.roots;
    return element instanceof ComponentGroupNode ? element.children : [];
  }

  getParent(element: ComponentsElement): ComponentsElement | undefined {
    if (element instanceof ComponentNode || element instanceof InvalidComponentNode)
      return this.roots.find((r) => r instanceof ComponentGroupNode && r.children.includes(element));
    return undefined;
  }

  private rebuild(): void {
    const state = this.model.state.components;
    const path = this.model.registry.path;
    let next: ComponentsElement[];
    // A registry that cannot be read: the view's message says why and what to do
    // (components-tree.ts componentsMessage), and no item hides it.
    if (state.error) next = [];
    else {
      const { groups, invalid } = componentsByType(state, this.filter);
      const nodes: ComponentGroupNode[] = groups.map(
        (g) =>
          new ComponentGroupNode(
            g.type,
            g.components.map((c) => new ComponentNode(c.entry, path, c.status)),
          ),
      );
      if (invalid.length > 0)
        nodes.push(
          new ComponentGroupNode(
            'unreadable',
            invalid.map((r) => new InvalidComponentNode(r, path)),
          ),
        );
      next = state.writeRefused ? [new RegistryErrorNode(vscode.l10n.t('Read-only: {0}', state.writeRefused), path), ...nodes] : nodes;
    }
    // Every heartbeat rebuilds this tree: announce only what changed (tree-refresh.ts).
    const item = (n: ComponentsElement) => this.getTreeItem(n);
    const { roots, changed } = reconcile(
      this.roots,
      next,
      (n) => String(item(n).id),
      (n) => renderedItem(item(n)),
      (n) => (n instanceof ComponentGroupNode ? n.children : []),
    );
    this.roots = roots;
    if (changed === 'all') this.changed.fire(undefined);
    else if (changed.length) this.changed.fire(changed);
  }
}
