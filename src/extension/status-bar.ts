import * as vscode from 'vscode';
import { statusText } from './status-text';
import { isTrusted } from './trust';
import { mdText } from './views/markdown-text';
import { FolderHubState, WindowHubs } from './window-hubs';
import { WindowLeases } from './window-leases';

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
    this.item.name = 'Hubkeeper Hub';
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
      lines.push('Read-only: this folder is not trusted, so no hub runs in this window and no leases are taken.');
    } else if (!first) lines.push('No hub runs in this window yet.');
    else if (folders.some((f) => f.state === 'lost') || lostClaims.length > 0) text = statusText('warning', names);
    else if (folders.some((f) => f.state === 'starting')) text = statusText('sync~spin', names);
    else text = statusText(STATE_ICONS[first.state], names);
    for (const f of folders) {
      const what = {
        starting: 'starting…',
        holding: `hub at ${f.session?.url ?? '?'}`,
        'held-elsewhere': `held by another process${f.heldBy ? ` (pid ${f.heldBy.pid} since ${f.heldBy.since})` : ''}; taken over when it goes away`,
        lost: `lost the hub lock: ${f.error ?? ''}`,
        error: `hub failed: ${f.error ?? ''}`,
        disabled: 'hub disabled (hubkeeper.hub.enabled)',
        stopped: `hub stopped at the request of ${f.stoppedBy ?? 'another process'}; Restart Hub starts it again`,
      }[f.state];
      lines.push(`**${mdText(f.folder.name)}**: ${mdText(what)}`);
    }
    const claims = [...this.leases.claims.statuses.values()];
    if (claims.length) lines.push('', `Leases: ${mdText(claims.map((c) => `${c.claim.name} (${c.state})`).join(', '))}`);
    const warn = text.startsWith('$(warning)');
    this.item.text = text;
    this.item.backgroundColor = warn ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.tooltip = new vscode.MarkdownString(lines.join('\n\n'));
    this.item.accessibilityInformation = { label: `Hubkeeper hub: ${lines.join('. ').replace(/\*\*/g, '').replace(/\\(.)/g, '$1')}` };
    this.item.show();
  }

  get text(): string {
    return this.item.text;
  }

  dispose(): void {
    this.item.dispose();
  }
}
