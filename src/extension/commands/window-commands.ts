import * as vscode from 'vscode';
import { isWriteCommand } from '../command-titles';
import { log } from '../log';
import { isTrusted } from '../trust';
import { CommandContext } from './command-context';

/** The window's own commands: refresh, the log, its hub (restart, re-acquire), its leases, and the status bar menu. */

export function refresh({ model }: CommandContext): Promise<void> {
  return model.refreshAll();
}

export function showLog(): void {
  log().show();
}

export async function showHubs(): Promise<void> {
  await vscode.commands.executeCommand('hubkeeper.hubs.focus');
}

export function restartHub({ windowHubs }: CommandContext): Promise<void> {
  return windowHubs.restart();
}

/** Re-acquire Hub Lock and Leases: after the machine slept, or a lease was lost to another holder. */
export async function reacquire({ model, windowHubs }: CommandContext): Promise<void> {
  await windowHubs.sync(model.settings.hubEnabled);
  const { claims } = model.leases;
  for (const s of claims.problems) await claims.acquire(s.claim);
}

export async function releaseMyLeases({ model }: CommandContext): Promise<void> {
  await model.leases.claims.releaseAll();
  await model.refreshRegistry();
  vscode.window.setStatusBarMessage("Hubkeeper released this window's leases", 4000);
}

const MENU = [
  { label: '$(list-tree) Show Hubs', command: 'hubkeeper.showHubs' },
  { label: '$(unlock) Release My Leases', command: 'hubkeeper.leases.releaseMine' },
  { label: '$(debug-restart) Restart Hub', command: 'hubkeeper.hub.restart' },
  { label: '$(output) Open Log', command: 'hubkeeper.showLog' },
];

/** The status bar item's menu; untrusted, without the write commands. */
export async function showHubMenu(): Promise<void> {
  const chosen = await vscode.window.showQuickPick(
    MENU.filter((i) => isTrusted() || !isWriteCommand(i.command)),
    { title: 'Hubkeeper' },
  );
  if (chosen) await vscode.commands.executeCommand(chosen.command);
}
