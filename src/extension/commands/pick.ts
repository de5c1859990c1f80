import * as vscode from 'vscode';
import { CommandContext } from './command-context';
import { ComponentNode, InvalidComponentNode } from '../views/components-view';
import { ItemMenuCommand, offers } from '../views/context-values';
import { HubNode } from '../views/hubs-view';

/**
 * What a tree command works on when run from the palette: a quick pick of the items its context
 * menu would be offered on (context-values.ts), so the palette and the menu never disagree.
 */

export async function pickComponent(ctx: CommandContext, title: string, command: ItemMenuCommand): Promise<ComponentNode[] | undefined> {
  const nodes = ctx.components.components().filter((n) => offers(command, n.contextValue));
  if (nodes.length === 0) {
    void vscode.window.showInformationMessage(`Hubkeeper: no components to ${title.toLowerCase()}.`);
    return undefined;
  }
  const chosen = await vscode.window.showQuickPick(
    nodes.map((n) => ({ label: n.name, description: `${n.entry.componentType} · ${n.lockText}`, detail: n.entry.id, node: n })),
    { title, placeHolder: 'Pick a component', matchOnDescription: true },
  );
  return chosen ? [chosen.node] : undefined;
}

export async function pickHubs(ctx: CommandContext, title: string, command: ItemMenuCommand): Promise<HubNode[] | undefined> {
  const nodes = ctx.hubs.hubNodes().filter((n) => offers(command, n.contextValue));
  if (nodes.length === 0) {
    void vscode.window.showInformationMessage(`Hubkeeper: no hubs to ${title.toLowerCase()}.`);
    return undefined;
  }
  const chosen = await vscode.window.showQuickPick(
    nodes.map((n) => ({ label: n.hub.name, description: `${n.hub.state}${n.hub.pid ? ` · pid ${n.hub.pid}` : ''}${n.hub.reason ? ` · ${n.hub.reason}` : ''}`, detail: n.hub.cwd, node: n })),
    { title, canPickMany: true },
  );
  return chosen?.map((c) => c.node);
}

export const isComponent = (x: unknown): x is ComponentNode => x instanceof ComponentNode;
export const isHub = (x: unknown): x is HubNode => x instanceof HubNode;
export const isEntry = (x: unknown): x is ComponentNode | InvalidComponentNode => x instanceof ComponentNode || x instanceof InvalidComponentNode;
