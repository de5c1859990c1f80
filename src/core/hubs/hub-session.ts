import * as fs from 'node:fs';
import { DEFAULT_ENTRY_TOUCH_MS } from '../defaults';
import * as path from 'node:path';
import { ensureHubToken } from '../hub-server/hub-token';
import { HubServer, startHubServer } from '../hub-server/hub-server';
import { recordSelf } from '../processes/process-identity';
import { getProcess } from '../processes/process-table';
import { goTime, HubEntry, parseHubEntry } from './hub-entry';
import { AcquireHubLockOptions, HubLock } from './hub-lock';
import { defaultHubRoots, HubEnv, workspaceStateDir } from './hub-paths';
import { removeHubEntry, writeHubEntry } from './hub-registry';
import { StopRequest, watchStopRequests } from './stop-request';
import { workspaceId } from './workspace-id';

/**
 * A running hub for one workspace: it holds the workspace's hub lock, serves the hub endpoint on
 * 127.0.0.1, and keeps its entry in `~/.hubkeeper/workspaces/` (in the bones layout) touched while
 * it runs. `hubkeeper hub start` runs one in the foreground; the VS Code extension runs one per
 * workspace folder. `stop()` undoes all of it.
 */

export interface HubSessionOptions extends Pick<AcquireHubLockOptions, 'waitMs' | 'onLost' | 'log'> {
  env: HubEnv;
  /** How often the entry file is touched (default 10 s). */
  touchMs?: number;
  /**
   * A hub inside a bigger program (the editor) is stopped by asking it, never by a signal: given
   * this, the session watches for a stop request naming exactly this process (stop-request.ts)
   * and calls it once. The caller stops the session and tells its user.
   */
  onStopRequest?: (request: StopRequest) => void;
}

export class HubSession {
  private timer: NodeJS.Timeout | undefined;
  private unwatch: (() => void) | undefined;
  private stopped = false;

  private constructor(
    readonly workspace: string,
    readonly lock: HubLock,
    readonly server: HubServer,
    readonly entryFile: string,
    readonly entry: HubEntry,
    private readonly options: HubSessionOptions,
  ) {}

  static async start(workspace: string, options: HubSessionOptions): Promise<HubSession> {
    const stateDir = workspaceStateDir(workspace, 'hubkeeper', options.env);
    const lock = await HubLock.acquire(stateDir, options);
    let server: HubServer | undefined;
    try {
      const token = await ensureHubToken(stateDir);
      const startedMs = Date.now();
      server = await startHubServer({
        token,
        status: () => ({
          workspace,
          workspace_id: workspaceId(workspace),
          holder: lock.holder,
          uptime_ms: Date.now() - startedMs,
        }),
      });
      await lock.setHubUrl(server.url);
      const root = defaultHubRoots(options.env)[0];
      const self = recordSelf();
      // started_at is written once the hub is ready, as bones does.
      const entry: HubEntry = {
        cwd: workspace,
        name: path.basename(workspace),
        hubUrl: server.url,
        natsUrl: '',
        hubPid: process.pid,
        startedAt: goTime(Date.now()),
        processStartMs: self.startMs,
        processStartTicks: self.startTicks,
        bootId: self.bootId,
        cmdline: getProcess(process.pid)?.argv ?? process.argv,
      };
      const file = await writeHubEntry(root, entry);
      const session = new HubSession(workspace, lock, server, file, entry, options);
      session.startTouching();
      const onStopRequest = options.onStopRequest;
      if (onStopRequest) session.unwatch = watchStopRequests(root, workspaceId(workspace), self, onStopRequest, { log: options.log });
      return session;
    } catch (err) {
      await server?.close();
      await lock.release();
      throw err;
    }
  }

  get url(): string {
    return this.server.url;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.unwatch?.();
    await this.server.close();
    // Only our own entry: after a lost lock, the entry may already be the new holder's.
    try {
      const current = parseHubEntry(await fs.promises.readFile(this.entryFile, 'utf8'), this.entryFile);
      if (current.hubPid === process.pid && current.startedAt === this.entry.startedAt) {
        await removeHubEntry(defaultHubRoots(this.options.env)[0], workspaceId(this.workspace));
      }
    } catch {
      /* already gone */
    }
    await this.lock.release();
  }

  /** The entry's mtime is "last touched" in the Hubs view: keep it fresh while the hub runs. */
  private startTouching(): void {
    this.timer = setInterval(() => {
      const now = new Date();
      fs.promises.utimes(this.entryFile, now, now).catch(() => undefined);
    }, this.options.touchMs ?? DEFAULT_ENTRY_TOUCH_MS);
    this.timer.unref();
  }
}
