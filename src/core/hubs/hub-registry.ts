import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { goTime, HubEntry, HubEntryError, parseHubEntry, serializeHubEntry } from './hub-entry';
import { HubRoot, workspacesDir } from './hub-paths';
import { workspaceId } from './workspace-id';
import { removeAbandonedTemps, writeFileAtomic } from '../fs/atomic-write';
import { describeErrno } from '../fs/describe';
import { currentUser, directoryProblem, fileProblem } from '../fs/write-safety';
import { readSmallFile, SmallFile, SmallFileError } from '../fs/read-small-file';

/**
 * The workspace hub registry: one `<id>.json` per workspace under `<root>/workspaces/`, in the
 * bones layout. Reading never deletes or rewrites anything (bones prunes on read; a viewer must
 * not): dead entries are returned for display, unreadable files are reported and kept. Legacy
 * `<id>-<pid>.json` files are folded into their workspace and replaced on the next write.
 */

export interface HubRecord {
  id: string;
  root: HubRoot;
  /** The file the entry was read from. */
  file: string;
  /** Every file that belongs to this workspace in this root (canonical and legacy). */
  files: string[];
  entry: HubEntry;
  /** The file's mtime: when the hub last touched its entry. */
  touchedMs: number;
  /** Why the file (or its directory) is not trusted to name a process to stop; undefined when it is. */
  untrusted?: string;
}

export interface UnreadableHubFile {
  root: HubRoot;
  file: string;
  problem: string;
}

const ENTRY_FILE = /^([0-9a-f]{16})(?:-(\d+))?\.json$/;

export async function readHubRegistry(
  roots: readonly HubRoot[],
  isAlive: (pid: number) => boolean,
): Promise<{ records: HubRecord[]; unreadable: UnreadableHubFile[] }> {
  const records: HubRecord[] = [];
  const unreadable: UnreadableHubFile[] = [];
  for (const root of roots) {
    const dir = workspacesDir(root);
    let names: string[];
    try {
      names = await fs.promises.readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        unreadable.push({ root, file: dir, problem: `cannot list: ${(err as Error).message}` });
      continue;
    }
    // Who could have written these files decides whether they may name a process to stop.
    const user = currentUser();
    const dirTrust =
      user &&
      (await fs.promises.stat(dir).then(
        (st) => directoryProblem(dir, st, user),
        () => `the directory ${dir} cannot be checked`,
      ));
    const byId = new Map<string, { file: string; entry: HubEntry; touchedMs: number; legacy: boolean; untrusted?: string }[]>();
    for (const name of names.sort()) {
      if (name.includes('.tmp.')) continue; // a writer's temp file
      const m = ENTRY_FILE.exec(name);
      if (!m) continue;
      const file = path.join(dir, name);
      try {
        const { text, st } = await readEntryFile(file);
        const entry = parseHubEntry(text, file);
        const list = byId.get(m[1]) ?? [];
        list.push({
          file,
          entry,
          touchedMs: st.mtimeMs,
          legacy: m[2] !== undefined,
          untrusted: dirTrust ?? (user && fileProblem(file, st, user)),
        });
        byId.set(m[1], list);
      } catch (err) {
        unreadable.push({ root, file, problem: err instanceof HubEntryError ? err.problem : describeReadError(err) });
      }
    }
    for (const [id, candidates] of byId) {
      // The canonical file wins; among legacy files the one whose hub runs, else the newest.
      const chosen =
        candidates.find((c) => !c.legacy) ??
        candidates.find((c) => c.entry.hubPid > 0 && isAlive(c.entry.hubPid)) ??
        [...candidates].sort((a, b) => b.touchedMs - a.touchedMs)[0];
      records.push({
        id,
        root,
        file: chosen.file,
        files: candidates.map((c) => c.file),
        entry: chosen.entry,
        touchedMs: chosen.touchedMs,
        untrusted: chosen.untrusted,
      });
    }
  }
  return { records, unreadable };
}

