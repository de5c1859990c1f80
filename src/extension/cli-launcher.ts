import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../core/fs/atomic-write';

/**
 * The `hubkeeper` command of the editor's terminals: a launcher in a directory of its own (the
 * extension puts that directory on the terminals' PATH, cli-on-path.ts) that runs the CLI bundled
 * in the extension (dist/extension.js, which is the CLI when Node runs it: vsix-entry.ts).
 *
 * It runs it with the Node that runs the extension host (`process.execPath`), not `node` from
 * PATH: that one may be missing or older than the CLI needs (Node 20), the editor's never is. In
 * desktop VS Code that binary is Electron, which behaves as plain Node with
 * ELECTRON_RUN_AS_NODE=1 (a real Node ignores the variable). The paths are baked in and rewritten at
 * every activation; should the editor have moved since (an update, before this activation), the
 * launcher falls back to `node` from PATH rather than fail.
 */

export interface CliLauncher {
  /** The directory to put on PATH. */
  dir: string;
  /** The launcher for POSIX shells (`hubkeeper`) and the one for Windows (`hubkeeper.cmd`). */
  files: string[];
}

const shQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function posixLauncher(nodePath: string, cliPath: string): string {
  return [
    '#!/bin/sh',
    '# Written by the Hubkeeper extension at activation: the CLI it ships, run by the editor’s Node.',
    `node=${shQuote(nodePath)}`,
    '[ -x "$node" ] || node=node',
    `ELECTRON_RUN_AS_NODE=1 exec "$node" ${shQuote(cliPath)} "$@"`,
    '',
  ].join('\n');
}

export function windowsLauncher(nodePath: string, cliPath: string): string {
  return [
    '@echo off',
    'rem Written by the Hubkeeper extension at activation: the CLI it ships, run by the editor’s Node.',
    'setlocal',
    `set "HUBKEEPER_NODE=${nodePath}"`,
    'if not exist "%HUBKEEPER_NODE%" set "HUBKEEPER_NODE=node"',
    'set ELECTRON_RUN_AS_NODE=1',
    `"%HUBKEEPER_NODE%" "${cliPath}" %*`,
    '',
  ].join('\r\n');
}

/** Writes both launchers into `dir` (created if needed), atomically, executable. */
export async function writeCliLaunchers(dir: string, cliPath: string, nodePath = process.execPath): Promise<CliLauncher> {
  await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
  const sh = path.join(dir, 'hubkeeper');
  const cmd = path.join(dir, 'hubkeeper.cmd');
  await writeFileAtomic(sh, posixLauncher(nodePath, cliPath), { mode: 0o755, alwaysMode: true });
  await writeFileAtomic(cmd, windowsLauncher(nodePath, cliPath), { mode: 0o644 });
  return { dir, files: [sh, cmd] };
}
