import * as fs from 'node:fs';
import { spawn } from 'node:child_process';
import { FlockAgent, FlockAgentUnavailable } from './flock-agent';

/**
 * An exclusive BSD `flock(2)` on a lock file, the lock MADSci (Python `filelock`) and bones (Go
 * `syscall.Flock`) take. Node has no flock, and POSIX record locks do not exclude flock holders on
 * Linux, so another process takes it for us: normally the long-lived helper of flock-agent.ts;
 * where perl is missing, one `flock(1)` (util-linux) per lock, handed our descriptor as fd 3. A
 * flock belongs to the open file description we share with that child, so the lock outlives the
 * child and is released when we close the descriptor, or by the kernel when this process dies.
 */

export interface FlockHandle {
  /** False when no flock tool exists here: then only Hubkeeper's own lock protected the write. */
  readonly exclusive: boolean;
  /** False if the lock was lost while held (its helper process died): do not write. */
  readonly held: boolean;
  release(): Promise<void>;
}

export class FlockTimeoutError extends Error {
  constructor(readonly lockPath: string) {
    super(`timed out waiting for the lock on ${lockPath}`);
    this.name = 'FlockTimeoutError';
  }
}

const PERL_FLOCK = [
  '-MFcntl=:flock',
  '-e',
  'open(my $fh, "+<&=", 3) or exit 3; my $end = time + $ARGV[0];' +
    ' until (flock($fh, LOCK_EX | LOCK_NB)) { exit 1 if time > $end; select(undef, undef, undef, 0.02) } exit 0',
];

type Tool = { cmd: string; args: (seconds: string) => string[] };
const TOOLS: Tool[] = [
  { cmd: 'flock', args: (s) => ['--exclusive', '--wait', s, '3'] },
  { cmd: 'perl', args: (s) => [...PERL_FLOCK, s] },
];
let workingTool: Tool | null | undefined;

const agents = new Map<string, FlockAgent>();
let agentsUnavailable = false;

/**
 * Opens (creating if needed, as a regular file, never through a symlink) and locks `lockPath`.
 * Throws FlockTimeoutError after `timeoutMs`. Uses a long-lived lock helper (flock-agent.ts) and
 * falls back to one flock(1)/perl process per lock where the helper cannot run.
 */
export async function acquireFlock(lockPath: string, timeoutMs: number): Promise<FlockHandle> {
  if (!agentsUnavailable) {
    let agent = agents.get(lockPath);
    if (!agent) agents.set(lockPath, (agent = new FlockAgent(lockPath)));
    try {
      const lock = await agent.lock(timeoutMs);
      if (!lock) throw new FlockTimeoutError(lockPath);
      return {
        exclusive: true,
        get held() {
          return lock.held;
        },
        release: () => lock.release(),
      };
    } catch (err) {
      if (!(err instanceof FlockAgentUnavailable)) throw err;
      agentsUnavailable = true;
      agents.clear();
    }
  }
  return acquireWithTool(lockPath, timeoutMs);
}

async function acquireWithTool(lockPath: string, timeoutMs: number): Promise<FlockHandle> {
  const fd = fs.openSync(lockPath, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o644);
  let closed = false;
  const release = async () => {
    if (!closed) {
      closed = true;
      fs.closeSync(fd);
    }
  };
  try {
    if (!fs.fstatSync(fd).isFile()) throw new Error(`${lockPath} is not a regular file`);
    const seconds = (Math.max(timeoutMs, 0) / 1000).toFixed(3);
    for (const tool of workingTool === undefined ? TOOLS : workingTool ? [workingTool] : []) {
      const code = await runLockTool(tool, seconds, fd);
      if (code === 'missing') continue;
      workingTool = tool;
      if (code === 0) return { exclusive: true, held: true, release };
      if (code === 1) throw new FlockTimeoutError(lockPath);
      throw new Error(`${tool.cmd} failed to lock ${lockPath} (exit code ${code})`);
    }
    workingTool = null;
    return { exclusive: false, held: true, release };
  } catch (err) {
    await release();
    throw err;
  }
}

function runLockTool(tool: Tool, seconds: string, fd: number): Promise<number | 'missing'> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool.cmd, tool.args(seconds), { stdio: ['ignore', 'ignore', 'ignore', fd] });
    child.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? resolve('missing') : reject(err)));
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 2)));
  });
}