/** Writes `<id>.json` atomically (mode 0600) and removes the workspace's legacy files. */
export async function writeHubEntry(root: HubRoot, entry: HubEntry): Promise<string> {
  const dir = workspacesDir(root);
  await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
  const id = workspaceId(entry.cwd);
  const file = path.join(dir, `${id}.json`);
  // bones' temp naming (`<id>.json.tmp.<random>`, skipped by every reader), with our pid in front
  // of the random part so a leftover of a writer killed mid-write can be recognised and removed.
  await removeAbandonedTemps(dir, `${id}.json.tmp.`, 600_000);
  const temp = `${file}.tmp.${process.pid}-${randomBytes(6).toString('hex')}`;
  await writeFileAtomic(file, serializeHubEntry(entry), { mode: 0o600, alwaysMode: true, temp });
  await removeLegacyFiles(dir, id);
  return file;
}

/** Removes every file of the workspace `id` in `root` (canonical and legacy). Idempotent. */
export async function removeHubEntry(root: HubRoot, id: string): Promise<void> {
  const dir = workspacesDir(root);
  await fs.promises.rm(path.join(dir, `${id}.json`), { force: true });
  await removeLegacyFiles(dir, id);
}

/**
 * Removes a record's entry only if the file still holds what was read (same hub pid and start):
 * a hub that started meanwhile has written a new entry, and it is kept. The file is first moved
 * aside (rename is atomic, so what is moved is exactly one version of the file), read again, and
 * put back if it turns out to be a newer entry. Returns why it was kept, or undefined.
 */
export async function removeHubEntryIfUnchanged(record: HubRecord): Promise<string | undefined> {
  const dir = path.dirname(record.file);
  const aside = `${record.file}.tmp.${process.pid}-${randomBytes(6).toString('hex')}-removing`;
  try {
    await fs.promises.rename(record.file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await removeLegacyFiles(dir, record.id);
    return undefined; // already gone
  }
  let current: HubEntry | undefined;
  try {
    current = parseHubEntry((await readEntryFile(aside)).text, record.file);
  } catch {
    current = undefined; // not readable any more: not the entry that was shown either
  }
  const unchanged =
    current !== undefined &&
    current.hubPid === record.entry.hubPid &&
    current.startedAt === record.entry.startedAt &&
    current.processStartTicks === record.entry.processStartTicks;
  if (unchanged) {
    await fs.promises.rm(aside, { force: true });
    await removeLegacyFiles(dir, record.id);
    return undefined;
  }
  // Put it back, unless an even newer entry has been written meanwhile (link fails then; it wins).
  await fs.promises.link(aside, record.file).catch(() => undefined);
  await fs.promises.rm(aside, { force: true });
  return `${record.file} changed since it was listed (a hub started meanwhile?); kept`;
}

/**
 * bones' `Register`: an idle entry (hub_pid 0), unless a hub-written entry exists. A file that
 * exists but cannot be read (not JSON, a symlink, too large, …) is never replaced: it may be a
 * newer writer's entry of a running hub, and it is reported until someone fixes or removes it.
 */
export async function registerIdleWorkspace(root: HubRoot, cwd: string, name: string, now = Date.now()): Promise<void> {
  const file = path.join(workspacesDir(root), `${workspaceId(cwd)}.json`);
  try {
    const { text } = await readEntryFile(file);
    if (parseHubEntry(text, file).hubPid > 0) return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      const problem = err instanceof HubEntryError ? err.problem : describeReadError(err);
      throw new HubEntryError(file, `${problem}; the file was left as it is, not replaced by an idle entry`);
    }
  }
  await writeHubEntry(root, { cwd, name, hubUrl: '', natsUrl: '', hubPid: 0, startedAt: goTime(now) });
}

/** Entries are a few hundred bytes; anything near this is not an entry, and is not read. */
export const MAX_HUB_ENTRY_BYTES = 1024 * 1024;

async function readEntryFile(file: string): Promise<SmallFile> {
  try {
    return await readSmallFile(file, MAX_HUB_ENTRY_BYTES, 'hub entry');
  } catch (err) {
    if (err instanceof SmallFileError) throw new HubEntryError(file, err.problem);
    throw err;
  }
}

function describeReadError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ? `cannot read: ${describeErrno(e.code)} (${e.code})` : e.message;
}

async function removeLegacyFiles(dir: string, id: string): Promise<void> {
  let names: string[] = [];
  try {
    names = await fs.promises.readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = ENTRY_FILE.exec(name);
    if (m && m[1] === id && m[2] !== undefined) await fs.promises.rm(path.join(dir, name), { force: true });
  }
}
