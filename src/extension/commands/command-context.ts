import type { HubkeeperModel } from '../model';
import type { ComponentsProvider } from '../views/components-view';
import type { HubsProvider } from '../views/hubs-view';
import type { StaleLocksProvider } from '../views/locks-view';
import type { WindowHubs } from '../window-hubs';

/** What every command handler gets first: the window's model, its views and its hubs. */
export interface CommandContext {
  model: HubkeeperModel;
  components: ComponentsProvider;
  hubs: HubsProvider;
  locks: StaleLocksProvider;
  windowHubs: WindowHubs;
}

/**
 * A command handler: the context, then what VS Code passes a tree command (the clicked item and
 * the selected items), then a script's answers (ui.ts ScriptedOptions).
 */
export type CommandHandler = (ctx: CommandContext, clicked?: unknown, selected?: unknown, options?: unknown) => unknown;
