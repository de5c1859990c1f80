/**
 * One observed transition of a lease or a hub: what the lease timeline draws. Recorded by whoever
 * watches the state (a window into the local journal, a station agent into the lab's audit
 * stream) and read back as a flat list; the timeline derives the bars (who held what, from when
 * to when) from these events alone. Fields are only ever added.
 */

export type LeaseEventKind =
  /** A holder took a free lease (or renewed one it had lost). */
  | 'acquired'
  /** The holder let it go. */
  | 'released'
  /** The lease ran past its expiry with nobody renewing it. */
  | 'expired'
  /** Its holder's process is gone while the lease had time left. */
  | 'abandoned'
  /** Another holder took it while the previous one's lease was expired or abandoned, or by force. */
  | 'taken-over'
  /** The holder itself learnt it no longer holds it (LeaseHolder 'lost'). */
  | 'lost'
  /** Same id, new name. */
  | 'renamed'
  /** The name has another id on another station or in the lab. */
  | 'conflict'
  /** Hubs: a hub appeared, stopped, became an orphan, was reaped. */
  | 'hub-started'
  | 'hub-stopped'
  | 'hub-orphaned'
  | 'hub-reaped';

export interface LeaseHolderRef {
  host: string;
  pid: number | null;
  instance?: string | null;
}

export interface LeaseEvent {
  /** Wall-clock time the transition was observed (or the file's own time when it says so), ms. */
  atMs: number;
  kind: LeaseEventKind;
  subject: {
    kind: 'component' | 'hub';
    /** Component name, or the hub's workspace name. */
    name: string;
    /** Component ULID, or hub workspace id. */
    id: string | null;
    /** The station it lives on (lab data); null for this machine's local journal. */
    station: string | null;
  };
  /** The holder after the transition (acquired, taken-over) or the one it concerned (others). */
  holder: LeaseHolderRef | null;
  /** The previous holder, for taken-over. */
  previous?: LeaseHolderRef | null;
  /** When the lease runs out (acquired, taken-over), ms; lets a bar end without a later event. */
  expiresAtMs?: number | null;
  /** One line for people: "renamed from camera_1", "pid 4242 is gone". */
  detail?: string | null;
  /** Where the event was read from. */
  source: 'local' | 'lab';
}

/** A source of lease events: the local journal or the lab's audit stream. */
export interface LeaseEventSource {
  /** Events with sinceMs <= atMs <= untilMs, oldest first, de-duplicated. */
  events(range: { sinceMs: number; untilMs: number }): Promise<LeaseEvent[]>;
  /** A short label for the webview: "local journal (~/.hubkeeper/journal)" or "lab http://…". */
  readonly label: string;
}
