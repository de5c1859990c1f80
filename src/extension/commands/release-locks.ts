import * as os from 'node:os';
import * as vscode from 'vscode';
import { clearHubLockFiles } from '../../core/hubs/hub-lock-clear';
import { readHubLockStates } from '../../core/hubs/hub-lock-state';
import { HubkeeperModel } from '../model';
import { LocksElement, StaleHubLockNode, StaleLeaseNode } from '../views/locks-view';
import { CommandContext } from './command-context';
import { confirm, guarded, scripted, targets } from './ui';

/** Release Stale Lock… and Release All Stale Locks…: component leases whose holder is gone or expired, and dead hubs' locks. */

export async function releaseStaleLocks(
  { model, locks }: CommandContext,
  clicked?: unknown,
  selected?: unknown,
  options?: unknown,
): Promise<void> {
  const nodes = await targets(clicked, selected, isLock, async () => {
    const chosen = await vscode.window.showQuickPick(
      locks.nodes().map((n) => ({ label: label(n), description: evidence(n), node: n })),
      { title: vscode.l10n.t('Release Stale Lock'), canPickMany: true },
    );
    return chosen?.map((c) => c.node);
  });
  if (!nodes?.length) return;
  if (
    !(await confirm(
      nodes.length === 1
        ? vscode.l10n.t('Release the stale {0}?', label(nodes[0]))
        : vscode.l10n.t('Release {0} stale locks?', nodes.length),
      nodes.map((n) => `${label(n)}: ${evidence(n)}`).join('\n'),
      vscode.l10n.t('Release'),
      scripted(options).yes,
    ))
  )
    return;
  await guarded(vscode.l10n.t('Releasing'), () => release(model, nodes));
}

export async function releaseAllStaleLocks(
  { model, locks }: CommandContext,
  _clicked?: unknown,
  _selected?: unknown,
  options?: unknown,
): Promise<void> {
  const nodes = locks.nodes();
  if (nodes.length === 0) return void vscode.window.showInformationMessage(vscode.l10n.t('Hubkeeper: no stale locks.'));
  if (
    !(await confirm(
      nodes.length === 1 ? vscode.l10n.t('Release the 1 stale lock?') : vscode.l10n.t('Release all {0} stale locks?', nodes.length),
      nodes.map(label).join('\n'),
      vscode.l10n.t('Release All'),
      scripted(options).yes,
    ))
  )
    return;
  await guarded(vscode.l10n.t('Releasing'), () => release(model, nodes));
}

const isLock = (x: unknown): x is LocksElement => x instanceof StaleLeaseNode || x instanceof StaleHubLockNode;
const label = (n: LocksElement) =>
  n instanceof StaleLeaseNode
    ? vscode.l10n.t("lease '{0}'", n.entry.name)
    : vscode.l10n.t('{0} hub lock of {1}', n.state.kind, n.workspace);
const evidence = (n: LocksElement) => (n instanceof StaleLeaseNode ? n.status.reason : n.state.evidence);

/** In the Stale Locks view (its progress bar), where the locks are, rather than a notification. */
async function release(model: HubkeeperModel, nodes: LocksElement[]): Promise<void> {
  const title =
    nodes.length === 1 ? vscode.l10n.t('Releasing the {0}', label(nodes[0])) : vscode.l10n.t('Releasing {0} stale locks', nodes.length);
  await vscode.window.withProgress({ location: { viewId: 'hubkeeper.staleLocks' }, title }, () => releaseNow(model, nodes));
}

async function releaseNow(model: HubkeeperModel, nodes: LocksElement[]): Promise<void> {
  try {
    for (const n of nodes) {
      // Re-checked at the moment of release: a lease renewed meanwhile is refused, not stolen,
      // and only the selected kind of hub lock is touched.
      if (n instanceof StaleLeaseNode) await model.registry.release(n.entry.name);
      else {
        const now = (await readHubLockStates(n.workspace, { env: process.env, home: os.homedir() })).find(
          (s) => s.kind === n.state.kind && s.state === 'stale',
        );
        if (now) await clearHubLockFiles(now);
      }
    }
  } finally {
    await model.refreshAll();
  }
}
