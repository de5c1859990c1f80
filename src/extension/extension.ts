import * as vscode from 'vscode';
import { LeaseHolder } from '../core/lease-holder/lease-holder';
import { ClaimsManager } from './claims';
import { registerComponentCommands } from './commands/component-commands';
import { registerHubCommands } from './commands/hub-commands';
import { registerLockCommands } from './commands/lock-commands';
import { errorText, log } from './log';
import { HubkeeperModel } from './model';
import { HubStatusBar } from './status-bar';
import { ComponentsProvider } from './views/components-view';
import { HubsProvider } from './views/hubs-view';
import { StaleLocksProvider } from './views/locks-view';
import { isTrusted, registerCommand, UNTRUSTED_VIEW_MESSAGE } from './trust';
import { WRITE_COMMANDS } from './write-commands';
import { WindowHubs } from './window-hubs';

/**
 * Activation wires the pieces together and returns at once; the slow work (taking the hub lock,
 * reading the registry, listing hubs) starts right after. Nothing here may fail the window:
 * errors go to the "Hubkeeper" log and to the views.
 *
 * Workspace Trust is decided here: in an untrusted workspace no hub starts and no claim is taken
 * (and the model reads only the user's registry, write commands refuse: trust.ts); when trust is
 * granted the same start-up runs, without a reload.
 */

export interface HubkeeperApi {
  model: HubkeeperModel;
  components: ComponentsProvider;
  hubs: HubsProvider;
  locks: StaleLocksProvider;
  views: { components: vscode.TreeView<unknown>; hubs: vscode.TreeView<unknown>; locks: vscode.TreeView<unknown> };
  windowHubs: WindowHubs;
  claims(): ClaimsManager;
  statusBar: HubStatusBar;
  /** Settles when the first hub start, claim and refresh are done. */
  ready: Promise<void>;
  /** Milliseconds activate() itself took. */
  activationMs: number;
}

