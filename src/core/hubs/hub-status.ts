import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isPidRunning, judgeRecorded } from '../processes/process-identity';
import { listProcesses, ProcessInfo, processCwd } from '../processes/process-table';
import { parseRfc3339 } from './hub-entry';
import { HubLockState, readHubLockStates } from './hub-lock-state';
import { HubEnv, HubKind, HubRoot, workspaceStateDir } from './hub-paths';
import { hubKindOfCommand, HubProcessKind, hubProcessKind } from './hub-processes';
import { HubRecord, readHubRegistry, UnreadableHubFile } from './hub-registry';
import { isLoopbackUrl, mapBounded, probeWithRetries, ProbeResult } from './liveness';
import { goCleanPath, workspaceId } from './workspace-id';

/**
 * Everything the Hubs view and `hubkeeper hubs list` show about each hub: its entry, whether its
 * process is really the hub that wrote the entry (pid + start time + command line), whether it
 * answers, whether its workspace is gone (orphan), and which lock holds the workspace. Nothing is
 * deleted here: dead entries are shown as such until an explicit prune or reap.
 */

export type HubState = 'running' | 'unreachable' | 'orphan' | 'idle' | 'stopped';

export interface HubInfo {
  /** Stable across refreshes: `<kind>:<id>` for entries, `process:<pid>:<start>` for scanned ones. */
  key: string;
  source: HubKind | 'process-scan';
  id?: string;
  name: string;
  cwd?: string;
  hubUrl?: string;
  pid?: number;
  startedAt?: string;
  uptimeMs?: number;
  /** When the hub last touched its entry file. */
  touchedMs?: number;
  state: HubState;
  /** For orphans the orphan reason; for stopped hubs why. */
  reason?: string;
  /** A dead entry (cwd gone, or its hub process gone): removed by an explicit prune. */
  dead: boolean;
  record?: HubRecord;
  /** The process as observed, for reaping (the identity that must still match). */
  process?: ProcessInfo;
  /** How the process is a hub: standalone (may be signalled) or embedded in an editor (asked to stop). */
  kind?: HubProcessKind;
  /** Why the entry file is not trusted to name a process to stop (shown, flagged; never acted on). */
  untrusted?: string;
  /** The lock that holds this workspace (held first, else stale), if any. */
  lock?: HubLockState;
}

export interface HubListing {
  hubs: HubInfo[];
  unreadable: UnreadableHubFile[];
}

export interface ListHubsOptions {
  roots: readonly HubRoot[];
  env: HubEnv;
  /** Probe one hub URL (default: up to 3 tries, 500 ms each). */
  probe?: (url: string) => Promise<ProbeResult>;
  /** The process table (default: read now). */
  processes?: ProcessInfo[];
  concurrency?: number;
  now?: number;
}

/** The largest pid_t (no platform's pids come near it). */
const MAX_PID = 0x7fffffff;

export async function listHubs(options: ListHubsOptions): Promise<HubListing> {
  const processes = options.processes ?? listProcesses();
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  const { records, unreadable } = await readHubRegistry(options.roots, (pid) => isPidRunning(pid));
  const now = options.now ?? Date.now();
  const probe = options.probe ?? ((url: string) => probeWithRetries(url));
  const home = options.env.home ?? os.homedir();

  const hubs = await mapBounded(records, options.concurrency ?? 8, async (record): Promise<HubInfo> => {
    const e = record.entry;
    const info: HubInfo = {
      key: `${record.root.kind}:${record.id}`,
      source: record.root.kind,
      id: record.id,
      name: e.name || path.basename(e.cwd),
      cwd: e.cwd,
      hubUrl: e.hubUrl || undefined,
      pid: e.hubPid || undefined,
      startedAt: e.hubPid ? e.startedAt : undefined,
      touchedMs: record.touchedMs,
      state: 'stopped',
      dead: false,
      record,
      untrusted: record.untrusted,
      lock: pickLock(e.cwd ? await readHubLockStates(e.cwd, options.env) : []),
    };
    const cwdExists = e.cwd !== '' && fs.existsSync(goCleanPath(e.cwd));
    if (e.hubPid === 0) {
      return { ...info, state: 'idle', dead: !cwdExists, reason: cwdExists ? undefined : 'cwd no longer exists' };
    }
    // No process can have it (bones would even signal every process for -1): a dead entry, said plainly.
    if (e.hubPid < 0 || e.hubPid > MAX_PID)
      return { ...info, state: 'stopped', dead: true, reason: `hub_pid ${e.hubPid} is not a valid process id` };
    const proc = byPid.get(e.hubPid);
    const identity = entryProcess(proc, record, now);
    if ('mismatch' in identity) return { ...info, state: 'stopped', dead: true, reason: identity.mismatch };
    info.process = proc;
    info.kind = identity.kind;
    info.uptimeMs = now - (proc as ProcessInfo).startTimeMs;
    const orphanReason = workspaceGone(e.cwd, record.root.kind, options.env, home);
    if (orphanReason) return { ...info, state: 'orphan', reason: orphanReason, dead: !cwdExists };
    if (!e.hubUrl) return { ...info, state: 'running', reason: 'no hub URL recorded, not probed' };
    // Checked here too, not only inside the default probe: an entry file must never make any probe
    // (a caller's included) send a request off this machine.
    if (!isLoopbackUrl(e.hubUrl)) return { ...info, state: 'running', reason: `not probed: ${e.hubUrl} is not a loopback address` };
    const result = await probe(e.hubUrl);
    if (result === 'not-probed') return { ...info, state: 'running', reason: `not probed: ${e.hubUrl} is not a loopback address` };
    return result === 'answered' ? { ...info, state: 'running' } : { ...info, state: 'unreachable', reason: `no answer from ${e.hubUrl}` };
  });

  // Live hub processes that no entry accounts for (bones prunes the entry of a hub whose folder
  // was deleted, so such a hub is found only here).
  const known = new Set(hubs.filter((h) => h.process).map((h) => h.pid));
  const ids = new Set(records.map((r) => r.id));
  for (const proc of processes) {
    const kind = hubKindOfCommand(proc.argv);
    if (!kind || proc.zombie || known.has(proc.pid) || proc.pid === process.pid) continue;
    const where = processCwd(proc.pid);
    const reason = !where
      ? 'cwd unknown (process introspection failed)'
      : where.deleted
        ? 'cwd no longer exists'
        : ids.has(workspaceId(where.cwd))
          ? 'registry entry names another pid'
          : 'cwd missing from registry';
    hubs.push({
      key: `process:${proc.pid}:${proc.startTimeMs}`,
      source: 'process-scan',
      name: where ? path.basename(where.cwd) : `pid ${proc.pid}`,
      cwd: where?.cwd,
      pid: proc.pid,
      uptimeMs: now - proc.startTimeMs,
      state: 'orphan',
      reason,
      dead: false,
      process: proc,
      kind: 'standalone',
    });
  }
  return { hubs, unreadable };
}

