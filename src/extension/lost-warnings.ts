/**
 * What this window lost, said once. After the machine slept, every lease of a registry is found
 * lost at the same heartbeat, and each folder's hub lock at its own check: one warning per lease
 * and folder used to pile up. Losses are gathered for a moment and said in one warning (its
 * Re-acquire takes everything back: hubkeeper.hub.reacquire); while that warning is still open,
 * later losses go to the log and the status bar only, since its Re-acquire covers them too.
 * No vscode import: the extension passes how to show and when to flush.
 */

export interface Lost {
  kind: 'lease' | 'hub';
  /** The component's name, or the folder's. */
  name: string;
  reason: string;
}

const GATHER_MS = 2000;

export function lostWarningText(items: Lost[]): string {
  if (items.length === 1) {
    const [only] = items;
    return only.kind === 'lease' ? `Hubkeeper lost the lease on '${only.name}': ${only.reason}` : `Hubkeeper: ${only.reason}`;
  }
  const leases = items.filter((i) => i.kind === 'lease').map((i) => `'${i.name}'`);
  const hubs = items.filter((i) => i.kind === 'hub').map((i) => i.name);
  const what = [
    leases.length ? `${leases.length === 1 ? 'the lease' : `${leases.length} leases`} (${leases.join(', ')})` : '',
    hubs.length ? `the hub lock of ${hubs.length === 1 ? 'folder' : `${hubs.length} folders`} ${hubs.join(', ')}` : '',
  ].filter(Boolean);
  return `Hubkeeper lost ${what.join(' and ')}, e.g. after the machine slept: ${items[0].reason} (all reasons in the log).`;
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
    Promise.resolve(this.show(lostWarningText(items))).then(settled, settled);
  }
}
