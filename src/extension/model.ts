import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { PathWatcher } from '../core/fs/path-watcher';
import { ReachabilityTracker, trackedProbe } from '../core/hubs/liveness';
import { workspacesDir } from '../core/hubs/hub-paths';
import { readComponentsState } from '../core/overview/components-state';
import { readHubsState } from '../core/overview/hubs-state';
import { MachineState } from '../core/overview/machine-state';
import { ComponentRegistry, ComponentRegistryOptions } from '../core/registry/component-registry';
import { DiscoveredRegistry, discoverRegistryPath } from '../core/registry/discovery';
import { errorText, log } from './log';
import { readSettings, Settings } from './settings';
import { isTrusted } from './trust';
import { registryState, RegistryState } from './views/components-tree';
import { WindowJournal } from './window-journal';
import { WindowLeases } from './window-leases';

/**
 * This window's model of local state: the settings, the registry it reads and writes, the
 * machine state the views and the badge draw (core/overview: entries with their lock status,
 * hubs, stale locks — the same snapshot `hubkeeper status` prints), and the lease holder with the
 * window's claims. The state is read again when its files change (debounced watchers, also
 * outside the workspace), on an interval while a view is visible (hub liveness, and leases that
 * expire without a write), and by commands right after they change something.
 */

export class HubkeeperModel implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<'registry' | 'hubs'>();
  readonly onDidChange = this.changed.event;
  settings: Settings;
  discovered!: DiscoveredRegistry;
  registry!: ComponentRegistry;
  registryState: RegistryState = 'loading';
  state: MachineState;
  hubsLoaded = false;
  /** The lease holder and the claims: replaced together when the lease timing changes. */
  readonly leases: WindowLeases;
  /** The transitions this window observes, into the local lease journal (trusted workspaces only). */
  readonly journal = new WindowJournal();
  private readonly tracker = new ReachabilityTracker();
  private readonly probe = trackedProbe(this.tracker);
  private registryWatcher?: PathWatcher;
  private hubWatcher?: PathWatcher;
  private probeTimer?: NodeJS.Timeout;
  private hubsRefresh?: Promise<void>;
  private hubsAgain = false;
  private trustedGroupWritable?: boolean;
  private loggedRefusal?: string;

  constructor() {
    this.settings = this.readSettings();
    this.leases = new WindowLeases(this.settings, (holder, lease, reason) =>
      this.journal.recordLost(
        holder,
        lease,
        reason,
        this.state.components.entries.find((c) => c.entry.name === lease.name)?.entry.id ?? null,
      ),
    );
    this.state = {
      components: { path: '', exists: false, entries: [], invalid: [] },
      hubs: { hubs: [], staleHubLocks: [], unreadable: [] },
    };
    this.apply(undefined);
  }

  /** Options for every ComponentRegistry the extension opens. */
  registryOptions(): ComponentRegistryOptions {
    return { holder: this.leases.holder, trustGroupWritable: this.settings.trustGroupWritable };
  }

  /** (Re)reads the settings: which registry, which hub roots. */
  configure(): void {
    const before = this.settings.registryPathProblem;
    this.settings = this.readSettings();
    this.apply(before);
  }

  /** Acts on this.settings: the registry to read (and watch), probing, the hub roots to watch. */
  private apply(problemBefore: string | undefined): void {
    if (this.settings.registryPathProblem && this.settings.registryPathProblem !== problemBefore)
      log().warn(this.settings.registryPathProblem);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir();
    // Untrusted: the folder's own .madsci/ (or git root) must not choose what is read (trust.ts).
    const walkUp = isTrusted();
    this.discovered = discoverRegistryPath({
      explicit: this.settings.registryPath,
      env: process.env,
      cwd: folder,
      home: os.homedir(),
      walkUp,
    });
    if (this.registry?.path !== this.discovered.path) {
      this.registryWatcher?.dispose();
      this.registryWatcher = new PathWatcher([path.dirname(this.discovered.path)], () => void this.refreshRegistry());
    }
    if (this.registry?.path !== this.discovered.path || this.trustedGroupWritable !== this.settings.trustGroupWritable) this.openRegistry();
    if (this.probeTimer) {
      this.setProbing(false);
      this.setProbing(true); // the interval may have changed
    }
    const hubDirs = this.settings.hubRoots.map(workspacesDir);
    if (this.hubWatcher) this.hubWatcher.setDirectories(hubDirs);
    else this.hubWatcher = new PathWatcher(hubDirs, () => void this.refreshHubs());
  }

  /**
   * configure(), and a new lease holder when the lease TTL or heartbeat changed (its leases are
   * released first; syncClaims() takes them again with the new one).
   */
  async reconfigure(): Promise<void> {
    this.configure();
    if (await this.leases.retime(this.settings)) this.openRegistry();
  }

  /** Holds exactly the claimed components (setting `hubkeeper.claims`) in the current registry. */
  async syncClaims(): Promise<void> {
    await this.leases.claims.sync(this.registry, this.settings.claims).catch((err) => log().error(`claims: ${errorText(err)}`));
  }

  async refreshAll(): Promise<void> {
    await Promise.all([this.refreshRegistry(), this.refreshHubs()]);
  }

  async refreshRegistry(): Promise<void> {
    const components = await readComponentsState(this.registry);
    this.state = { ...this.state, components };
    this.journal.observeComponents(components);
    this.registryState = registryState(components);
    if (components.error) log().warn(components.error);
    // Said once per refusal, not at every heartbeat's re-read.
    if (components.writeRefused && components.writeRefused !== this.loggedRefusal) log().warn(components.writeRefused);
    this.loggedRefusal = components.writeRefused;
    void vscode.commands.executeCommand('setContext', 'hubkeeper.registryState', this.registryState);
    this.changed.fire('registry');
  }

  /** One refresh at a time; a request during a refresh runs once more after it. */
  refreshHubs(): Promise<void> {
    if (this.hubsRefresh) {
      this.hubsAgain = true;
      return this.hubsRefresh;
    }
    this.hubsRefresh = (async () => {
      do {
        this.hubsAgain = false;
        await this.loadHubs();
      } while (this.hubsAgain);
    })().finally(() => (this.hubsRefresh = undefined));
    return this.hubsRefresh;
  }

  private async loadHubs(): Promise<void> {
    try {
      const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
      const hubs = await readHubsState({
        roots: this.settings.hubRoots,
        env: { env: process.env, home: os.homedir() },
        probe: this.probe,
        folders,
      });
      this.state = { ...this.state, hubs };
      this.journal.observeHubs(hubs);
      for (const u of hubs.unreadable) log().warn(`${u.file}: ${u.problem} (kept as it is)`);
    } catch (err) {
      log().error(`listing hubs failed: ${errorText(err)}`);
    }
    if (!this.hubsLoaded) {
      this.hubsLoaded = true;
      void vscode.commands.executeCommand('setContext', 'hubkeeper.hubsLoaded', true);
      void vscode.commands.executeCommand('setContext', 'hubkeeper.locksLoaded', true);
    }
    this.changed.fire('hubs');
  }

  /**
   * While a Hubkeeper view is visible, everything is read again on an interval: hub liveness
   * changes without a file changing, and so does a lease that expires.
   */
  setProbing(visible: boolean): void {
    if (visible && !this.probeTimer) {
      this.probeTimer = setInterval(() => void this.refreshAll(), this.settings.probeIntervalMs);
      void this.refreshAll();
    } else if (!visible && this.probeTimer) {
      clearInterval(this.probeTimer);
      this.probeTimer = undefined;
    }
  }

  /** The lease holder is not disposed here: releasing leases is async (WindowLeases.dispose, at deactivation). */
  dispose(): void {
    this.registryWatcher?.dispose();
    this.hubWatcher?.dispose();
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.changed.dispose();
  }

  private readSettings(): Settings {
    return readSettings(vscode.workspace.getConfiguration('hubkeeper'), isTrusted(), vscode.l10n.t);
  }

  private openRegistry(): void {
    this.registry = new ComponentRegistry(this.discovered.path, this.registryOptions());
    this.trustedGroupWritable = this.settings.trustGroupWritable;
  }
}
