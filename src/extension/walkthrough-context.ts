import type { ComponentsState } from '../core/overview/components-state';
import type { LeaseHolder } from '../core/lease-holder/lease-holder';
import type { ComponentRegistry } from '../core/registry/component-registry';
import type { Claim } from './settings';

/**
 * The context keys the "Get Started with Hubkeeper" walkthrough (package.json
 * `contributes.walkthroughs`) completes its steps on (`onContext:…`), read from the model's real
 * state rather than from a click on the step's link: a step is done when the registry can be
 * read, and when this window really holds a claimed lease. No vscode import: the caller passes
 * how a key is set (`setContext`), so the unit tests drive it with real registry files.
 */

export const WALKTHROUGH_KEYS = {
  /** The registry file exists and can be read (an empty one counts; a corrupt one does not). */
  registryFound: 'hubkeeper.registryFound',
  /** This window's lease holder holds the lease of at least one of the workspace's claims. */
  claimHeld: 'hubkeeper.claimHeld',
} as const;

export type WalkthroughKey = keyof typeof WALKTHROUGH_KEYS;

/** What the keys are computed from: the model's last read of the registry and its lease holder. */
export interface WalkthroughSource {
  components: ComponentsState;
  registry: ComponentRegistry;
  holder: LeaseHolder;
  claims: readonly Claim[];
}

export function walkthroughFacts(s: WalkthroughSource): Record<WalkthroughKey, boolean> {
  return {
    registryFound: s.components.exists && !s.components.error,
    // The holder, not the claims' last status: it drops a lease the moment it is released or lost.
    claimHeld: s.claims.some((c) => s.holder.isHolding(s.registry.file, c.name)),
  };
}

/** Sets each key when its value changes (the model re-reads the registry at every heartbeat). */
export class WalkthroughContext {
  private readonly last = new Map<WalkthroughKey, boolean>();

  constructor(private readonly setContext: (key: string, value: boolean) => unknown) {}

  update(source: WalkthroughSource): void {
    for (const [key, value] of Object.entries(walkthroughFacts(source)) as [WalkthroughKey, boolean][]) {
      if (this.last.get(key) === value) continue;
      this.last.set(key, value);
      this.setContext(WALKTHROUGH_KEYS[key], value);
    }
  }

  /** The value last set (undefined before the first update): for the host tests. */
  value(key: WalkthroughKey): boolean | undefined {
    return this.last.get(key);
  }
}
