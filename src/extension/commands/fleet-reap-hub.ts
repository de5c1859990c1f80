import * as vscode from 'vscode';
import { HubkeeperError } from '../../core/errors/hubkeeper-error';
import { HubNode } from '../views/hubs-view';
import { CommandContext } from './command-context';
import { fleetTarget, RemoteResult, sendRemote } from './fleet-remote';
import { confirm, scripted } from './ui';

/**
 * Reap Hub on Station…: another station's orphan hub, reaped by that station's agent only if the
 * hub is still an orphan there (`expect_state`, judged again by the agent) and its key, pid and exact process start (clock ticks since boot) are still the ones it published;
 * a bare pid is never signalled (core/agent/remote-actions.ts).
 */

const t = vscode.l10n.t;
const isRemoteHub = (x: unknown): x is HubNode => x instanceof HubNode && x.station !== undefined;

export async function reapHubOnStation(
  ctx: CommandContext,
  clicked?: unknown,
  _selected?: unknown,
  options?: unknown,
): Promise<RemoteResult | undefined> {
  const node = await fleetTarget(ctx, 'hubkeeper.fleet.reapHub', clicked, isRemoteHub, (n) => `${n.hub.name} · ${n.station?.name}`);
  if (!node?.station) return undefined;
  const { hub, station } = node;
  if (hub.pid === undefined || station.startTicks === null)
    throw new HubkeeperError(
      t('station {0} published no pid and process start for hub {1}; a bare pid is never signalled', station.name, hub.key),
      'refused',
    );
  const ok = await confirm(
    t("Reap the orphan hub '{0}' on station {1}?", hub.name, station.name),
    t(
      "{0}'s agent re-verifies before any signal that hub {1} is still an orphan there, and that pid {2} started at exactly tick {3} since boot. If its workspace came back, the pid now belongs to another process, or the hub is gone, it refuses.\n\nFolder: {4} ({5})",
      station.name,
      hub.key,
      hub.pid,
      station.startTicks,
      hub.cwd ?? '?',
      hub.reason ?? hub.state,
    ),
    t('Reap on {0}', station.name),
    scripted(options).yes,
  );
  if (!ok) return undefined;
  return sendRemote(
    ctx,
    station.name,
    'reap',
    { key: hub.key, pid: hub.pid, process_start_ticks: station.startTicks, expect_state: hub.state, name: hub.name, cwd: hub.cwd },
    t("Reaping '{0}' on {1}", hub.name, station.name),
    t('Reap'),
  );
}
