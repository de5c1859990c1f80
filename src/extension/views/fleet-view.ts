import * as vscode from 'vscode';
import { groupHubs } from '../../core/overview/hubs-state';
import type { FleetSource } from '../fleet-source';
import type { Badge } from './badge';
import { ComponentNode } from './components-view';
import { FLEET_GROUP, FLEET_INFO, fleetStationContext } from './context-values';
import { conflictModels, fleetBadge, fleetMessage, labEntries, stationDescription, StationModel, stationModels } from './fleet-tree';
import { HubNode } from './hubs-view';
import { StaleHubLockNode, StaleLeaseNode } from './locks-view';
import { ConflictIdNode, ConflictNode, ConflictsNode, LabEntryNode, LabRegistryNode } from './lab-registry-nodes';
import { mdText } from './markdown-text';
import { reconcile, renderedItem } from './tree-refresh';

/**
 * The Fleet view: every station of the lab with its health and, under it, its published
 * components, hubs and stale locks — the local views' node classes with the station set (their id
 * and contextValue carry it, so no local command matches another machine's item) — then the lab
 * registry with its conflicts. Data from the window's FleetFeed (fleet-tree.ts shapes it); the
 * connection is the view's message, never a modal.
 */

const t = vscode.l10n.t;
const HEALTH_ICONS: Record<string, [string, string | undefined]> = {
  healthy: ['vm-running', 'charts.green'],
  stale: ['vm-outline', 'charts.yellow'],
  gone: ['vm-outline', 'charts.red'],
  stopped: ['debug-stop', 'disabledForeground'],
};

export class StationNode {
  constructor(
    readonly model: StationModel,
    readonly children: FleetElement[],
  ) {}

