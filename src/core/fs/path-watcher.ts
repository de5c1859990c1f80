import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Calls `onChange` (debounced) when anything changes in the given directories, including ones
 * that do not exist yet. Directories are watched, not files: the files watched here are replaced
 * by rename, which a watch on the old file would miss. A missing directory is waited for by
 * watching its nearest existing ancestor; once it appears the watch moves onto it. Where the
 * platform cannot watch, it polls once a second.
 */

export interface PathWatcherOptions {
  debounceMs?: number;
  /** Poll interval when fs.watch is unavailable (default 1000 ms). */
  pollMs?: number;
}

export class PathWatcher {
  private readonly watchers = new Map<string, fs.FSWatcher>();
  private timer: NodeJS.Timeout | undefined;
  private poller: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    private dirs: string[],
    private readonly onChange: () => void,
    private readonly options: PathWatcherOptions = {},
  ) {
    this.arm();
  }

  /** Watches another set of directories (e.g. after a setting changed). */
  setDirectories(dirs: string[]): void {
    this.dirs = dirs;
    this.arm();
  }

  dispose(): void {
    this.disposed = true;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    if (this.timer) clearTimeout(this.timer);
    if (this.poller) clearInterval(this.poller);
  }

  private arm(): void {
    if (this.disposed) return;
    const wanted = new Set(this.dirs.map(nearestExisting).filter((d): d is string => d !== undefined));
    for (const [dir, w] of this.watchers) {
      if (!wanted.has(dir)) {
        w.close();
        this.watchers.delete(dir);
      }
    }
    for (const dir of wanted) {
      if (this.watchers.has(dir)) continue;
      try {
        const w = fs.watch(dir, { persistent: false }, () => this.changed());
        w.on('error', () => {
          w.close();
          this.watchers.delete(dir);
          this.changed();
        });
        this.watchers.set(dir, w);
      } catch {
        this.startPolling();
      }
    }
  }

  private changed(): void {
    if (this.disposed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.arm(); // a directory may have appeared or vanished
      this.onChange();
    }, this.options.debounceMs ?? 100);
    this.timer.unref?.();
  }

  private startPolling(): void {
    if (this.poller) return;
    let last = this.snapshot();
    this.poller = setInterval(() => {
      const now = this.snapshot();
      if (now !== last) {
        last = now;
        this.changed();
      }
    }, this.options.pollMs ?? 1000);
    this.poller.unref?.();
  }

  private snapshot(): string {
    return this.dirs
      .map((d) => {
        try {
          return fs.readdirSync(d).map((n) => `${n}:${fs.statSync(path.join(d, n)).mtimeMs}`).join(',');
        } catch {
          return '-';
        }
      })
      .join('|');
  }
}

function nearestExisting(dir: string): string | undefined {
  let current = path.resolve(dir);
  for (;;) {
    try {
      if (fs.statSync(current).isDirectory()) return current;
    } catch {
      /* keep going up */
    }
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}
