import type { LeaseEvent } from '../journal/lease-event';
import { checkLeaseEvent } from '../journal/lease-event-json';

/**
 * An event as the timeline trusts it: a journal line or a station's audit record is whatever the
 * file or the network said, so it is checked by the one rule for lease events from outside
 * (journal/lease-event-json.ts: known kinds, field types, lengths capped). Anything else (an
 * unknown kind from a newer writer, a malformed record) is null and counted as ignored, never drawn.
 */
export function checkedEvent(raw: unknown): LeaseEvent | null {
  const source = typeof raw === 'object' && raw !== null && (raw as { source?: unknown }).source === 'lab' ? 'lab' : 'local';
  try {
    return checkLeaseEvent(raw, source);
  } catch {
    return null;
  }
}