/** How `proc` is the hub that wrote `record`, or why it is not. */
function entryProcess(proc: ProcessInfo | undefined, record: HubRecord, now: number): { kind: HubProcessKind } | { mismatch: string } {
  const e = record.entry;
  const verdict = judgeRecorded(
    {
      pid: e.hubPid,
      startTicks: e.processStartTicks,
      bootId: e.bootId,
      startMs: e.processStartMs,
      claimedAtMs: e.startedAt ? parseRfc3339(e.startedAt) : undefined,
    },
    proc,
    now,
  );
  if (!verdict.same)
    return {
      mismatch: verdict.gone
        ? `hub pid ${e.hubPid} is not running`
        : `${verdict.evidence} (${describeArgv((proc as ProcessInfo).argv)}), not the hub`,
    };
  const kind = hubProcessKind(proc as ProcessInfo, { cmdline: e.cmdline, exactStart: verdict.exact });
  return kind ? { kind } : { mismatch: `pid ${e.hubPid} now runs ${describeArgv((proc as ProcessInfo).argv)}, not a hub` };
}

/**
 * What `--orphans` and "Reap All Orphans" take: a registered hub whose workspace is gone, and a
 * hub found only by the process scan whose own folder was deleted. Other scanned hubs (folder
 * still there, just not in these registries) may belong to another HOME, container or tool set-up
 * of this user: shown, and reaped only when named explicitly.
 */
export function isClearOrphan(h: HubInfo): boolean {
  return h.state === 'orphan' && (h.source !== 'process-scan' || h.reason === 'cwd no longer exists');
}

/** bones' orphan reasons, in bones' order. */
function workspaceGone(cwd: string, kind: HubKind, env: HubEnv, home: string): string | undefined {
  // `..` is resolved lexically, as the workspace id and the state directory are (bones' filepath.Clean).
  if (!cwd || !fs.existsSync(goCleanPath(cwd))) return 'cwd no longer exists';
  const state = workspaceStateDir(cwd, kind, env);
  if (kind === 'bones' && !fs.existsSync(path.join(state, 'agent.id')))
    return `workspace marker missing (${path.relative(cwd, path.join(state, 'agent.id')) || state})`;
  if (kind === 'hubkeeper' && !fs.existsSync(state)) return `workspace marker missing (${path.relative(cwd, state) || state}/)`;
  const abs = path.resolve(cwd);
  for (const trash of [path.join(home, '.Trash'), path.join(home, '.local', 'share', 'Trash')]) {
    if (abs === trash || abs.startsWith(trash + path.sep)) return 'cwd is in Trash';
  }
  return undefined;
}

function pickLock(states: HubLockState[]): HubLockState | undefined {
  return states.find((s) => s.state === 'held') ?? states.find((s) => s.state === 'stale');
}

export function describeArgv(argv: readonly string[]): string {
  const text = argv.join(' ') || '(no command line)';
  return `\`${text.length > 60 ? text.slice(0, 57) + '...' : text}\``;
}
