import * as vscode from 'vscode';
import { HeldLease, LeaseHolder } from '../core/lease-holder/lease-holder';
import { ClaimsManager } from './claims';
import { Lost } from './lost-warnings';

/**
 * This window's lease holder and the claims it holds with it. A holder's TTL and heartbeat are
 * fixed when it is made, so a change of either setting replaces both, after the old leases are
 * released. onDidChange and onDidLose fire for the claims of whichever pair is current
 * (onDidChange also at a replacement), so a subscriber subscribes once.
 */

export interface LeaseTiming {
  leaseTtlMs: number;
  heartbeatMs: number;
}

/** Told of every lease a holder of this window loses (the lease journal records it). */
export type LostLeaseListener = (holder: LeaseHolder, lease: HeldLease, reason: string) => void;

export class WindowLeases {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly lostOne = new vscode.EventEmitter<Lost>();
  /** A lease of the current claims was lost. */
  readonly onDidLose = this.lostOne.event;
  private current: { holder: LeaseHolder; claims: ClaimsManager; subscription: vscode.Disposable };

  constructor(
    timing: LeaseTiming,
    private readonly onLostLease?: LostLeaseListener,
  ) {
    this.current = this.make(timing);
  }

  get holder(): LeaseHolder {
    return this.current.holder;
  }

  get claims(): ClaimsManager {
    return this.current.claims;
  }

  /** A new holder (and claims) when the timing changed; true if so. The claims must be synced again. */
  async retime(timing: LeaseTiming): Promise<boolean> {
    const { holder } = this.current;
    if (holder.ttlMs === timing.leaseTtlMs && holder.heartbeatMs === timing.heartbeatMs) return false;
    await this.close();
    this.current = this.make(timing);
    this.changed.fire();
    return true;
  }

  /** Releases every lease this window holds (deactivation). */
  async dispose(): Promise<void> {
    await this.close();
    this.changed.dispose();
    this.lostOne.dispose();
  }

  private async close(): Promise<void> {
    this.current.subscription.dispose();
    await this.current.claims.dispose();
  }

  private make(timing: LeaseTiming) {
    const holder = new LeaseHolder({ ttlMs: timing.leaseTtlMs, heartbeatMs: timing.heartbeatMs });
    const claims = new ClaimsManager(holder);
    const journalLost = (lease: HeldLease, reason: string) => this.onLostLease?.(holder, lease, reason);
    holder.on('lost', journalLost);
    const subscription = vscode.Disposable.from(
      claims.onDidChange(() => this.changed.fire()),
      claims.onDidLose((lost) => this.lostOne.fire(lost)),
      { dispose: () => holder.off('lost', journalLost) },
    );
    return { holder, claims, subscription };
  }
}
