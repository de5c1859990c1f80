import * as vscode from 'vscode';
import { fileRemoteRequest, labCaller, RemoteKind, remoteOutcome, RemoteOutcomeKind } from '../../core/fleet/remote-request';
import { HubkeeperError } from '../../core/errors/hubkeeper-error';
import { log } from '../log';
import { ItemMenuCommand, offers } from '../views/context-values';
import type { FleetElement } from '../views/fleet-view';
import { CommandContext } from './command-context';
import { targets } from './ui';

/**
 * What the three remote actions of the Fleet view share: the one target (clicked, or picked from
 * the palette among the items the menu would offer it on), and sending the request: filed with
 * the lab, executed by that station's agent (core/fleet/remote-request.ts), with progress in the
 * Fleet view and the result as one short message.
 */

const t = vscode.l10n.t;

export async function fleetTarget<T extends FleetElement>(
  ctx: CommandContext,
  command: ItemMenuCommand,
  clicked: unknown,
  is: (x: unknown) => x is T,
  label: (n: T) => string,
): Promise<T | undefined> {
  const offered = (x: unknown): x is T => is(x) && offers(command, String(x.treeItem().contextValue));
  const nodes = await targets(clicked, undefined, offered, async () => {
    const items = ctx.fleet.nodes().filter(offered);
    if (items.length === 0) return void vscode.window.showInformationMessage(t('Hubkeeper: nothing in the Fleet view to do this on.'));
    const chosen = await vscode.window.showQuickPick(
      items.map((n) => ({ label: label(n), node: n })),
      { title: t('Pick one') },
    );
    return chosen ? [chosen.node] : undefined;
  });
  return nodes?.[0];
}

export interface RemoteResult {
  kind: RemoteOutcomeKind;
  /** The one short message shown. */
  message: string;
}

/** Files `kind` for `station`, waits with the Fleet view's progress bar, says the result in one line. */
export async function sendRemote(
  ctx: CommandContext,
  station: string,
  kind: RemoteKind,
  target: Record<string, unknown>,
  title: string,
  what: string,
): Promise<RemoteResult> {
  const client = ctx.fleet.client();
  if (!client) throw new HubkeeperError(t('not connected to a lab (run "Hubkeeper: Connect to Lab…")'), 'refused');
  const r = await vscode.window.withProgress({ location: { viewId: 'hubkeeper.fleet' }, title }, (progress) =>
    fileRemoteRequest(labCaller(client), station, kind, target, {
      onState: (seen) =>
        progress.report({
          message:
            seen.state === 'pending' ? t("waiting for {0}'s agent", station) : seen.state === 'running' ? t('running on {0}', station) : '',
        }),
    }),
  );
  const outcome = remoteOutcome(r);
  const detail = outcome.detail.slice(0, 300);
  const message = {
    done: () => t('{0} on {1}: {2}', what, station, detail),
    refused: () => t('{0} on {1} refused: {2}', what, station, detail),
    'not-allowed': () => t("{0} is not allowed on {1}: its agent's allow_remote leaves it out", what, station),
    unknown: () => t('{0} on {1}: outcome unknown, no result before the deadline ({2})', what, station, detail),
    pending: () => t('{0} on {1}: filed, not answered yet', what, station),
  }[outcome.kind]();
  log().info(`remote ${kind} request ${r.id} on ${station}: ${r.state}: ${outcome.detail}`);
  if (outcome.kind === 'done') void vscode.window.showInformationMessage(message);
  else void vscode.window.showWarningMessage(message);
  await ctx.fleet.refresh().catch(() => undefined);
  return { kind: outcome.kind, message };
}
