import * as vscode from 'vscode';
import { CommandContext } from './command-context';
import { ComponentNode, InvalidComponentNode } from '../views/components-view';
import { ItemMenuCommand, offers } from '../views/context-values';
import { HubNode, hubStateText } from '../views/hubs-view';

/**
 * What a tree command works on when run from the palette: a quick pick of the items its context
 * menu would be offered on (context-values.ts), so the palette and the menu never disagree.
 */

export function pickComponent(ctx: CommandContext, title: string, command: ItemMenuCommand): Promise<ComponentNode[] | undefined> {
  const item = (n: ComponentNode) => ({ label: n.name, description: `${n.entry.componentType} · ${n.lockText}`, detail: n.entry.id });
  return pick(ctx.components.components(), command, vscode.l10n.t('Hubkeeper: no component to pick for "{0}".', title), item, {
    title,
    placeHolder: vscode.l10n.t('Pick a component'),
    matchOnDescription: true,
  });
}

export function pickHubs(ctx: CommandContext, title: string, command: ItemMenuCommand): Promise<HubNode[] | undefined> {
  const item = ({ hub }: HubNode) => ({
    label: hub.name,
    description: [hubStateText(hub.state), hub.pid ? vscode.l10n.t('pid {0}', hub.pid) : '', hub.reason ?? ''].filter(Boolean).join(' · '),
    detail: hub.cwd,
  });
  return pick(ctx.hubs.hubNodes(), command, vscode.l10n.t('Hubkeeper: no hub to pick for "{0}".', title), item, {
    title,
    canPickMany: true,
  });
}

async function pick<N extends { contextValue: string }>(
  all: N[],
  command: ItemMenuCommand,
  /** Said when nothing is offered the command. */
  none: string,
  item: (n: N) => vscode.QuickPickItem,
  options: vscode.QuickPickOptions & { title: string },
): Promise<N[] | undefined> {
  const nodes = all.filter((n) => offers(command, n.contextValue));
  if (nodes.length === 0) {
    void vscode.window.showInformationMessage(none);
    return undefined;
  }
  const items = nodes.map((node) => ({ ...item(node), node }));
  const chosen: (typeof items)[number] | (typeof items)[number][] | undefined = await vscode.window.showQuickPick(items, options);
  return chosen === undefined ? undefined : (Array.isArray(chosen) ? chosen : [chosen]).map((c) => c.node);
}

export const isComponent = (x: unknown): x is ComponentNode => x instanceof ComponentNode;
export const isHub = (x: unknown): x is HubNode => x instanceof HubNode;
export const isEntry = (x: unknown): x is ComponentNode | InvalidComponentNode =>
  x instanceof ComponentNode || x instanceof InvalidComponentNode;
