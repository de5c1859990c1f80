import * as vscode from 'vscode';
import { HubkeeperError } from '../../core/errors/hubkeeper-error';
import { ConflictIdNode } from '../views/lab-registry-nodes';
import { CommandContext } from './command-context';
import { fleetTarget, RemoteResult, sendRemote } from './fleet-remote';
import { confirm, scripted } from './ui';

/**
 * Adopt the Lab's ID on Station…: a name with two ids; the station's local entry takes the lab's
 * id, done by that station's agent through its own registry (registry-adopt.ts refuses while a
 * live holder has the lease). Offered only while the entry is locked nowhere (fleet-tree.ts).
 */

const t = vscode.l10n.t;
const isAdoptable = (x: unknown): x is ConflictIdNode => x instanceof ConflictIdNode && x.choice.offered;

export async function adoptLabIdOnStation(
  ctx: CommandContext,
  clicked?: unknown,
  _selected?: unknown,
  options?: unknown,
): Promise<RemoteResult | undefined> {
  const node = await fleetTarget(ctx, 'hubkeeper.fleet.adoptLabId', clicked, isAdoptable, (n) => `${n.choice.name} · ${n.choice.station}`);
  if (!node) return undefined;
  const c = node.choice;
  if (!c.labId) throw new HubkeeperError(t("the lab has no id for '{0}' to adopt; nothing was sent to {1}", c.name, c.station), 'refused');
  const ok = await confirm(
    t("Adopt the lab's id for '{0}' on station {1}?", c.name, c.station),
    t(
      "On {0}, '{1}' changes its id from {2} to the lab's id {3}. Anything there that stored the old id must resolve the name again. {0}'s agent re-verifies both ids and refuses if either changed, or while a live holder has the entry's lease.",
      c.station,
      c.name,
      c.stationId,
      c.labId,
    ),
    t('Adopt on {0}', c.station),
    scripted(options).yes,
  );
  if (!ok) return undefined;
  // Both ids as confirmed: the station changes nothing if either moved meanwhile (remote-actions.ts).
  const target = { name: c.name, from_id: c.stationId, lab_id: c.labId };
  return sendRemote(ctx, c.station, 'adopt', target, t("Adopting the lab's id for '{0}' on {1}", c.name, c.station), t('Adopt'));
}
