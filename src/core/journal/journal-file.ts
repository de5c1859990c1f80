import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeErrno } from '../fs/describe';
import { SmallFileError, readSmallFile } from '../fs/read-small-file';
import { currentUser, directoryProblem, fileProblem } from '../fs/write-safety';
import { defaultHubRoots, HubEnv } from '../hubs/hub-paths';
import { acquireFileLock } from '../mutex/file-lock';
import { LeaseEvent, LeaseEventSource, LeaseHolderRef } from './lease-event';
import { checkLeaseEvent, clipDetail, dedupSorted } from './lease-event-json';

/**
 * The local lease journal: the transitions this user's windows observed, for the lease timeline
 * when no lab is configured. `~/.hubkeeper/journal/leases.jsonl` (HUBKEEPER_HOME moves it), one
 * JSON event per line, append-only; at 1 MiB it is renamed to `leases.1.jsonl` (… `.3`, the
 * oldest dropped), so it never takes more than about 4 MiB.
 *
 * Several windows append at once: each line is one write() on an O_APPEND descriptor and shorter
 * than 4 KiB, so lines never interleave; rotation is a rename under a short lock. Nothing is ever
 * rewritten: a line that does not parse is skipped on reading, and counted. The directory must be
 * ours (0700) and the file a regular file of ours: never through a symlink, never a FIFO.
 */

export const JOURNAL_FILE = 'leases.jsonl';
export const ROTATE_BYTES = 1024 * 1024;
export const KEEP_ROTATED = 3;
/** One write() of at most this much to an O_APPEND file is never interleaved with another's. */
export const MAX_LINE_BYTES = 4095;

const GITIGNORE = '# Created by Hubkeeper: the lease journal of this machine. Never commit it.\n*\n';
const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = fs.constants.O_NONBLOCK ?? 0;
const APPEND_FLAGS = fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | O_NOFOLLOW | O_NONBLOCK;

/** A refusal to write the journal: one line naming the file and why. */
export class JournalRefused extends Error {}

export function journalDir(env: HubEnv): string {
  return path.join(defaultHubRoots(env)[0].dir, 'journal');
}

export interface JournalOptions {
  env: HubEnv;
  rotateBytes?: number;
  keep?: number;
}

export interface JournalRead {
  /** Oldest first, de-duplicated, within the range asked for. */
  events: LeaseEvent[];
  /** Lines that were not a lease event (skipped, left as they are). */
  corrupt: number;
  /** Files that were not read, one line each. */
  problems: string[];
}

export interface LostLease {
  name: string;
  id: string | null;
  holder: LeaseHolderRef;
  reason: string;
  atMs?: number;
}

export class LocalJournal implements LeaseEventSource {
  readonly dir: string;
  readonly file: string;
  readonly label: string;
  private readonly rotateBytes: number;
  private readonly keep: number;
  private prepared = false;

  constructor(options: JournalOptions) {
    this.dir = journalDir(options.env);
    this.file = path.join(this.dir, JOURNAL_FILE);
    this.rotateBytes = options.rotateBytes ?? ROTATE_BYTES;
    this.keep = options.keep ?? KEEP_ROTATED;
    const home = options.env.home ?? os.homedir();
    const shown = this.dir.startsWith(home + path.sep) ? `~${this.dir.slice(home.length)}` : this.dir;
    this.label = `local journal (${shown})`;
  }

  /** `leases.N.jsonl`; 0 is the current file. */
  fileAt(n: number): string {
    return n === 0 ? this.file : path.join(this.dir, JOURNAL_FILE.replace(/\.jsonl$/, `.${n}.jsonl`));
  }

  /**
   * Appends the events, one write() per line. Throws JournalRefused (one line) when it may not.
   * The per-append checks and the write are a few small synchronous syscalls (tens of µs; the
   * promise round trips of fs.promises cost ten times more); the recorder calls this off the refresh.
   */
  async append(events: readonly LeaseEvent[]): Promise<void> {
    const lines = events.map(lineOf).filter((l): l is Buffer => l !== undefined);
    if (lines.length === 0) return;
    if (!this.prepared) await this.prepareDir();
    this.checkDir();
    const bytes = lines.reduce((n, l) => n + l.length, 0);
    let file = this.openForAppend();
    try {
      if (file.size + bytes > this.rotateBytes) {
        fs.closeSync(file.fd);
        file.fd = -1;
        await this.rotate(bytes);
        file = this.openForAppend();
      }
      for (const line of lines) {
        const written = fs.writeSync(file.fd, line, 0, line.length, null);
        if (written !== line.length)
          throw new JournalRefused(`${this.file}: a line was written short (${written} of ${line.length} bytes)`);
      }
    } finally {
      if (file.fd >= 0) fs.closeSync(file.fd);
    }
  }

  /** The window's LeaseHolder said 'lost': the holder learnt it no longer holds the lease. */
  recordLost(lost: LostLease): Promise<void> {
    return this.append([
      {
        atMs: lost.atMs ?? Date.now(),
        kind: 'lost',
        subject: { kind: 'component', name: lost.name, id: lost.id, station: null },
        holder: lost.holder,
        detail: clipDetail(lost.reason),
        source: 'local',
      },
    ]);
  }

  async events(range: { sinceMs: number; untilMs: number }): Promise<LeaseEvent[]> {
    return (await this.read(range)).events;
  }

