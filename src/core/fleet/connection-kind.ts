import type { FleetFeed, LabConnection } from './fleet-snapshot';

/**
 * Calls `listener` when the feed's connection kind changes (connecting → connected → reconnecting
 * …), not on each snapshot: the window's context keys and the Fleet view's feed subscription
 * depend on the kind, and the view already follows every snapshot itself (fleet-view.ts), so
 * passing each one on would rebuild the view twice per snapshot. Returns the unsubscribe.
 */
export function onConnectionKindChange(feed: FleetFeed, listener: (kind: LabConnection['kind']) => void): () => void {
  let kind = feed.connection.kind;
  return feed.onChange(() => {
    if (feed.connection.kind === kind) return;
    kind = feed.connection.kind;
    listener(kind);
  });
}
