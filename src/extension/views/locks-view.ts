import * as vscode from 'vscode';
import { describeLock } from '../../core/leases/describe-lock';
import { LockStatus } from '../../core/leases/lease-rules';
import { HubLockState } from '../../core/hubs/hub-lock-state';
import { staleLeases } from '../../core/overview/components-state';
import { RegistryEntry } from '../../core/registry/types';
import { HubkeeperModel } from '../model';
import { staleLockContext, stationContext, StationRef } from './context-values';
import { mdText } from './markdown-text';
import { reconcile, renderedItem } from './tree-refresh';

/** The Stale Locks view: expired or abandoned component leases and hub locks whose holder is gone (core/overview). */

export class StaleLeaseNode {
  constructor(
    readonly entry: RegistryEntry,
    readonly status: LockStatus,
    readonly registryPath: string,
    /** Set in the Fleet view: the station that published this lease. */
    readonly station?: StationRef,
  ) {}

  get contextValue(): string {
    return this.station ? stationContext(this.station, staleLockContext('lease')) : staleLockContext('lease');
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.entry.name, vscode.TreeItemCollapsibleState.None);
    item.id = `${this.station ? `station:${this.station.name}:` : ''}stale-lease:${this.registryPath}:${this.entry.name}`;
    item.description = describeLock(this.entry.lock, this.status);
    item.iconPath = new vscode.ThemeIcon(
      this.status.state === 'abandoned' ? 'debug-disconnect' : 'clock',
      new vscode.ThemeColor('charts.yellow'),
    );
    item.contextValue = this.contextValue;
    item.tooltip = new vscode.MarkdownString(
      this.station
        ? vscode.l10n.t(
            '**Component lease** {0} ({1})\n\n{2}\n\nRegistry: {3} on station {4}',
            mdText(this.entry.name),
            mdText(this.entry.componentType),
            mdText(this.status.reason),
            mdText(this.registryPath),
            mdText(this.station.name),
          )
        : vscode.l10n.t(
            '**Component lease** {0} ({1})\n\n{2}\n\nRegistry: {3}',
            mdText(this.entry.name),
            mdText(this.entry.componentType),
            mdText(this.status.reason),
            mdText(this.registryPath),
          ),
    );
    return item;
  }
}

export class StaleHubLockNode {
  constructor(
    readonly workspace: string,
    readonly state: HubLockState,
    /** Set in the Fleet view: the station that published this lock. */
    readonly station?: StationRef,
  ) {}

  get contextValue(): string {
    return this.station ? stationContext(this.station, staleLockContext('hub')) : staleLockContext('hub');
  }

  treeItem(): vscode.TreeItem {
    const name = this.workspace.split('/').pop() || this.workspace;
    const item = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.None);
    item.id = `${this.station ? `station:${this.station.name}:` : ''}stale-hub-lock:${this.state.path}`;
    item.description = vscode.l10n.t('{0} hub lock · {1}', this.state.kind, this.state.evidence);
    item.iconPath = new vscode.ThemeIcon('unlock', new vscode.ThemeColor('charts.yellow'));
    item.contextValue = this.contextValue;
    item.tooltip = new vscode.MarkdownString(
      vscode.l10n.t(
        '**{0} hub lock** of {1}\n\n{2}\n\n{3}',
        mdText(this.state.kind),
        mdText(this.workspace),
        mdText(this.state.evidence),
        mdText(this.state.path),
      ),
    );
    return item;
  }
}

export type LocksElement = StaleLeaseNode | StaleHubLockNode;

export class StaleLocksProvider implements vscode.TreeDataProvider<LocksElement> {
  private readonly changed = new vscode.EventEmitter<LocksElement[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private items: LocksElement[] = [];

  constructor(private readonly model: HubkeeperModel) {
    model.onDidChange(() => this.rebuild());
  }

  nodes(): LocksElement[] {
    return this.items;
  }

  getTreeItem(element: LocksElement): vscode.TreeItem {
    return element.treeItem();
  }

  getChildren(element?: LocksElement): LocksElement[] {
    return element ? [] : this.items;
  }

  getParent(): undefined {
    return undefined;
  }

  private rebuild(): void {
    const { components, hubs } = this.model.state;
    const next: LocksElement[] = [
      ...staleLeases(components).map((c) => new StaleLeaseNode(c.entry, c.status, this.model.registry.path)),
      ...hubs.staleHubLocks.map((l) => new StaleHubLockNode(l.workspace, l.state)),
    ];
    // Rebuilt at every registry and hub refresh: announce only what changed (tree-refresh.ts).
    const { roots, changed } = reconcile<LocksElement>(
      this.items,
      next,
      (n) => String(n.treeItem().id),
      (n) => renderedItem(n.treeItem()),
    );
    this.items = roots;
    if (changed === 'all') this.changed.fire(undefined);
    else if (changed.length) this.changed.fire(changed);
  }
}
