import type { LabClient } from '../../core/agent/lab-client';
import { LabAuditSource } from '../../core/agent/lab-audit-source';
import type { LocalJournal } from '../../core/journal/journal-file';
import type { LeaseEventSource } from '../../core/journal/lease-event';

/**
 * Where the Lease Timeline reads its events: the lab's audit stream (every station's lease
 * events, as their agents sent them) while this window is connected to a lab, else this machine's
 * local journal (what its windows observed). The window's lab client is asked at every read, never
 * kept: after Disconnect or a new URL the open panel must not go on using the old one's token.
 */
export function createTimelineSource(journal: LocalJournal, labClient: () => LabClient | undefined): LeaseEventSource {
  const current = (): LeaseEventSource => {
    const lab = labClient();
    return lab ? new LabAuditSource(lab) : journal;
  };
  return {
    get label() {
      return current().label;
    },
    events: (range) => current().events(range),
  };
}

/** A source passed by a script or a test (the command's options): it must at least look like one. */
export function isLeaseEventSource(x: unknown): x is LeaseEventSource {
  return typeof x === 'object' && x !== null && typeof (x as LeaseEventSource).events === 'function';
}