  treeItem(): vscode.TreeItem {
    const m = this.model;
    const item = new vscode.TreeItem(m.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `fleet-station:${m.name}`;
    item.description = stationDescription(m, t);
    const [icon, color] = m.isThis ? ['star-full', 'charts.green'] : (HEALTH_ICONS[m.health] ?? ['vm-outline', undefined]);
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    item.contextValue = fleetStationContext(m.health, m.isThis);
    item.accessibilityInformation = { label: `${m.name}, ${item.description}` };
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${mdText(m.name)}**${m.isThis ? ` · ${mdText(t('this machine'))}` : ''}\n\n| | |\n|---|---|\n`);
    const rows: [string, string | undefined][] = [
      [t('Health'), m.healthText],
      [t('Last heartbeat'), m.lastHeartbeat ?? undefined],
      [t('Remote actions allowed'), m.allowRemote.join(', ') || t('none')],
      [t('Registry'), m.state?.registryPath],
    ];
    for (const [k, v] of rows) if (v) md.appendMarkdown(`| ${mdText(k)} | ${mdText(v)} |\n`);
    item.tooltip = md;
    return item;
  }
}

/** A station's Components, Hubs or Stale Locks. */
export class FleetGroupNode {
  constructor(
    readonly station: string,
    readonly kind: 'components' | 'hubs' | 'staleLocks',
    readonly children: FleetElement[],
  ) {}

  treeItem(): vscode.TreeItem {
    const label = { components: t('Components'), hubs: t('Hubs'), staleLocks: t('Stale Locks') }[this.kind];
    const item = new vscode.TreeItem(
      label,
      this.kind === 'components' ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded,
    );
    item.id = `fleet-group:${this.station}:${this.kind}`;
    item.description = String(this.children.length);
    item.contextValue = FLEET_GROUP;
    item.iconPath = new vscode.ThemeIcon({ components: 'symbol-namespace', hubs: 'broadcast', staleLocks: 'unlock' }[this.kind]);
    return item;
  }
}

/** A note: a station that has published nothing yet, or items its state had that were left out. */
export class FleetInfoNode {
  constructor(
    readonly key: string,
    readonly label: string,
    readonly detail: string,
    readonly warning: boolean,
  ) {}

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.None);
    item.id = `fleet-info:${this.key}`;
    item.contextValue = FLEET_INFO;
    item.iconPath = new vscode.ThemeIcon(this.warning ? 'warning' : 'info');
    item.tooltip = this.detail;
    return item;
  }
}

export type FleetElement =
  | StationNode
  | FleetGroupNode
  | FleetInfoNode
  | ComponentNode
  | HubNode
  | StaleLeaseNode
  | StaleHubLockNode
  | LabRegistryNode
  | LabEntryNode
  | ConflictsNode
  | ConflictNode
  | ConflictIdNode;

const childrenOf = (n: FleetElement): FleetElement[] => ('children' in n && Array.isArray(n.children) ? n.children : []);

export class FleetProvider implements vscode.TreeDataProvider<FleetElement> {
  private readonly changed = new vscode.EventEmitter<FleetElement[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly statusChanged = new vscode.EventEmitter<void>();
  /** The message or the badge changed. */
  readonly onDidChangeStatus = this.statusChanged.event;
  private roots: FleetElement[] = [];
  private parents = new Map<FleetElement, FleetElement>();
  private source: FleetSource | undefined;
  private subscribed: { feed: unknown; off: () => void } | undefined;
  message: string | undefined = fleetMessage(undefined, t);
  badge: Badge | undefined;

  /** The window's lab connection (window-lab.ts); the feed behind it may change: call sync() then. */
  setSource(source: FleetSource | undefined): void {
    this.source = source;
    this.sync();
  }

  get station(): string | undefined {
    return this.source?.station;
  }

  client() {
    return this.source?.client();
  }

  /** Follows the source's current feed (after Connect, Disconnect, a settings change). */
  sync(): void {
    const feed = this.source?.feed;
    if (this.subscribed?.feed !== feed) {
      this.subscribed?.off();
      this.subscribed = feed ? { feed, off: feed.onChange(() => this.rebuild()) } : undefined;
    }
    this.rebuild();
  }

  async refresh(): Promise<void> {
    await this.source?.feed?.refresh();
  }

  /** Every node, depth first (for the commands' palette picks and for tests). */
  nodes(): FleetElement[] {
    const out: FleetElement[] = [];
    const walk = (ns: FleetElement[]) => ns.forEach((n) => (out.push(n), walk(childrenOf(n))));
    walk(this.roots);
    return out;
  }

  getTreeItem(element: FleetElement): vscode.TreeItem {
    return element.treeItem();
  }

  getChildren(element?: FleetElement): FleetElement[] {
    return element ? childrenOf(element) : this.roots;
  }

  getParent(element: FleetElement): FleetElement | undefined {
    return this.parents.get(element);
  }

  dispose(): void {
    this.subscribed?.off();
  }

  rebuild(): void {
    const feed = this.source?.feed;
    const snapshot = feed?.snapshot;
    const stations = stationModels(snapshot, t, Date.now(), this.source?.station);
    const conflicts = conflictModels(snapshot, stations, t);
    const next: FleetElement[] = stations.map(stationNode);
    if (snapshot) {
      const lab: (ConflictsNode | LabEntryNode)[] = labEntries(snapshot).map((e) => new LabEntryNode(e));
      if (conflicts.length)
        lab.unshift(
          new ConflictsNode(
            conflicts.map(
              (c) =>
                new ConflictNode(
                  c,
                  c.ids.map((i) => new ConflictIdNode(i)),
                ),
            ),
          ),
        );
      next.push(new LabRegistryNode(lab));
    }
    const { roots, changed } = reconcile(
      this.roots,
      next,
      (n) => String(n.treeItem().id),
      (n) => renderedItem(n.treeItem()),
      childrenOf,
    );
    this.roots = roots;
    this.parents = new Map();
    const link = (ns: FleetElement[], parent?: FleetElement) =>
      ns.forEach((n) => (parent && this.parents.set(n, parent), link(childrenOf(n), n)));
    link(this.roots);
    if (changed === 'all') this.changed.fire(undefined);
    else if (changed.length) this.changed.fire(changed);
    // The window's connection, not only the feed's: while the lab is away there may be no feed at all.
    this.message = fleetMessage(this.source?.connection, t);
    this.badge = fleetBadge(stations, conflicts, t);
    this.statusChanged.fire();
  }
}

function stationNode(m: StationModel): StationNode {
  const ref = { name: m.name, isThis: m.isThis };
  const st = m.state;
  if (!st) return new StationNode(m, [new FleetInfoNode(`${m.name}:unpublished`, t('has published no state yet'), '', false)]);
  const components = st.components.map((c) => new ComponentNode(c.entry, st.registryPath, c.status, ref));
  const hubs = groupHubs(st.hubs.map((h) => ({ ...h, state: h.info.state })))
    .flatMap((g) => g.hubs)
    .map((h) => new HubNode(h.info, false, { ...ref, startTicks: h.startTicks }));
  const stale = [
    ...st.staleLeases.map((c) => new StaleLeaseNode(c.entry, c.status, st.registryPath, ref)),
    ...st.staleHubLocks.map((l) => new StaleHubLockNode(l.workspace, l.state, ref)),
  ];
  const children: FleetElement[] = [
    new FleetGroupNode(m.name, 'components', components),
    new FleetGroupNode(m.name, 'hubs', hubs),
    new FleetGroupNode(m.name, 'staleLocks', stale),
  ];
  if (st.dropped.length)
    children.push(new FleetInfoNode(`${m.name}:dropped`, t('some published items were left out'), st.dropped.join('\n'), true));
  return new StationNode(m, children);
}
