import type * as vscode from 'vscode';
import type { HubkeeperModel } from '../model';
import type { ComponentsProvider } from '../views/components-view';
import type { FleetProvider } from '../views/fleet-view';
import type { HubsProvider } from '../views/hubs-view';
import type { StaleLocksProvider } from '../views/locks-view';
import type { WindowHubs } from '../window-hubs';
import type { WindowLab } from '../window-lab';

/** What every command handler gets first: the window's model, its views and its hubs. */
export interface CommandContext {
  model: HubkeeperModel;
  components: ComponentsProvider;
  hubs: HubsProvider;
  locks: StaleLocksProvider;
  /** The Fleet view, and through it the window's lab connection. */
  fleet: FleetProvider;
  windowHubs: WindowHubs;
  /** The lab connection, fleet feed and station agent. */
  windowLab: WindowLab;
  /** Where the extension is installed: its packaged README (Open Documentation). */
  extensionUri: vscode.Uri;
  /**
   * How the editor runs the extension: scripted answers that change the user's settings or
   * connections (Connect to Lab's url and token) count only in ExtensionMode.Test.
   */
  extensionMode?: vscode.ExtensionMode;
  /** What is selected in one of the views, by view id (the target of a keybinding). */
  selection(viewId: string): readonly unknown[];
}

/**
 * A command handler: the context, then what VS Code passes a tree command (the clicked item and
 * the selected items), then a script's answers (ui.ts ScriptedOptions).
 */
export type CommandHandler = (ctx: CommandContext, clicked?: unknown, selected?: unknown, options?: unknown) => unknown;
