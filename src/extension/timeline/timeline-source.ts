import type { LeaseEventSource } from '../../core/journal/lease-event';

/**
 * Where the Lease Timeline reads its events. Until this machine keeps a lease journal, an empty
 * source that says so; the journal's LocalJournal (and a lab's audit stream) replace it here.
 */
export function createTimelineSource(): LeaseEventSource {
  return EMPTY_SOURCE;
}

const EMPTY_SOURCE: LeaseEventSource = {
  label: 'no journal yet',
  events: async () => [],
};

/** A source passed by a script or a test (the command's options): it must at least look like one. */
export function isLeaseEventSource(x: unknown): x is LeaseEventSource {
  return typeof x === 'object' && x !== null && typeof (x as LeaseEventSource).events === 'function';
}
