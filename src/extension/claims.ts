import * as vscode from 'vscode';
import { fromPlain, JsonObject } from '../core/json/json-value';
import { HeldLease, LeaseHolder } from '../core/lease-holder/lease-holder';
import { ComponentRegistry } from '../core/registry/component-registry';
import { RegistryLockError } from '../core/registry/errors';
import { errorText, log } from './log';
import { Lost } from './lost-warnings';
import { Claim } from './settings';

/**
 * The component names this workspace claims (`hubkeeper.claims`): their leases are held, with
 * heartbeats, while the window is open, and released when it closes. A claim another holder has
 * is retried at every heartbeat; a lease lost to another holder is reported (onDidLose), and the
 * window warns once for all its losses, with "Re-acquire".
 */

export type ClaimState = 'held' | 'waiting' | 'lost' | 'error';

export interface ClaimStatus {
  claim: Claim;
  state: ClaimState;
  detail?: string;
}

export class ClaimsManager implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly lostOne = new vscode.EventEmitter<Lost>();
  /** A held lease was lost to another holder (the window says so once for all: lost-warnings.ts). */
  readonly onDidLose = this.lostOne.event;
  readonly statuses = new Map<string, ClaimStatus>();
  private registry?: ComponentRegistry;
  private retryTimer?: NodeJS.Timeout;

  constructor(readonly holder: LeaseHolder) {
    holder.on('lost', (lease, reason) => this.onLost(lease, reason));
    holder.on('heartbeat-error', (err) => log().warn(`heartbeat failed (retried at the next interval): ${err.message}`));
  }

  /** Holds exactly `claims` in `registry`: new ones are acquired, dropped ones released. */
  async sync(registry: ComponentRegistry, claims: Claim[]): Promise<void> {
    const registryChanged = this.registry && this.registry.path !== registry.path;
    const wanted = new Set(claims.map((c) => c.name));
    const dropped = [...this.statuses.values()].filter((s) => registryChanged || !wanted.has(s.claim.name));
    for (const status of dropped) await this.releaseOne(status.claim.name);
    // A claim taken out of the setting is a change too (the status bar, the walkthrough's claim step).
    if (dropped.length) this.changed.fire();
    this.registry = registry;
    await Promise.all(claims.filter((c) => this.statuses.get(c.name)?.state !== 'held').map((c) => this.acquire(c)));
    this.scheduleRetries();
  }

  /** Releases every lease this window holds (the status bar's "Release My Leases"). */
  async releaseAll(): Promise<void> {
    await this.holder.releaseAll();
    for (const s of this.statuses.values()) s.state = 'waiting';
    this.statuses.clear();
    this.changed.fire();
  }

  async acquire(claim: Claim): Promise<void> {
    if (!this.registry) return;
    try {
      const metadata = claim.metadata ? (fromPlain(claim.metadata, `claim ${claim.name}.metadata`) as JsonObject) : undefined;
      await this.registry.resolve(claim.name, claim.type, { metadata });
      this.statuses.set(claim.name, { claim, state: 'held' });
      log().info(`holding the lease on '${claim.name}'`);
    } catch (err) {
      const waiting = err instanceof RegistryLockError;
      this.statuses.set(claim.name, { claim, state: waiting ? 'waiting' : 'error', detail: errorText(err) });
      (waiting ? log().info : log().error).call(log(), `claim '${claim.name}': ${errorText(err)}`);
    }
    this.changed.fire();
  }

  private async releaseOne(name: string): Promise<void> {
    this.statuses.delete(name);
    try {
      if (this.registry && this.holder.isHolding(this.registry.file, name)) await this.registry.release(name);
    } catch (err) {
      log().warn(`releasing '${name}': ${errorText(err)}`);
    }
  }

  private onLost(lease: HeldLease, reason: string): void {
    const status = this.statuses.get(lease.name);
    if (!status) return;
    status.state = 'lost';
    status.detail = reason;
    log().warn(`lost the lease on '${lease.name}': ${reason}`);
    this.changed.fire();
    this.lostOne.fire({ kind: 'lease', name: lease.name, reason });
  }

  /** Claims held by someone else are retried at every heartbeat interval. */
  private scheduleRetries(): void {
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.retryTimer = setInterval(() => {
      for (const s of this.statuses.values()) if (s.state === 'waiting') void this.acquire(s.claim);
    }, this.holder.heartbeatMs);
    this.retryTimer.unref?.();
  }

  get problems(): ClaimStatus[] {
    return [...this.statuses.values()].filter((s) => s.state !== 'held');
  }

  async dispose(): Promise<void> {
    if (this.retryTimer) clearInterval(this.retryTimer);
    await this.holder.releaseAll();
    this.changed.dispose();
    this.lostOne.dispose();
  }
}
