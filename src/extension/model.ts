import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { PathWatcher } from '../core/fs/path-watcher';
import { findStaleHubLocks, HubLockState } from '../core/hubs/hub-lock-state';
import { HubInfo, listHubs } from '../core/hubs/hub-status';
import { ReachabilityTracker, trackedProbe } from '../core/hubs/liveness';
import { workspacesDir } from '../core/hubs/hub-paths';
import { ComponentRegistry, ComponentRegistryOptions } from '../core/registry/component-registry';
import { DiscoveredRegistry, discoverRegistryPath } from '../core/registry/discovery';
import { RegistryDocument } from '../core/registry/types';
import { errorText, log } from './log';
import { readSettings, Settings } from './settings';
import { isTrusted } from './trust';

/**
 * What the views show: the component registry, the hubs and the stale locks, refreshed when their
 * files change (debounced watchers, also outside the workspace) and, for hub liveness, on an
 * interval while a view is visible. The views only read from here; commands change files and the
 * watchers bring the change back, so a view never shows what is not on disk.
 */

export type RegistryState = 'loading' | 'missing' | 'corrupt' | 'empty' | 'ok';

export class HubkeeperModel implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<'registry' | 'hubs'>();
  readonly onDidChange = this.changed.event;
  settings!: Settings;
  discovered!: DiscoveredRegistry;
  registry!: ComponentRegistry;
  registryState: RegistryState = 'loading';
  registryError?: string;
  /** Why writes to the registry are refused (a shared directory, a foreign link), if they are. */
  registryWriteRefusal?: string;
  doc?: RegistryDocument;
  hubs: HubInfo[] = [];
  unreadableHubFiles: { file: string; problem: string }[] = [];
  staleHubLocks: { workspace: string; state: HubLockState }[] = [];
  hubsLoaded = false;
  private readonly tracker = new ReachabilityTracker();
  private readonly probe = trackedProbe(this.tracker);
  private registryWatcher?: PathWatcher;
  private hubWatcher?: PathWatcher;
  private probeTimer?: NodeJS.Timeout;
  private hubsRefresh?: Promise<void>;
  private hubsAgain = false;
  private trustedGroupWritable?: boolean;

  constructor(private holder: ComponentRegistry['holder']) {
    this.configure();
  }

  /** A new lease holder (the lease TTL or heartbeat setting changed). */
  setHolder(holder: ComponentRegistry['holder']): void {
    this.holder = holder;
    this.registry = new ComponentRegistry(this.discovered.path, this.registryOptions());
  }

  /** Options for every ComponentRegistry the extension opens. */
  registryOptions(): ComponentRegistryOptions {
    return { holder: this.holder, trustGroupWritable: this.settings.trustGroupWritable };
  }

  /** (Re)reads the settings: which registry, which hub roots. */
  configure(): void {
    const before = this.settings?.registryPathProblem;
    this.settings = readSettings(vscode.workspace.getConfiguration('hubkeeper'), isTrusted());
    if (this.settings.registryPathProblem && this.settings.registryPathProblem !== before) log().warn(this.settings.registryPathProblem);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir();
    // Untrusted: the folder's own .madsci/ (or git root) must not choose what is read (trust.ts).
    const walkUp = isTrusted();
    this.discovered = discoverRegistryPath({ explicit: this.settings.registryPath, env: process.env, cwd: folder, home: os.homedir(), walkUp });
    if (this.registry?.path !== this.discovered.path) {
      this.registryWatcher?.dispose();
      this.registryWatcher = new PathWatcher([path.dirname(this.discovered.path)], () => void this.refreshRegistry());
    }
    if (this.registry?.path !== this.discovered.path || this.trustedGroupWritable !== this.settings.trustGroupWritable) {
      this.registry = new ComponentRegistry(this.discovered.path, this.registryOptions());
      this.trustedGroupWritable = this.settings.trustGroupWritable;
    }
    if (this.probeTimer) {
      this.setProbing(false);
      this.setProbing(true); // the interval may have changed
    }
    const hubDirs = this.settings.hubRoots.map(workspacesDir);
    if (this.hubWatcher) this.hubWatcher.setDirectories(hubDirs);
    else this.hubWatcher = new PathWatcher(hubDirs, () => void this.refreshHubs());
  }

  async refreshAll(): Promise<void> {
    await Promise.all([this.refreshRegistry(), this.refreshHubs()]);
  }

  async refreshRegistry(): Promise<void> {
    try {
      this.registryWriteRefusal = await this.registry.file.writeRefusal();
      if (this.registryWriteRefusal) log().warn(this.registryWriteRefusal);
      this.doc = await this.registry.snapshot();
      this.registryError = undefined;
      this.registryState = !this.doc ? 'missing' : this.doc.entries.size === 0 ? 'empty' : 'ok';
    } catch (err) {
      this.doc = undefined;
      this.registryError = errorText(err);
      this.registryState = 'corrupt';
      log().warn(this.registryError);
    }
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
    const env = { env: process.env, home: os.homedir() };
    try {
      const listing = await listHubs({ roots: this.settings.hubRoots, env, probe: this.probe });
      this.hubs = listing.hubs;
      this.unreadableHubFiles = listing.unreadable.map((u) => ({ file: u.file, problem: u.problem }));
      for (const u of listing.unreadable) log().warn(`${u.file}: ${u.problem} (kept as it is)`);
      const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
      this.staleHubLocks = await findStaleHubLocks([...folders, ...this.hubs.map((h) => h.cwd ?? '')], env);
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

  /** Liveness probing runs on an interval only while a Hubkeeper view is visible. */
  setProbing(visible: boolean): void {
    if (visible && !this.probeTimer) {
      this.probeTimer = setInterval(() => void this.refreshHubs(), this.settings.probeIntervalMs);
      void this.refreshHubs();
    } else if (!visible && this.probeTimer) {
      clearInterval(this.probeTimer);
      this.probeTimer = undefined;
    }
  }

  dispose(): void {
    this.registryWatcher?.dispose();
    this.hubWatcher?.dispose();
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.changed.dispose();
  }
}
