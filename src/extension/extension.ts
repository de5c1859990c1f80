import * as vscode from 'vscode';
import { ClaimsManager } from './claims';
import { putCliOnPath } from './cli-on-path';
import { registerCommands } from './commands/register-commands';
import { errorText, log } from './log';
import { HubkeeperModel } from './model';
import { HubStatusBar } from './status-bar';
import { isTrusted, untrustedViewMessage } from './trust';
import { LostWarnings } from './lost-warnings';
import { hubsBadge, staleLocksBadge } from './views/badge';
import { componentsMessage, filterDescription } from './views/components-tree';
import { ComponentsProvider } from './views/components-view';
import { FleetProvider } from './views/fleet-view';
import { HubsProvider } from './views/hubs-view';
import { StaleLocksProvider } from './views/locks-view';
import { WalkthroughContext } from './walkthrough-context';
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
  /** The Fleet view; its data comes from the window's lab connection (FleetProvider.setSource). */
  fleet: FleetProvider;
  views: {
    components: vscode.TreeView<unknown>;
    hubs: vscode.TreeView<unknown>;
    locks: vscode.TreeView<unknown>;
    fleet: vscode.TreeView<unknown>;
  };
  windowHubs: WindowHubs;
  /** The lab connection, the fleet feed and (one window per machine) the station agent. */
  windowLab: WindowLab;
  claims(): ClaimsManager;
  statusBar: HubStatusBar;
  /** The context keys the Get Started walkthrough completes its steps on. */
  walkthrough: WalkthroughContext;
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
  // Fed by the window's lab connection; it follows the feed WindowLab replaces (sync on its changes).
  const fleet = new FleetProvider();
  fleet.setSource(windowLab);
  const views = {
    components: vscode.window.createTreeView('hubkeeper.components', {
      treeDataProvider: components,
      canSelectMany: true,
      showCollapseAll: true,
    }),
    hubs: vscode.window.createTreeView('hubkeeper.hubs', { treeDataProvider: hubs, canSelectMany: true }),
    locks: vscode.window.createTreeView('hubkeeper.staleLocks', { treeDataProvider: locks, canSelectMany: true }),
    fleet: vscode.window.createTreeView('hubkeeper.fleet', { treeDataProvider: fleet, showCollapseAll: true }),
  };
  const viewsById: Record<string, vscode.TreeView<unknown> | undefined> = {
    'hubkeeper.components': views.components,
    'hubkeeper.hubs': views.hubs,
    'hubkeeper.staleLocks': views.locks,
    'hubkeeper.fleet': views.fleet,
  };
  const statusBar = new HubStatusBar(windowHubs, model.leases);

  const updateStatus = () => statusBar.update(model.settings.statusBarEnabled);
  const localViews = [views.components, views.hubs, views.locks];
  const updateFleet = () => {
    // Read-only here too when untrusted (the remote actions are write commands), then the connection.
    views.fleet.message = [isTrusted() ? undefined : untrustedViewMessage(), fleet.message].filter(Boolean).join(' ') || undefined;
    views.fleet.badge = fleet.badge;
  };
  const updateMessages = () => {
    const untrusted = isTrusted() ? undefined : untrustedViewMessage();
    views.components.message = componentsMessage(
      model.state.components,
      { untrusted, registryPathProblem: model.settings.registryPathProblem },
      vscode.l10n.t,
    );
    views.hubs.message = untrusted;
    views.locks.message = untrusted;
    updateFleet();
  };
  const updateBadges = () => {
    views.hubs.badge = hubsBadge(model.state, vscode.l10n.t);
    views.locks.badge = staleLocksBadge(model.state, vscode.l10n.t);
  };
  const walkthrough = new WalkthroughContext((key, value) => void vscode.commands.executeCommand('setContext', key, value));
  const updateWalkthrough = () =>
    walkthrough.update({
      components: model.state.components,
      registry: model.registry,
      holder: model.leases.holder,
      claims: model.settings.claims,
    });
  // Every loss of a lease or hub lock in one moment (after a sleep) is one warning.
  const reacquire = vscode.l10n.t('Re-acquire');
  const lost = new LostWarnings(
    (text) =>
      vscode.window.showWarningMessage(text, reacquire).then((choice) => {
        if (choice === reacquire) void vscode.commands.executeCommand('hubkeeper.hub.reacquire');
      }),
    vscode.l10n.t,
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
    // The lab's settings may have replaced the window's feed: follow the current one.
    fleet.sync();
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
    windowLab.setFleetVisible(views.fleet.visible);
    void windowLab.sync();
  };

  context.subscriptions.push(
    model,
    statusBar,
    fleet,
    fleet.onDidChangeStatus(updateFleet),
    windowLab.onDidChange(() => fleet.sync()),
    // The feed long-polls the lab while the Fleet view is visible, and reads at a slow pace otherwise.
    views.fleet.onDidChangeVisibility((e) => windowLab.setFleetVisible(e.visible)),
    ...Object.values(views),
    // The local views probe this machine's hubs while one of them is visible (the Fleet view shows published states).
    ...localViews.map((v) => v.onDidChangeVisibility(() => model.setProbing(localViews.some((w) => w.visible)))),
    model.onDidChange(() => {
      updateBadges();
      updateMessages();
      updateWalkthrough();
    }),
    components.onDidChangeFilter((filter) => (views.components.description = filterDescription(filter, vscode.l10n.t))),
    windowHubs.onDidChange(() => {
      updateStatus();
      hubs.rebuild();
    }),
    model.leases.onDidChange(() => {
      updateStatus();
      updateWalkthrough();
    }),
    model.leases.onDidLose((l) => lost.report(l)),
    windowHubs.onDidLose((l) => lost.report(l)),
    ...registerCommands({
      model,
      components,
      hubs,
      locks,
      fleet,
      windowHubs,
      windowLab,
      extensionUri: context.extensionUri,
      extensionMode: context.extensionMode,
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
    fleet,
    views,
    windowHubs,
    windowLab,
    claims: () => model.leases.claims,
    statusBar,
    walkthrough,
    ready: Promise.all([ready, cliOnPath]).then(() => undefined),
    activationMs,
  };
}

/** Releases this window's leases, stops its hubs and frees their locks. */
export async function deactivate(): Promise<void> {
  await teardown?.();
  teardown = undefined;
}
