import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Calls `onChange` (debounced) when anything changes in the given directories, including ones
 * that do not exist yet. Directories are watched, not files: the files watched here are replaced
 * by rename, which a watch on the old file would miss. A missing directory is waited for by
 * watching its nearest existing ancestor, often $HOME: there only the appearance of the next path
 * component toward the target counts (shell history and editor state change there all the time,
 * and each change would cost a full refresh); the watch then moves down. Where the platform cannot
 * watch, it polls once a second.
 */

export interface PathWatcherOptions {
  debounceMs?: number;
  /** Poll interval when fs.watch is unavailable (default 1000 ms). */
  pollMs?: number;
}

export class PathWatcher {
  private readonly watchers = new Map<string, fs.FSWatcher>();
  /** Each watched directory: a target, or an ancestor and the names that lead on to targets. */
  private plan = new Map<string, WatchRole>();
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
    const wanted = watchPlan(this.dirs);
    for (const [dir, w] of this.watchers) {
      if (!wanted.has(dir)) {
        w.close();
        this.watchers.delete(dir);
      }
    }
    this.plan = wanted;
    for (const dir of wanted.keys()) {
      if (this.watchers.has(dir)) continue;
      try {
        const w = fs.watch(dir, { persistent: false }, (_event, name) => this.event(dir, name));
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

  /** Inside a target every change counts; in an ancestor only the next component toward one. */
  private event(dir: string, name: string | Buffer | null): void {
    const next = this.plan.get(dir);
    if (!next) return; // no longer watched (a late event)
    if (next === TARGET) return this.changed();
    // Without a name (some platforms), look whether a next component now exists. The ancestor
    // itself going away also counts: the watch must move further up.
    const relevant = name === null ? [...next].some((n) => fs.existsSync(path.join(dir, n))) : next.has(String(name));
    if (relevant || !fs.existsSync(dir)) this.changed();
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
          return fs
            .readdirSync(d)
            .map((n) => `${n}:${fs.statSync(path.join(d, n)).mtimeMs}`)
            .join(',');
        } catch {
          return '-';
        }
      })
      .join('|');
  }
}

const TARGET = 'target';
type WatchRole = typeof TARGET | Set<string>;

/** Where to watch for each target directory: itself, or its nearest existing ancestor. */
function watchPlan(dirs: string[]): Map<string, WatchRole> {
  const plan = new Map<string, WatchRole>();
  for (const dir of dirs) {
    const target = path.resolve(dir);
    const at = nearestExisting(target);
    if (at === undefined) continue;
    if (at === target) {
      plan.set(at, TARGET);
      continue;
    }
    const role = plan.get(at);
    if (role === TARGET) continue;
    const next = path.relative(at, target).split(path.sep)[0];
    plan.set(at, new Set([...(role ?? []), next]));
  }
  return plan;
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
