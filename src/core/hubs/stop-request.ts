import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileAtomic } from '../fs/atomic-write';
import { currentUser, directoryProblem, fileProblem } from '../fs/write-safety';
import { readSmallFile } from '../fs/read-small-file';
import { RecordedProcess } from '../processes/process-identity';
import { HubRoot, workspacesDir } from './hub-paths';

/**
 * How a hub that runs inside an editor is asked to stop. A signal would end the whole editor
 * window (the hub lives in its extension host), so the reaper leaves a request beside the hub's
 * entry — `<root>/workspaces/<id>.stop-request`, in this user's own 0700 directory, where no
 * entry reader looks — and the hub's session, which watches that directory, stops its hub,
 * releases its lock and entry and says so in its window. The request names the hub process
 * exactly (pid + start ticks + boot id), so it can never stop a later hub of the same workspace.
 * It survives the workspace folder being deleted, which a token inside the folder would not.
 */

export interface StopRequest {
  pid: number;
  startTicks?: number;
  bootId?: string;
  /** Who asked, in words: "hubkeeper hubs reap (pid 4242)". */
  requestedBy: string;
  requestedAt: string;
}

const SUFFIX = '.stop-request';

export function stopRequestFile(root: HubRoot, id: string): string {
  return path.join(workspacesDir(root), `${id}${SUFFIX}`);
}

export async function writeStopRequest(root: HubRoot, id: string, target: RecordedProcess, requestedBy: string): Promise<string> {
  const file = stopRequestFile(root, id);
  const body = {
    pid: target.pid,
    start_ticks: target.startTicks ?? null,
    boot_id: target.bootId ?? null,
    requested_by: requestedBy,
    requested_at: new Date().toISOString(),
  };
  const temp = `${file}.tmp.${process.pid}-${randomBytes(6).toString('hex')}`;
  await writeFileAtomic(file, JSON.stringify(body, null, 2) + '\n', { mode: 0o600, alwaysMode: true, temp });
  return file;
}

export async function removeStopRequest(file: string): Promise<void> {
  await fs.promises.rm(file, { force: true });
}

/**
 * Reads the request for `id`, if one is there and may be acted on: written by this user (file and
 * directory not writable by anyone else) and naming exactly `self`. A request for another process
 * (an older hub of the workspace) is left alone; one that is not trusted is reported through `log`.
 */
export async function readStopRequestFor(
  root: HubRoot,
  id: string,
  self: RecordedProcess,
  log?: (line: string) => void,
): Promise<StopRequest | undefined> {
  const file = stopRequestFile(root, id);
  let raw: Record<string, unknown>;
  try {
    const { text, st } = await readSmallFile(file, 4096, 'stop request');
    const dir = path.dirname(file);
    const user = currentUser();
    const untrusted = user && (directoryProblem(dir, await fs.promises.stat(dir), user) ?? fileProblem(file, st, user));
    if (untrusted) {
      log?.(`ignoring the stop request ${file}: ${untrusted}`);
      return undefined;
    }
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log?.(`ignoring the stop request ${file}: ${(err as Error).message}`);
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null || raw.pid !== self.pid) return undefined;
  if (self.startTicks !== undefined && (raw.start_ticks !== self.startTicks || raw.boot_id !== self.bootId)) return undefined;
  const by = typeof raw.requested_by === 'string' ? raw.requested_by.slice(0, 200) : 'another process';
  return {
    pid: self.pid,
    startTicks: self.startTicks,
    bootId: self.bootId,
    requestedBy: by,
    requestedAt: typeof raw.requested_at === 'string' ? raw.requested_at : '',
  };
}

/**
 * Watches for a request naming `self` and calls `onRequest` once (after removing the request).
 * fs.watch can miss events on some file systems, so the directory is also checked every
 * `pollMs`. Returns the function that stops watching.
 */
export function watchStopRequests(
  root: HubRoot,
  id: string,
  self: RecordedProcess,
  onRequest: (request: StopRequest) => void,
  options: { pollMs?: number; log?: (line: string) => void } = {},
): () => void {
  let done = false;
  let checking = false;
  const check = async () => {
    if (done || checking) return;
    checking = true;
    try {
      const request = await readStopRequestFor(root, id, self, options.log);
      if (request && !done) {
        done = true;
        stop();
        await removeStopRequest(stopRequestFile(root, id)).catch(() => undefined);
        onRequest(request);
      }
    } finally {
      checking = false;
    }
  };
  let watcher: fs.FSWatcher | undefined;
  try {
    watcher = fs.watch(workspacesDir(root), (_event, name) => {
      if (name === null || String(name) === `${id}${SUFFIX}`) void check();
    });
    watcher.on('error', () => undefined);
  } catch {
    /* no watcher: the poll below still sees requests */
  }
  const timer = setInterval(() => void check(), options.pollMs ?? 2000);
  timer.unref();
  function stop(): void {
    clearInterval(timer);
    watcher?.close();
  }
  return () => {
    done = true;
    stop();
  };
}
