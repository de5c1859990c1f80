import { ChildProcess, spawn } from 'node:child_process';
import * as readline from 'node:readline';

/**
 * A long-lived helper process that holds `flock(2)` locks for us on one lock file.
 *
 * Spawning a process per lock costs milliseconds of main-thread time (fork of a large Node
 * process); a helper that stays alive answers a lock request through a pipe in microseconds. It
 * is a few lines of perl (perl-base modules only, so any Linux or macOS has it). It exits when our
 * end of the pipe closes, including when this process is killed, and the kernel then drops its
 * lock: a crash can never leave the lock held.
 *
 * The helper re-opens the file when the path now names another inode (someone deleted and
 * re-created it), so it always locks the same file as every other process.
 */

const SCRIPT = String.raw`
use strict; use Fcntl qw(:flock O_RDWR O_CREAT O_NOFOLLOW);
$| = 1; my $path = shift; my $fh;
sub reopen { close($fh) if $fh; undef $fh;
  sysopen($fh, $path, O_RDWR | O_CREAT | O_NOFOLLOW, 0644) or return "error $!";
  return -f $fh ? "" : "error not a regular file"; }
sub same { my @a = stat($fh); my @b = stat($path); return @b && $a[0] == $b[0] && $a[1] == $b[1]; }
my $e = reopen(); if ($e) { print "$e\n"; exit 1 } print "ready\n";
while (my $line = <STDIN>) {
  if ($line =~ /^lock (\d+)/) {
    my $polls = $1; my $answer = "timeout";
    for (;;) {
      if (!same()) { my $e = reopen(); if ($e) { $answer = $e; last } }
      if (flock($fh, LOCK_EX | LOCK_NB)) { if (same()) { $answer = "locked"; last } flock($fh, LOCK_UN); next }
      last if $polls-- <= 0; select(undef, undef, undef, 0.005);
    }
    print "$answer\n";
  } elsif ($line =~ /^unlock/) { flock($fh, LOCK_UN); print "unlocked\n" }
}`;

const POLL_MS = 5;

export class FlockAgentUnavailable extends Error {}

/** A lock taken through the agent. */
export interface AgentLock {
  /** False once the helper died while holding it (the kernel dropped the flock with it). */
  readonly held: boolean;
  release(): Promise<void>;
}

export class FlockAgent {
  private child: ChildProcess | undefined;
  private waiting: ((line: string) => void)[] = [];
  private starting: Promise<void> | undefined;
  /** Resolves when the current holder (in this process) releases: one holder at a time. */
  private turn: Promise<void> = Promise.resolve();
  private current: { held: boolean } | undefined;

  constructor(readonly lockPath: string) {}

  /**
   * Resolves with the lock, or undefined on timeout. Callers in this process queue behind one
   * another until the previous one releases (the helper would grant its own lock twice).
   */
  async lock(timeoutMs: number): Promise<AgentLock | undefined> {
    let releaseTurn!: () => void;
    const previous = this.turn;
    this.turn = new Promise<void>((r) => (releaseTurn = r));
    await previous;
    try {
      await this.start();
      const answer = await this.ask(`lock ${Math.max(0, Math.ceil(timeoutMs / POLL_MS))}`);
      if (answer === 'timeout') {
        releaseTurn();
        return undefined;
      }
      if (answer !== 'locked') throw new Error(`cannot lock ${this.lockPath}: ${answer.replace(/^error /, '')}`);
    } catch (err) {
      releaseTurn();
      throw err;
    }
    const state = { held: true };
    this.current = state;
    let released = false;
    return {
      get held() {
        return state.held;
      },
      release: async () => {
        if (released) return;
        released = true;
        try {
          if (state.held && this.child) await this.ask('unlock');
        } finally {
          state.held = false;
          this.current = undefined;
          releaseTurn();
        }
      },
    };
  }

  /** Ends the helper (its lock, if any, is released by the kernel). */
  stop(): void {
    this.child?.stdin?.end();
    this.child = undefined;
  }

  private start(): Promise<void> {
    if (this.child) return Promise.resolve();
    this.starting ??= new Promise<void>((resolve, reject) => {
      // Its own process group: a Ctrl-C in the terminal must not kill the helper while this
      // process, which handles SIGINT, is still writing under the lock.
      const child = spawn('perl', ['-e', SCRIPT, this.lockPath], { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
      child.stdin?.on('error', () => undefined); // a dead helper: reported through 'exit'
      child.on('error', (err: NodeJS.ErrnoException) => {
        this.starting = undefined;
        reject(err.code === 'ENOENT' ? new FlockAgentUnavailable('perl is not installed') : err);
      });
      child.on('exit', () => {
        if (this.child === child) this.child = undefined;
        if (this.current) this.current.held = false; // the kernel released the flock with it
        for (const w of this.waiting.splice(0)) w('error the lock helper exited');
      });
      readline.createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line === 'ready') {
          this.child = child;
          this.starting = undefined;
          child.unref();
          setRef(child, false);
          resolve();
        } else if (!this.child) {
          this.starting = undefined;
          reject(new Error(`cannot lock ${this.lockPath}: ${line.replace(/^error /, '')}`));
        } else {
          this.waiting.shift()?.(line);
          if (this.waiting.length === 0) setRef(child, false);
        }
      });
    });
    return this.starting;
  }

  private ask(command: string): Promise<string> {
    return new Promise((resolve) => {
      const child = this.child;
      if (!child) return resolve('error the lock helper is not running');
      this.waiting.push(resolve);
      setRef(child, true); // an answer is awaited: stay alive for it
      child.stdin?.write(command + '\n');
    });
  }
}

/**
 * An idle helper must never keep this process alive, but a pending answer must: the pipes are
 * referenced only while a request is in flight.
 */
function setRef(child: ChildProcess, ref: boolean): void {
  for (const stream of [child.stdin, child.stdout]) {
    const handle = (stream as unknown as { _handle?: { ref?(): void; unref?(): void } } | null)?._handle;
    if (ref) handle?.ref?.();
    else handle?.unref?.();
  }
}