  /** Every file, oldest first, each read with a size cap, never through a link or from a FIFO. */
  async read(range: { sinceMs: number; untilMs: number } = { sinceMs: 0, untilMs: Number.MAX_SAFE_INTEGER }): Promise<JournalRead> {
    const user = currentUser();
    const all: LeaseEvent[] = [];
    const problems: string[] = [];
    let corrupt = 0;
    for (let n = this.keep; n >= 0; n--) {
      const file = this.fileAt(n);
      let text: string;
      try {
        const read = await readSmallFile(file, this.rotateBytes + 64 * 1024, 'lease journal');
        const problem = user && fileProblem(file, read.st, user);
        if (problem) {
          problems.push(`${problem}; not read`);
          continue;
        }
        text = read.text;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') continue;
        problems.push(err instanceof SmallFileError ? err.message : `${file}: ${describeErrno(code ?? '')}`);
        continue;
      }
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        try {
          const e = checkLeaseEvent(JSON.parse(line), 'local');
          if (e.atMs >= range.sinceMs && e.atMs <= range.untilMs) all.push(e);
        } catch {
          corrupt++;
        }
      }
    }
    return { events: dedupSorted(all), corrupt, problems };
  }

  /** The directory: created 0700 with a .gitignore, once per journal object. */
  private async prepareDir(): Promise<void> {
    await fs.promises.mkdir(this.dir, { recursive: true, mode: 0o700 }).catch((err) => this.refuseErr(this.dir, err));
    const st = this.checkDir();
    const user = currentUser();
    if (user && st.uid === user.uid && (st.mode & 0o077) !== 0) await fs.promises.chmod(this.dir, 0o700);
    // 'wx' = O_CREAT|O_EXCL: never overwrites a .gitignore, never follows a planted link.
    await fs.promises.writeFile(path.join(this.dir, '.gitignore'), GITIGNORE, { flag: 'wx', mode: 0o600 }).catch((err) => {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    });
    this.prepared = true;
  }

  /** Refused unless the directory is a directory (not a link) that only this user (or root) can change. */
  private checkDir(): fs.Stats {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(this.dir);
    } catch (err) {
      return this.refuseErr(this.dir, err);
    }
    if (!st.isDirectory())
      throw new JournalRefused(`${this.dir}: is not a directory (a symbolic link?); the lease journal is not written there`);
    const user = currentUser();
    const problem = user && directoryProblem(this.dir, st, user);
    if (problem) throw new JournalRefused(`${problem}; the lease journal is not written there`);
    return st;
  }

  /** The journal opened for appending, never through a link, never blocking on a FIFO; with its size. */
  private openForAppend(): { fd: number; size: number } {
    let fd: number;
    try {
      fd = fs.openSync(this.file, APPEND_FLAGS, 0o600);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP')
        throw new JournalRefused(`${this.file}: is a symbolic link; the lease journal must be a regular file, not written`);
      if (code === 'ENXIO') throw new JournalRefused(`${this.file}: is not a regular file (a FIFO?); the lease journal is not written`);
      return this.refuseErr(this.file, err);
    }
    const st = fs.fstatSync(fd);
    const user = currentUser();
    const problem = !st.isFile()
      ? `${this.file}: is not a regular file; the lease journal is not written`
      : user && fileProblem(this.file, st, user);
    if (problem) {
      fs.closeSync(fd);
      throw new JournalRefused(problem.includes('not written') ? problem : `${problem}; the lease journal is not written`);
    }
    return { fd, size: st.size };
  }

  /** At the size limit: renamed to leases.1.jsonl (the others moved up, the oldest dropped), under a short lock. */
  private async rotate(incoming: number): Promise<void> {
    let unlock: () => Promise<void>;
    try {
      unlock = await acquireFileLock(this.dir, { lockfilePath: path.join(this.dir, 'leases.rotate.lock'), timeoutMs: 2000, staleMs: 5000 });
    } catch {
      return; // another window is rotating right now: this append lands in whichever file is current
    }
    try {
      if ((await sizeOf(this.file)) + incoming <= this.rotateBytes) return; // rotated meanwhile
      for (let n = this.keep - 1; n >= 1; n--) await renameIfThere(this.fileAt(n), this.fileAt(n + 1));
      await renameIfThere(this.file, this.fileAt(1));
    } finally {
      await unlock().catch(() => undefined);
    }
  }

  private refuseErr(file: string, err: unknown): never {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    throw new JournalRefused(`${file}: ${describeErrno(code)}${code ? ` (${code})` : ''}; the lease journal is not written`);
  }
}

/** One line of JSON, shorter than MAX_LINE_BYTES (the detail is dropped first), or undefined. */
function lineOf(e: LeaseEvent): Buffer | undefined {
  const line = Buffer.from(`${JSON.stringify(e)}\n`);
  if (line.length <= MAX_LINE_BYTES) return line;
  const shorter = Buffer.from(`${JSON.stringify({ ...e, detail: null })}\n`);
  return shorter.length <= MAX_LINE_BYTES ? shorter : undefined;
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await fs.promises.lstat(file)).size;
  } catch {
    return 0;
  }
}

async function renameIfThere(from: string, to: string): Promise<void> {
  try {
    await fs.promises.rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
