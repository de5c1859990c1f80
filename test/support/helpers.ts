import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';
import { after } from 'node:test';

/** Shared test plumbing: real temp dirs, real child processes, and polling without timed asserts. */

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');
export const FIXTURES = path.join(ROOT, 'out', 'test', 'fixtures');

const children = new Set<ChildProcess>();
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

export function tempDir(prefix = 'hubkeeper-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A child that is killed when the test file ends, whatever happened. */
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

export function spawnNode(script: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  return track(spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...options }));
}

/** Resolves with the first stdout line that matches, rejects if the child exits first. */
export function waitForLine(child: ChildProcess, match: RegExp | string, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(
      () => done(new Error(`no line matching ${match} within ${timeoutMs} ms; output so far:\n${buffer}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const line of buffer.split('\n')) {
        if (typeof match === 'string' ? line.includes(match) : match.test(line)) return done(undefined, line);
      }
    };
    const onExit = (code: number | null) => done(new Error(`child exited (${code}) before printing ${match}; output:\n${buffer}`));
    const done = (err?: Error, line?: string) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(line as string);
    };
    child.stdout?.on('data', onData);
    child.on('exit', onExit);
  });
}

export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Polls until `check` returns a truthy value. The deadline only guards against hangs; it is generous on purpose. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * The environment of a CLI run in its own HOME: none of the caller's hub or registry settings
 * leak in (HUBKEEPER_HOME, HUBKEEPER_DIR, BONES_DIR cleared; the registry inside `home`).
 */
export function homeEnv(home: string, registry = path.join(home, 'registry.json')): NodeJS.ProcessEnv {
  return { HOME: home, HUBKEEPER_HOME: '', HUBKEEPER_DIR: '', BONES_DIR: '', HUBKEEPER_REGISTRY_PATH: registry };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = track(
      spawn(process.execPath, [CLI, ...args], {
        cwd: options.cwd,
        env: { ...process.env, NO_COLOR: '1', ...options.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    );
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c) => (stdout += c));
    child.stderr?.on('data', (c) => (stderr += c));
    child.stdin?.end(options.input ?? '');
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* keep looking */
    }
  }
  return undefined;
}
