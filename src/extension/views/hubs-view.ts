import * as vscode from 'vscode';
import { HubInfo, HubState } from '../../core/hubs/hub-status';
import { groupHubs, HubGroup } from '../../core/overview/hubs-state';
import { localDuration } from '../../core/time/relative';
import { HubkeeperModel } from '../model';
import { HUB_GROUP, hubContext, stationContext, StationRef } from './context-values';
import { mdText } from './markdown-text';
import { reconcile, renderedItem } from './tree-refresh';

/** The Hubs view: every workspace hub (Hubkeeper's and bones'), in the groups of `hubs list`. */

const ICONS: Record<HubState, [string, string | undefined]> = {
  running: ['broadcast', 'charts.green'],
  unreachable: ['debug-disconnect', 'charts.yellow'],
  orphan: ['warning', 'charts.orange'],
  idle: ['circle-outline', undefined],
  stopped: ['circle-slash', 'disabledForeground'],
};

/** A hub's state as a word of the window's language (the quick pick shows it too). */
export function hubStateText(state: HubState): string {
  return {
    running: vscode.l10n.t('running'),
    unreachable: vscode.l10n.t('unreachable'),
    orphan: vscode.l10n.t('orphan'),
    idle: vscode.l10n.t('idle'),
    stopped: vscode.l10n.t('stopped'),
  }[state];
}

/** The core's group titles (the CLI's too, in English), as the view shows them. */
function groupTitle(title: HubGroup['title']): string {
  return {
    Running: vscode.l10n.t('Running'),
    Orphans: vscode.l10n.t('Orphans'),
    Idle: vscode.l10n.t('Idle'),
    Stopped: vscode.l10n.t('Stopped'),
  }[title];
}

export class HubGroupNode {
  constructor(
    readonly title: HubGroup['title'],
    readonly children: HubNode[],
  ) {}

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(
      groupTitle(this.title),
      this.title === 'Stopped' || this.title === 'Idle'
        ? vscode.TreeItemCollapsibleState.Collapsed
        : vscode.TreeItemCollapsibleState.Expanded,
    );
    item.id = `hub-group:${this.title}`;
    item.description = String(this.children.length);
    item.contextValue = HUB_GROUP;
    return item;
  }
}

export class HubNode {
  constructor(
    readonly hub: HubInfo,
    readonly isOwn: boolean,
    /** Set in the Fleet view: the station that published this hub, and the process start it named. */
    readonly station?: StationRef & { startTicks: number | null },
  ) {}

  get contextValue(): string {
    // Another machine's folder, URL and entry file mean nothing here: no flags for them.
    return this.station ? stationContext(this.station, `hub.${this.hub.state}`) : hubContext(this.hub, this.isOwn);
  }

