import * as vscode from 'vscode';
import { StaleLeaseNode } from '../views/locks-view';
import { CommandContext } from './command-context';
import { fleetTarget, RemoteResult, sendRemote } from './fleet-remote';
import { confirm, scripted } from './ui';

/**
 * Release Lock on Station…: a stale lease another station published, released by that station's
 * agent only if the lock is still the one shown (holder host, pid, instance and acquired_at) and still stale
 * there (core/agent/remote-actions.ts).
 */

const t = vscode.l10n.t;
const isRemoteLease = (x: unknown): x is StaleLeaseNode => x instanceof StaleLeaseNode && x.station !== undefined;

export async function releaseLockOnStation(
  ctx: CommandContext,
  clicked?: unknown,
  _selected?: unknown,
  options?: unknown,
): Promise<RemoteResult | undefined> {
  const node = await fleetTarget(ctx, 'hubkeeper.fleet.releaseLock', clicked, isRemoteLease, (n) => `${n.entry.name} · ${n.station?.name}`);
  const lock = node?.entry.lock;
  if (!node?.station || !lock) return undefined;
  const station = node.station.name;
  const ok = await confirm(
    t("Release the stale lease on '{0}' on station {1}?", node.entry.name, station),
    t(
      "{0}'s agent re-verifies the holder before releasing: {1} · pid {2} · instance {3} (acquired {4}). If the lease changed hands or is live again, it refuses.\n\nNow: {5}",
      station,
      lock.holderHost,
      lock.holderPid,
      lock.holderInstance,
      lock.acquiredAt.text,
      node.status.reason,
    ),
    t('Release on {0}', station),
    scripted(options).yes,
  );
  if (!ok) return undefined;
  return sendRemote(
    ctx,
    station,
    'release',
    {
      name: node.entry.name,
      holder_host: lock.holderHost,
      holder_pid: lock.holderPid,
      holder_instance: lock.holderInstance,
      acquired_at: lock.acquiredAt.text,
    },
    t("Releasing '{0}' on {1}", node.entry.name, station),
    t('Release'),
  );
}
