import * as vscode from 'vscode';
import { commandTitles, CommandId } from '../command-titles';
import { registerCommand } from '../trust';
import { claimComponent } from './claim-component';
import { cleanStaleComponents } from './clean-stale';
import { CommandContext, CommandHandler } from './command-context';
import { copyComponentId, revealComponent } from './component-links';
import { deleteComponent } from './delete-component';
import { adoptLabIdOnStation } from './fleet-adopt-id';
import { reapHubOnStation } from './fleet-reap-hub';
import { releaseLockOnStation } from './fleet-release-lock';
import { clearComponentFilter, filterComponents } from './filter-components';
import { copyHubUrl, openHubFolder, revealHubEntry } from './hub-links';
import { pruneHubEntries, reapHubs, reapOrphanHubs } from './reap-hubs';
import { createRegistry, openRegistryFile } from './registry-file';
import { releaseComponent } from './release-component';
import { releaseAllStaleLocks, releaseStaleLocks } from './release-locks';
import { renameComponent } from './rename-component';
import { showLeaseTimeline } from './show-lease-timeline';
import { exportRegistry, importRegistry } from './transfer-registry';
import { guarded } from './ui';
import { connectToLab, disconnectFromLab } from './lab-connect';
import { openDocs, reacquire, refresh, releaseMyLeases, restartHub, showHubMenu, showHubs, showLog } from './window-commands';

/**
 * Every command, registered in one place: one handler per contributed command (the type makes
 * the table complete: command-titles.ts lists them, checked against package.json), each behind
 * the same two guards — a write command refuses in an untrusted workspace (trust.ts), and an
 * error is reported once, with the command's title (ui.ts), never thrown at the editor.
 */
const HANDLERS: Record<CommandId, CommandHandler> = {
  'hubkeeper.refresh': refresh,
  'hubkeeper.showLog': showLog,
  'hubkeeper.showHubs': showHubs,
  'hubkeeper.openDocs': openDocs,
  'hubkeeper.showLeaseTimeline': showLeaseTimeline,
  'hubkeeper.hub.showMenu': showHubMenu,
  'hubkeeper.hub.restart': restartHub,
  'hubkeeper.hub.reacquire': reacquire,
  'hubkeeper.leases.releaseMine': releaseMyLeases,
  'hubkeeper.components.filter': filterComponents,
  'hubkeeper.components.clearFilter': clearComponentFilter,
  'hubkeeper.components.rename': renameComponent,
  'hubkeeper.components.release': releaseComponent,
  'hubkeeper.components.delete': deleteComponent,
  'hubkeeper.components.copyId': copyComponentId,
  'hubkeeper.components.reveal': revealComponent,
  'hubkeeper.components.cleanStale': cleanStaleComponents,
  'hubkeeper.components.claim': claimComponent,
  'hubkeeper.components.export': exportRegistry,
  'hubkeeper.components.import': importRegistry,
  'hubkeeper.components.openRegistry': openRegistryFile,
  'hubkeeper.components.createRegistry': createRegistry,
  'hubkeeper.hubs.reap': reapHubs,
  'hubkeeper.hubs.reapOrphans': reapOrphanHubs,
  'hubkeeper.hubs.prune': pruneHubEntries,
  'hubkeeper.hubs.openFolder': openHubFolder,
  'hubkeeper.hubs.copyUrl': copyHubUrl,
  'hubkeeper.hubs.revealEntry': revealHubEntry,
  'hubkeeper.locks.release': releaseStaleLocks,
  'hubkeeper.locks.releaseAll': releaseAllStaleLocks,
  'hubkeeper.fleet.releaseLock': releaseLockOnStation,
  'hubkeeper.fleet.reapHub': reapHubOnStation,
  'hubkeeper.fleet.adoptLabId': adoptLabIdOnStation,
  'hubkeeper.lab.connect': connectToLab,
  'hubkeeper.lab.disconnect': disconnectFromLab,
};

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  const titles = commandTitles(vscode.l10n.t);
  return (Object.entries(HANDLERS) as [CommandId, CommandHandler][]).map(([id, handler]) =>
    registerCommand(id, (...args: unknown[]) => guarded(titles[id], async () => handler(ctx, ...fromKeybinding(ctx, args)))),
  );
}

/**
 * A keybinding (F2, Delete) passes no tree item, only its `args` from package.json,
 * `{ fromView: <view id> }`: the command then acts on that view's selection, as a right-click
 * on the selected rows would. Anything else is passed on as it came.
 */
function fromKeybinding(ctx: CommandContext, args: unknown[]): unknown[] {
  const [first, ...rest] = args;
  const fromView = first && typeof first === 'object' && 'fromView' in first ? (first as { fromView: unknown }).fromView : undefined;
  if (typeof fromView !== 'string') return args;
  const selected = ctx.selection(fromView);
  return [selected[0], selected.length > 1 ? [...selected] : undefined, ...rest.slice(1)];
}