let teardown: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): HubkeeperApi {
  const started = performance.now();
  const newHolder = (m?: HubkeeperModel) => new LeaseHolder({ ttlMs: (m ?? model).settings.leaseTtlMs, heartbeatMs: (m ?? model).settings.heartbeatMs });
  const model: HubkeeperModel = new HubkeeperModel(new LeaseHolder());
  let holder = newHolder(model);
  model.setHolder(holder);
  let claims = new ClaimsManager(holder);
  const windowHubs = new WindowHubs();
  const components = new ComponentsProvider(model);
  const hubs = new HubsProvider(model, (cwd) => windowHubs.isOwnHub(cwd));
  const locks = new StaleLocksProvider(model);
  const views = {
    components: vscode.window.createTreeView('hubkeeper.components', { treeDataProvider: components, canSelectMany: true, showCollapseAll: true }),
    hubs: vscode.window.createTreeView('hubkeeper.hubs', { treeDataProvider: hubs, canSelectMany: true }),
    locks: vscode.window.createTreeView('hubkeeper.staleLocks', { treeDataProvider: locks, canSelectMany: true }),
  };
  const statusBar = new HubStatusBar(windowHubs, () => claims);
  const updateStatus = () => statusBar.update(model.settings.statusBarEnabled);
  const updateBadge = () => {
    const orphans = model.hubs.filter((h) => h.state === 'orphan').length;
    const stale = locks.nodes().length;
    views.hubs.badge = orphans + stale > 0 ? { value: orphans + stale, tooltip: `${orphans} orphan hub${orphans === 1 ? '' : 's'}, ${stale} stale lock${stale === 1 ? '' : 's'}` } : undefined;
    views.components.description = components.filter.text || components.filter.types?.length ? `filter: ${components.filter.types?.join(',') ?? ''}${components.filter.text ? ` "${components.filter.text}"` : ''}` : undefined;
  };
  const visibility = () => model.setProbing(Object.values(views).some((v) => v.visible));
  const syncClaims = () => claims.sync(model.registry, model.settings.claims).catch((err) => log().error(`claims: ${errorText(err)}`));
  /** The hubs and the claims: what this window writes, only in a trusted workspace. */
  const syncWriters = async () => {
    if (!isTrusted()) return;
    await Promise.all([windowHubs.sync(model.settings.hubEnabled), syncClaims()]);
  };
  // Settings changes and the trust grant (which VS Code may follow with a settings change, as the
  // restricted settings start to apply) run one after another: claims are never synced by two at once.
  let turn: Promise<void> = Promise.resolve();
  const inTurn = (work: () => Promise<void>) => (turn = turn.then(work).catch((err) => log().error(errorText(err))));
  const updateMessages = () => {
    const problem = model.settings.registryPathProblem;
    const untrusted = isTrusted() ? undefined : UNTRUSTED_VIEW_MESSAGE;
    views.components.message = [untrusted, isTrusted() ? problem : undefined].filter(Boolean).join(' ') || undefined;
    views.hubs.message = untrusted;
    views.locks.message = untrusted;
  };

  context.subscriptions.push(
    model,
    statusBar,
    ...Object.values(views),
    ...Object.values(views).map((v) => v.onDidChangeVisibility(visibility)),
    model.onDidChange(() => updateBadge()),
    windowHubs.onDidChange(() => {
      updateStatus();
      hubs.rebuild();
    }),
    claims.onDidChange(updateStatus),
    ...registerComponentCommands(model, components),
    ...registerHubCommands(model, hubs),
    ...registerLockCommands(model, locks),
    vscode.commands.registerCommand('hubkeeper.refresh', () => model.refreshAll()),
    vscode.commands.registerCommand('hubkeeper.showLog', () => log().show()),
    vscode.commands.registerCommand('hubkeeper.showHubs', () => vscode.commands.executeCommand('hubkeeper.hubs.focus')),
    registerCommand('hubkeeper.hub.restart', () => windowHubs.restart()),
    registerCommand('hubkeeper.hub.reacquire', async () => {
      await windowHubs.sync(model.settings.hubEnabled);
      for (const s of claims.problems) await claims.acquire(s.claim);
    }),
    registerCommand('hubkeeper.leases.releaseMine', async () => {
      await claims.releaseAll();
      await model.refreshRegistry();
      vscode.window.setStatusBarMessage('Hubkeeper released this window\'s leases', 4000);
    }),
    vscode.commands.registerCommand('hubkeeper.hub.showMenu', async () => {
      const items = [
        { label: '$(list-tree) Show Hubs', command: 'hubkeeper.showHubs' },
        { label: '$(unlock) Release My Leases', command: 'hubkeeper.leases.releaseMine' },
        { label: '$(debug-restart) Restart Hub', command: 'hubkeeper.hub.restart' },
        { label: '$(output) Open Log', command: 'hubkeeper.showLog' },
      ].filter((i) => isTrusted() || !WRITE_COMMANDS[i.command]);
      const chosen = await vscode.window.showQuickPick(items, { title: 'Hubkeeper' });
      if (chosen) await vscode.commands.executeCommand(chosen.command);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('hubkeeper') && inTurn(async () => {
      const before = model.settings;
      model.configure();
      if (before.leaseTtlMs !== model.settings.leaseTtlMs || before.heartbeatMs !== model.settings.heartbeatMs) {
        await claims.dispose();
        holder = newHolder();
        model.setHolder(holder);
        claims = new ClaimsManager(holder);
        claims.onDidChange(updateStatus);
      }
      for (const bad of model.settings.badClaims) log().warn(bad);
      updateMessages();
      await Promise.all([model.refreshAll(), syncWriters()]);
      updateStatus();
    })),
    vscode.workspace.onDidChangeWorkspaceFolders(async () => {
      model.configure();
      updateMessages();
      await Promise.all([isTrusted() ? windowHubs.sync(model.settings.hubEnabled) : undefined, model.refreshAll()]);
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => inTurn(async () => {
      // Now the folder's own registry and settings count: discover again, then start what an
      // untrusted window left off (hub, claims), as at start-up.
      log().info('the workspace is trusted now: starting the hub and taking the claims');
      model.configure();
      updateMessages();
      updateStatus();
      await model.refreshRegistry();
      await syncWriters();
      await model.refreshAll();
      updateStatus();
    })),
  );

  updateStatus();
  updateMessages();
  for (const bad of model.settings.badClaims) log().warn(bad);
  if (!isTrusted()) log().info(`untrusted workspace: read-only (no hub, no claims, no writes); the registry is ${model.discovered.path} (${model.discovered.reason})`);
  // The slow part, after activate() has returned.
  const ready = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
    inTurn(async () => {
      try {
        await model.refreshRegistry();
        await syncWriters();
        await model.refreshAll();
      } catch (err) {
        log().error(`start-up: ${errorText(err)}`);
      }
    }),
  );
  teardown = async () => {
    await Promise.all([claims.dispose(), windowHubs.dispose()]);
  };
  const activationMs = performance.now() - started;
  log().info(`activated in ${activationMs.toFixed(1)} ms`);
  return { model, components, hubs, locks, views, windowHubs, claims: () => claims, statusBar, ready, activationMs };
}

/** Releases this window's leases, stops its hubs and frees their locks. */
export async function deactivate(): Promise<void> {
  await teardown?.();
  teardown = undefined;
}
