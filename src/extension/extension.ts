import * as vscode from 'vscode';
import { ClaimsManager } from './claims';
import { putCliOnPath } from './cli-on-path';
import { registerCommands } from './commands/register-commands';
import { errorText, log } from './log';
import { HubkeeperModel } from './model';
import { HubStatusBar } from './status-bar';
import { isTrusted, UNTRUSTED_VIEW_MESSAGE } from './trust';
import { LostWarnings } from './lost-warnings';
import { hubsBadge, staleLocksBadge } from './views/badge';
import { componentsMessage, filterDescription } from './views/components-tree';
import { ComponentsProvider } from './views/components-view';
import { HubsProvider } from './views/hubs-view';
import { StaleLocksProvider } from './views/locks-view';
import { WindowHubs } from './window-hubs';
import { WindowLab } from './window-lab';

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
  /** The lab connection, the fleet feed and (one window per machine) the station agent. */
  windowLab: WindowLab;
  claims(): ClaimsManager;
  statusBar: HubStatusBar;
  /** Settles when the first hub start, claim and refresh are done and the CLI is on the terminals' PATH. */
  ready: Promise<void>;
  /** Milliseconds activate() itself took. */
  activationMs: number;
}

let teardown: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): HubkeeperApi {
  const started = performance.now();
  const model = new HubkeeperModel();
  const windowHubs = new WindowHubs();
  const windowLab = new WindowLab(context.secrets, model);
  const components = new ComponentsProvider(model);
  const hubs = new HubsProvider(model, (cwd) => windowHubs.isOwnHub(cwd));
  const locks = new StaleLocksProvider(model);
  const views = {
    components: vscode.window.createTreeView('hubkeeper.components', {
      treeDataProvider: components,
      canSelectMany: true,
      showCollapseAll: true,
    }),
    hubs: vscode.window.createTreeView('hubkeeper.hubs', { treeDataProvider: hubs, canSelectMany: true }),
    locks: vscode.window.createTreeView('hubkeeper.staleLocks', { treeDataProvider: locks, canSelectMany: true }),
  };
  const viewsById: Record<string, vscode.TreeView<unknown> | undefined> = {
    'hubkeeper.components': views.components,
    'hubkeeper.hubs': views.hubs,
    'hubkeeper.staleLocks': views.locks,
  };
  const statusBar = new HubStatusBar(windowHubs, model.leases);

  const updateStatus = () => statusBar.update(model.settings.statusBarEnabled);
  const updateMessages = () => {
    const untrusted = isTrusted() ? undefined : UNTRUSTED_VIEW_MESSAGE;
    views.components.message = componentsMessage(model.state.components, {
      untrusted,
      registryPathProblem: model.settings.registryPathProblem,
    });
    views.hubs.message = untrusted;
    views.locks.message = untrusted;
  };
  const updateBadges = () => {
    views.hubs.badge = hubsBadge(model.state);
    views.locks.badge = staleLocksBadge(model.state);
  };
  // Every loss of a lease or hub lock in one moment (after a sleep) is one warning.
  const lost = new LostWarnings((text) =>
    vscode.window.showWarningMessage(text, 'Re-acquire').then((choice) => {
      if (choice === 'Re-acquire') void vscode.commands.executeCommand('hubkeeper.hub.reacquire');
    }),
  );
  const logBadClaims = () => model.settings.badClaims.forEach((bad) => log().warn(bad));
  /** What this window writes, the hub and the claims: only in a trusted workspace. */
  const syncWriters = async () => {
    if (isTrusted()) await Promise.all([windowHubs.sync(model.settings.hubEnabled), model.syncClaims()]);
  };
  // Settings changes, the trust grant (which VS Code may follow with a settings change, as the
  // restricted settings start to apply) and start-up run one after another: claims are never
  // synced by two at once.
  let turn: Promise<void> = Promise.resolve();
  const inTurn = (work: () => Promise<void>) => (turn = turn.then(work).catch((err) => log().error(errorText(err))));

  const settingsChanged = async () => {
    await model.reconfigure();
    logBadClaims();
    updateMessages();
    await Promise.all([model.refreshAll(), syncWriters(), windowLab.sync()]);
    updateStatus();
  };
  const foldersChanged = async () => {
    model.configure();
    updateMessages();
    updateStatus();
    await Promise.all([isTrusted() ? windowHubs.sync(model.settings.hubEnabled) : undefined, model.refreshAll()]);
  };
  const trustGranted = async () => {
    // Now the folder's own registry and settings count: discover again, then start what an
    // untrusted window left off (hub, claims), as at start-up.
    log().info('the workspace is trusted now: starting the hub and taking the claims');
    model.configure();
    updateMessages();
    updateStatus();
    await startUp();
  };
  const startUp = async () => {
    await model.refreshRegistry();
    await syncWriters();
    await model.refreshAll();
    updateStatus();
    // The lab last: the local views never wait for the network.
    void windowLab.sync();
  };

  context.subscriptions.push(
    model,
    statusBar,
    ...Object.values(views),
    ...Object.values(views).map((v) => v.onDidChangeVisibility(() => model.setProbing(Object.values(views).some((w) => w.visible)))),
    model.onDidChange(() => {
      updateBadges();
      updateMessages();
    }),
    components.onDidChangeFilter((filter) => (views.components.description = filterDescription(filter))),
    windowHubs.onDidChange(() => {
      updateStatus();
      hubs.rebuild();
    }),
    model.leases.onDidChange(updateStatus),
    model.leases.onDidLose((l) => lost.report(l)),
    windowHubs.onDidLose((l) => lost.report(l)),
    ...registerCommands({
      model,
      components,
      hubs,
      locks,
      windowHubs,
      windowLab,
      extensionUri: context.extensionUri,
      selection: (viewId) => viewsById[viewId]?.selection ?? [],
    }),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('hubkeeper') && inTurn(settingsChanged)),
    vscode.workspace.onDidChangeWorkspaceFolders(foldersChanged),
    vscode.workspace.onDidGrantWorkspaceTrust(() => inTurn(trustGranted)),
  );

  updateStatus();
  updateMessages();
  logBadClaims();
  if (!isTrusted())
    log().info(
      `untrusted workspace: read-only (no hub, no claims, no writes); the registry is ${model.discovered.path} (${model.discovered.reason})`,
    );
  // The slow part, after activate() has returned.
  const ready = new Promise<void>((resolve) => setImmediate(resolve)).then(() => inTurn(startUp));
  // The terminals' `hubkeeper`, in any workspace (cli-on-path.ts says why).
  const cliOnPath = putCliOnPath(context);
  teardown = async () => {
    await Promise.all([model.leases.dispose(), windowHubs.dispose(), windowLab.dispose()]);
  };
  const activationMs = performance.now() - started;
  log().info(`activated in ${activationMs.toFixed(1)} ms`);
  return {
    model,
    components,
    hubs,
    locks,
    views,
    windowHubs,
    windowLab,
    claims: () => model.leases.claims,
    statusBar,
    ready: Promise.all([ready, cliOnPath]).then(() => undefined),
    activationMs,
  };
}

/** Releases this window's leases, stops its hubs and frees their locks. */
export async function deactivate(): Promise<void> {
  await teardown?.();
  teardown = undefined;
}
