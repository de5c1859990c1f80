import * as vscode from 'vscode';
import { statusText } from './status-text';
import { isTrusted } from './trust';
import { mdText } from './views/markdown-text';
import { FolderHub, FolderHubState, WindowHubs } from './window-hubs';
import { WindowLeases } from './window-leases';
import { ClaimState } from './claims';

const STATE_ICONS: Record<FolderHubState, string> = {
  holding: 'broadcast',
  'held-elsewhere': 'lock',
  disabled: 'circle-outline',
  error: 'error',
  stopped: 'debug-stop',
  starting: 'sync~spin',
  lost: 'warning',
};

/**
 * The window's hub state, left in the status bar: `$(broadcast) robot-cell` while holding,
 * `$(sync~spin)` while starting, held elsewhere, and a warning background only when the lock or a
 * lease was lost. A click opens the hub menu.
 */
export class HubStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('hubkeeper.hub', vscode.StatusBarAlignment.Left, 50);

  constructor(
    private readonly hubs: WindowHubs,
    private readonly leases: WindowLeases,
  ) {
    this.item.name = vscode.l10n.t('Hubkeeper Hub');
    this.item.command = 'hubkeeper.hub.showMenu';
  }

  update(enabled: boolean): void {
    // No folder, no hub: nothing to say (an empty window).
    if (!enabled || !vscode.workspace.workspaceFolders?.length) return this.item.hide();
    const folders = [...this.hubs.folders.values()];
    const lostClaims = this.leases.claims.problems.filter((p) => p.state === 'lost');
    const names = folders.map((f) => f.folder.name);
    const first = folders[0];
    let text = '$(circle-slash) Hubkeeper';
    const lines: string[] = [];
    if (!isTrusted()) {
      text = '$(shield) Hubkeeper';
      lines.push(vscode.l10n.t('Read-only: this folder is not trusted, so no hub runs in this window and no leases are taken.'));
    } else if (!first) lines.push(vscode.l10n.t('No hub runs in this window yet.'));
    else if (folders.some((f) => f.state === 'lost') || lostClaims.length > 0) text = statusText('warning', names);
    else if (folders.some((f) => f.state === 'starting')) text = statusText('sync~spin', names);
    else text = statusText(STATE_ICONS[first.state], names);
    for (const f of folders) lines.push(vscode.l10n.t('**{0}**: {1}', mdText(f.folder.name), mdText(folderText(f))));
    const claims = [...this.leases.claims.statuses.values()];
    if (claims.length)
      lines.push('', vscode.l10n.t('Leases: {0}', mdText(claims.map((c) => `${c.claim.name} (${claimStateText(c.state)})`).join(', '))));
    const warn = text.startsWith('$(warning)');
    this.item.text = text;
    this.item.backgroundColor = warn ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.tooltip = new vscode.MarkdownString(lines.join('\n\n'));
    this.item.accessibilityInformation = {
      label: vscode.l10n.t('Hubkeeper hub: {0}', lines.join('. ').replace(/\*\*/g, '').replace(/\\(.)/g, '$1')),
    };
    this.item.show();
  }

  get text(): string {
    return this.item.text;
  }

  dispose(): void {
    this.item.dispose();
  }
}

/** What a folder's hub is doing, for the tooltip. */
function folderText(f: FolderHub): string {
  switch (f.state) {
    case 'starting':
      return vscode.l10n.t('starting…');
    case 'holding':
      return vscode.l10n.t('hub at {0}', f.session?.url ?? '?');
    case 'held-elsewhere':
      return f.heldBy
        ? vscode.l10n.t('held by another process (pid {0} since {1}); taken over when it goes away', f.heldBy.pid, f.heldBy.since)
        : vscode.l10n.t('held by another process; taken over when it goes away');
    case 'lost':
      return vscode.l10n.t('lost the hub lock: {0}', f.error ?? '');
    case 'error':
      return vscode.l10n.t('hub failed: {0}', f.error ?? '');
    case 'disabled':
      return vscode.l10n.t('hub disabled (hubkeeper.hub.enabled)');
    case 'stopped':
      return f.stoppedBy
        ? vscode.l10n.t('hub stopped at the request of {0}; Restart Hub starts it again', f.stoppedBy)
        : vscode.l10n.t('hub stopped at the request of another process; Restart Hub starts it again');
  }
}

function claimStateText(state: ClaimState): string {
  return {
    held: vscode.l10n.t('held'),
    waiting: vscode.l10n.t('waiting'),
    lost: vscode.l10n.t('lost'),
    error: vscode.l10n.t('error'),
  }[state];
}
