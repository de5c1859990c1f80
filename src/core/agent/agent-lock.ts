import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write';
import { readSmallFile } from '../fs/read-small-file';
import { defaultHubRoots, HubEnv } from '../hubs/hub-paths';
import { acquireFlock, FlockHandle, FlockTimeoutError } from '../mutex/flock';

/**
 * One station agent per machine and user: `agent.lock` in Hubkeeper's home (`~/.hubkeeper`,
 * `HUBKEEPER_HOME` moves it), an flock (mutex/flock.ts) held for as long as the agent runs. The
 * kernel drops a flock when its holder dies, however it dies, so a window waiting for the lock
 * takes over at its next try (as a dead hub lock holder is taken over). Beside it
 * `agent.lock.json` says who holds it, for the line the others log; it is only ever advice.
 */

export interface AgentLockHolder {
  pid: number;
  host: string;
  /** 'window' (an editor window's agent) or 'cli' (`hubkeeper agent`). */
  by: string;
  station: string;
  since: string;
}

export interface AgentLock {
  readonly path: string;
  /** False once the lock was lost (its flock helper died): stop the agent (agent-seat.ts checks it). */
  readonly held: boolean;
  release(): Promise<void>;
}

/**
 * No flock tool exists here (no perl, no flock(1)): a lock taken without one excludes nobody, so
 * it is never counted as the seat; every window would run an agent otherwise.
 */
export class AgentLockNotExclusive extends Error {
  constructor(readonly lockPath: string) {
    super(`${lockPath}: no flock tool (perl or flock(1)) on this machine, so the lock cannot exclude other windows; not taken`);
    this.name = 'AgentLockNotExclusive';
  }
}

export function agentLockPath(hubEnv: HubEnv): string {
  return path.join(defaultHubRoots(hubEnv)[0].dir, 'agent.lock');
}

/** The lock if it is free now; undefined while another process holds it; AgentLockNotExclusive where no flock tool exists. */
export async function tryAgentLock(
  lockPath: string,
  holder: Omit<AgentLockHolder, 'pid' | 'host' | 'since'>,
): Promise<AgentLock | undefined> {
  await fs.promises.mkdir(path.dirname(lockPath), { recursive: true, mode: 0o700 });
  let flock: FlockHandle;
  try {
    flock = await acquireFlock(lockPath, 0);
  } catch (err) {
    if (err instanceof FlockTimeoutError) return undefined;
    throw err;
  }
  if (!flock.exclusive) {
    await flock.release();
    throw new AgentLockNotExclusive(lockPath);
  }
  const record: AgentLockHolder = { pid: process.pid, host: os.hostname(), since: new Date().toISOString(), ...holder };
  await writeFileAtomic(`${lockPath}.json`, JSON.stringify(record) + '\n', { mode: 0o600 }).catch(() => undefined);
  let released = false;
  return {
    path: lockPath,
    get held() {
      return !released && flock.held;
    },
    async release() {
      if (released) return;
      released = true;
      if ((await readAgentLockHolder(lockPath))?.pid === process.pid) await fs.promises.rm(`${lockPath}.json`, { force: true });
      await flock.release();
    },
  };
}

/** Who said they hold it (agent.lock.json), each field checked; undefined when unknown. */
export async function readAgentLockHolder(lockPath: string): Promise<AgentLockHolder | undefined> {
  try {
    const raw = JSON.parse((await readSmallFile(`${lockPath}.json`, 4096, 'agent lock holder file')).text) as Record<string, unknown>;
    if (!Number.isSafeInteger(raw.pid)) return undefined;
    const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 256) : '');
    return { pid: raw.pid as number, host: str(raw.host), by: str(raw.by), station: str(raw.station), since: str(raw.since) };
  } catch {
    return undefined;
  }
}

export function describeHolder(h: AgentLockHolder | undefined): string {
  return h
    ? `${h.by === 'cli' ? '`hubkeeper agent`' : 'a window'} (pid ${h.pid}, station ${h.station}, since ${h.since})`
    : 'another process';
}
