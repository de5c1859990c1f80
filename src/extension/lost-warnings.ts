/**
 * What this window lost, said once. After the machine slept, every lease of a registry is found
 * lost at the same heartbeat, and each folder's hub lock at its own check: one warning per lease
 * and folder used to pile up. Losses are gathered for a moment and said in one warning (its
 * Re-acquire takes everything back: hubkeeper.hub.reacquire); while that warning is still open,
 * later losses go to the log and the status bar only, since its Re-acquire covers them too.
 * No vscode import: the extension passes how to show, when to flush and its `t` (translate.ts).
 */
import { Translate } from './translate';

export interface Lost {
  kind: 'lease' | 'hub';
  /** The component's name, or the folder's. */
  name: string;
  reason: string;
}

const GATHER_MS = 2000;

export function lostWarningText(items: Lost[], t: Translate): string {
  if (items.length === 1) {
    const [only] = items;
    return only.kind === 'lease' ? t("Hubkeeper lost the lease on '{0}': {1}", only.name, only.reason) : t('Hubkeeper: {0}', only.reason);
  }
  const leaseNames = items.filter((i) => i.kind === 'lease').map((i) => `'${i.name}'`);
  const hubNames = items.filter((i) => i.kind === 'hub').map((i) => i.name);
  const [leases, hubs] = [leaseNames.join(', '), hubNames.join(', ')];
  const [l, h] = [leaseNames.length, hubNames.length];
  const reason = items[0].reason;
  // Whole sentences, one per case, so a translation is never glued from pieces (more than one
  // loss: only leases means two or more of them, and so do only folders).
  if (h === 0) return t('Hubkeeper lost {0} leases ({1}), e.g. after the machine slept: {2} (all reasons in the log).', l, leases, reason);
  if (l === 0)
    return t(
      'Hubkeeper lost the hub lock of {0} folders {1}, e.g. after the machine slept: {2} (all reasons in the log).',
      h,
      hubs,
      reason,
    );
  if (l === 1)
    return h === 1
      ? t(
          'Hubkeeper lost the lease ({0}) and the hub lock of folder {1}, e.g. after the machine slept: {2} (all reasons in the log).',
          leases,
          hubs,
          reason,
        )
      : t(
          'Hubkeeper lost the lease ({0}) and the hub lock of {1} folders {2}, e.g. after the machine slept: {3} (all reasons in the log).',
          leases,
          h,
          hubs,
          reason,
        );
  return h === 1
    ? t(
        'Hubkeeper lost {0} leases ({1}) and the hub lock of folder {2}, e.g. after the machine slept: {3} (all reasons in the log).',
        l,
        leases,
        hubs,
        reason,
      )
    : t(
        'Hubkeeper lost {0} leases ({1}) and the hub lock of {2} folders {3}, e.g. after the machine slept: {4} (all reasons in the log).',
        l,
        leases,
        h,
        hubs,
        reason,
      );
}

export class LostWarnings {
  private pending: Lost[] = [];
  private scheduled = false;
  private open = false;

  /**
   * `show` shows the warning and settles when it is answered or dismissed; `schedule` runs the
   * flush a moment later (tests pass their own).
   */
  constructor(
    private readonly show: (text: string) => PromiseLike<unknown>,
    private readonly t: Translate,
    private readonly schedule: (flush: () => void) => void = (flush) => void setTimeout(flush, GATHER_MS).unref?.(),
  ) {}

  report(lost: Lost): void {
    if (this.open) return;
    // The same lease or folder lost twice in one moment is one loss.
    this.pending = [...this.pending.filter((p) => p.kind !== lost.kind || p.name !== lost.name), lost];
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const items = this.pending;
    this.pending = [];
    if (items.length === 0) return;
    this.open = true;
    const settled = () => (this.open = false);
    Promise.resolve(this.show(lostWarningText(items, this.t))).then(settled, settled);
  }
}
