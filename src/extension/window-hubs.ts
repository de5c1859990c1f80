import * as os from 'node:os';
import * as vscode from 'vscode';
import { HubLockHeldError, readHubLockHolder } from '../core/hubs/hub-lock';
import { workspaceStateDir } from '../core/hubs/hub-paths';
import { HubSession } from '../core/hubs/hub-session';
import { isPidRunning } from '../core/processes/process-identity';
import { errorText, log } from './log';
import { Lost } from './lost-warnings';

/**
 * What this window runs: one hub per workspace folder (hub lock, entry, endpoint). If another
 * window or process holds a folder's lock, the folder shows as held elsewhere and is taken over
 * automatically when that holder goes away. A lock lost while held (e.g. after the machine slept)
 * is reported (onDidLose; one warning with "Re-acquire" for all the window lost), never a crash.
 */

export type FolderHubState = 'starting' | 'holding' | 'held-elsewhere' | 'lost' | 'error' | 'disabled' | 'stopped';

export interface FolderHub {
  folder: vscode.WorkspaceFolder;
  state: FolderHubState;
  session?: HubSession;
  /** For held-elsewhere: who holds it. */
  heldBy?: { pid: number; since: string };
  error?: string;
  /** For stopped: who asked this window to stop the hub (a reap from elsewhere). */
  stoppedBy?: string;
}

const TAKEOVER_POLL_MS = 2000;

export class WindowHubs implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly lostOne = new vscode.EventEmitter<Lost>();
  /** A folder's hub lock was lost (the window says so once for all: lost-warnings.ts). */
  readonly onDidLose = this.lostOne.event;
  readonly folders = new Map<string, FolderHub>();
  private takeoverTimer?: NodeJS.Timeout;
  private enabled = true;

  /**
   * Starts hubs for the folders of this window (or stops them all when disabled). Calls come from
   * start-up, settings changes, folder changes and commands; they run one after another, so one
   * folder never gets two hubs (the second would see the first's lock and think it held elsewhere).
   */
  sync(enabled: boolean): Promise<void> {
    return this.serialized(() => this.syncNow(enabled));
  }

  /** Stops and starts the hubs again (the status bar's "Restart Hub"). */
  restart(): Promise<void> {
    return this.serialized(async () => {
      for (const [key, hub] of this.folders) await this.stopFolder(key, hub);
      await this.syncNow(this.enabled);
    });
  }

  private queue: Promise<unknown> = Promise.resolve();
  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => (this.disposed ? (undefined as T) : work()));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async syncNow(enabled: boolean): Promise<void> {
    this.enabled = enabled;
    const current = new Map((vscode.workspace.workspaceFolders ?? []).map((f) => [f.uri.fsPath, f]));
    for (const [key, hub] of this.folders) {
      if (!current.has(key) || !enabled) await this.stopFolder(key, hub);
    }
    if (!enabled) {
      for (const folder of current.values()) this.folders.set(folder.uri.fsPath, { folder, state: 'disabled' });
      this.changed.fire();
      return;
    }
    // A hub stopped at someone's request stays stopped until Restart Hub.
    await Promise.all(
      [...current.values()]
        .filter((f) => !['holding', 'starting', 'stopped'].includes(this.folders.get(f.uri.fsPath)?.state ?? ''))
        .map((f) => this.startFolder(f)),
    );
  }

  /** Is `pid`+folder this window's own hub (marked in the Hubs view)? */
  isOwnHub(cwd: string | undefined): boolean {
    return cwd !== undefined && this.folders.get(cwd)?.state === 'holding';
  }

  private async startFolder(folder: vscode.WorkspaceFolder): Promise<void> {
    if (folder.uri.scheme !== 'file') return;
    const key = folder.uri.fsPath;
    const hub: FolderHub = { folder, state: 'starting' };
    this.folders.set(key, hub);
    this.changed.fire();
    try {
      hub.session = await HubSession.start(key, {
        env: { env: process.env, home: os.homedir() },
        log: (line) => log().info(line),
        onLost: (err) => this.lost(hub, err),
        // Reaped from another window or the CLI: never a signal (it would end this editor), a request.
        onStopRequest: (request) => void this.serialized(() => this.stopOnRequest(hub, request.requestedBy)),
      });
      hub.state = 'holding';
      log().info(`hub for ${key} is up at ${hub.session.url}`);
    } catch (err) {
      if (err instanceof HubLockHeldError) {
        hub.state = 'held-elsewhere';
        hub.heldBy = err.holder ? { pid: err.holder.pid, since: err.holder.acquiredAt } : undefined;
        log().info(`${err.message}; this window takes over when that holder goes away`);
        this.pollTakeover();
      } else {
        hub.state = 'error';
        hub.error = errorText(err);
        log().error(`could not start the hub for ${key}: ${hub.error}`);
      }
    }
    this.changed.fire();
  }

  private lost(hub: FolderHub, err: Error): void {
    hub.state = 'lost';
    hub.error = err.message;
    log().warn(err.message);
    this.changed.fire();
    void hub.session?.stop().catch(() => undefined);
    hub.session = undefined;
    this.lostOne.fire({ kind: 'hub', name: hub.folder.name, reason: err.message });
  }

  private async stopOnRequest(hub: FolderHub, by: string): Promise<void> {
    const key = hub.folder.uri.fsPath;
    if (this.folders.get(key) !== hub || hub.state !== 'holding') return;
    log().warn(`${by} asked this window to stop the hub for ${key}: stopping it and releasing its lock and entry`);
    await hub.session?.stop().catch((err) => log().warn(`stopping the hub for ${key}: ${errorText(err)}`));
    hub.session = undefined;
    hub.state = 'stopped';
    hub.stoppedBy = by;
    this.changed.fire();
  }

  /** While some folder is held elsewhere, try to take it over every few seconds. */
  private pollTakeover(): void {
    if (this.takeoverTimer) return;
    this.takeoverTimer = setInterval(() => {
      const waiting = [...this.folders.values()].filter((h) => h.state === 'held-elsewhere');
      if (waiting.length === 0 || !this.enabled) {
        clearInterval(this.takeoverTimer);
        this.takeoverTimer = undefined;
        return;
      }
      for (const hub of waiting) void this.serialized(() => this.tryTakeover(hub));
    }, TAKEOVER_POLL_MS);
  }

  private async tryTakeover(hub: FolderHub): Promise<void> {
    if (this.folders.get(hub.folder.uri.fsPath) !== hub || hub.state !== 'held-elsewhere') return;
    const key = hub.folder.uri.fsPath;
    const holder = await readHubLockHolder(workspaceStateDir(key, 'hubkeeper', { env: process.env, home: os.homedir() }));
    if (holder && holder.pid === hub.heldBy?.pid && holder.acquiredAt === hub.heldBy.since && isPidRunning(holder.pid)) return;
    await this.startFolder(hub.folder);
  }

  private async stopFolder(key: string, hub: FolderHub): Promise<void> {
    this.folders.delete(key);
    try {
      await hub.session?.stop();
    } catch (err) {
      log().warn(`stopping the hub for ${key}: ${errorText(err)}`);
    }
  }

  private disposed = false;

  async dispose(): Promise<void> {
    if (this.takeoverTimer) clearInterval(this.takeoverTimer);
    await this.queue; // a start in flight finishes first, so its hub is stopped below
    this.disposed = true;
    await Promise.all([...this.folders].map(([key, hub]) => this.stopFolder(key, hub)));
    this.changed.dispose();
    this.lostOne.dispose();
  }
}