  treeItem(): vscode.TreeItem {
    const h = this.hub;
    const item = new vscode.TreeItem(h.name, vscode.TreeItemCollapsibleState.None);
    item.id = `${this.station ? `station:${this.station.name}:` : ''}hub:${h.key}`;
    const locale = vscode.env.language;
    const parts = [
      this.isOwn ? vscode.l10n.t('this window') : undefined,
      h.pid ? vscode.l10n.t('pid {0}', h.pid) : undefined,
      h.uptimeMs !== undefined ? vscode.l10n.t('up {0}', localDuration(h.uptimeMs, locale)) : undefined,
      h.state === 'unreachable' ? vscode.l10n.t('no answer') : undefined,
      h.reason && h.state !== 'unreachable' ? h.reason : undefined,
      h.untrusted ? vscode.l10n.t('untrusted entry') : undefined,
      h.kind === 'embedded' && !this.isOwn ? vscode.l10n.t('in an editor') : undefined,
    ];
    item.description = parts.filter(Boolean).join(' · ');
    const [icon, color] = this.isOwn ? ['star-full', 'charts.green'] : ICONS[h.state];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    item.contextValue = this.contextValue;
    const state = hubStateText(h.state);
    item.accessibilityInformation = { label: [h.name, state, h.reason].filter(Boolean).join(', ') };
    const md = new vscode.MarkdownString(undefined, true);
    const heading = [mdText(state), this.isOwn ? mdText(vscode.l10n.t('this window')) : undefined].filter(Boolean).join(' · ');
    md.appendMarkdown(`**$(${icon}) ${mdText(h.name)}** · ${heading}\n\n| | |\n|---|---|\n`);
    const rows: [string, string | undefined][] = [
      [vscode.l10n.t('Folder'), h.cwd],
      [vscode.l10n.t('Reason'), h.reason],
      [vscode.l10n.t('Untrusted'), h.untrusted ? vscode.l10n.t('{0}: shown, never stopped', h.untrusted) : undefined],
      [
        vscode.l10n.t('Runs'),
        h.kind === 'embedded'
          ? vscode.l10n.t('inside an editor (asked to stop, never signalled)')
          : h.kind === 'standalone'
            ? vscode.l10n.t('as its own process')
            : undefined,
      ],
      [vscode.l10n.t('Station'), this.station?.name],
      [vscode.l10n.t('PID'), h.pid?.toString()],
      [vscode.l10n.t('Started'), h.startedAt],
      [vscode.l10n.t('Uptime'), h.uptimeMs !== undefined ? localDuration(h.uptimeMs, locale) : undefined],
      [vscode.l10n.t('URL'), h.hubUrl],
      [
        vscode.l10n.t('From'),
        h.source === 'process-scan'
          ? vscode.l10n.t('process scan (no entry)')
          : h.source === 'bones'
            ? vscode.l10n.t('bones registry')
            : vscode.l10n.t('hubkeeper registry'),
      ],
      [vscode.l10n.t('Entry'), h.record?.file],
      [vscode.l10n.t('Last touched'), h.touchedMs ? new Date(h.touchedMs).toISOString() : undefined],
      [vscode.l10n.t('Lock'), h.lock ? `${h.lock.kind}: ${h.lock.state} (${h.lock.evidence})` : undefined],
    ];
    for (const [k, v] of rows) if (v) md.appendMarkdown(`| ${mdText(k)} | ${mdText(v)} |\n`);
    item.tooltip = md;
    return item;
  }
}

export type HubsElement = HubGroupNode | HubNode;

export class HubsProvider implements vscode.TreeDataProvider<HubsElement> {
  private readonly changed = new vscode.EventEmitter<HubsElement[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: HubGroupNode[] = [];

  constructor(
    private readonly model: HubkeeperModel,
    private readonly isOwn: (cwd: string | undefined) => boolean,
  ) {
    model.onDidChange((what) => what === 'hubs' && this.rebuild());
  }

  hubNodes(): HubNode[] {
    return this.roots.flatMap((g) => g.children);
  }

  getTreeItem(element: HubsElement): vscode.TreeItem {
    return element.treeItem();
  }

  getChildren(element?: HubsElement): HubsElement[] {
    if (!element) return this.roots;
    return element instanceof HubGroupNode ? element.children : [];
  }

  getParent(element: HubsElement): HubsElement | undefined {
    return element instanceof HubNode ? this.roots.find((g) => g.children.includes(element)) : undefined;
  }

  rebuild(): void {
    const own = (h: HubInfo) => h.source === 'hubkeeper' && this.isOwn(h.cwd) && h.pid === process.pid;
    const next = groupHubs(this.model.state.hubs.hubs)
      .filter((g) => g.hubs.length > 0)
      .map(
        (g) =>
          new HubGroupNode(
            g.title,
            g.hubs.map((h) => new HubNode(h, own(h))),
          ),
      );
    // Every probe rebuilds this tree: announce only what changed (tree-refresh.ts).
    const { roots, changed } = reconcile<HubsElement>(
      this.roots,
      next,
      (n) => String(n.treeItem().id),
      (n) => renderedItem(n.treeItem()),
      (n) => (n instanceof HubGroupNode ? n.children : []),
    );
    this.roots = roots as HubGroupNode[];
    if (changed === 'all') this.changed.fire(undefined);
    else if (changed.length) this.changed.fire(changed);
  }
}
