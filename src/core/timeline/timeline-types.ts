import type { LeaseEventKind } from '../journal/lease-event';

/**
 * What the lease timeline draws, derived from lease events alone (timeline-model.ts): one row per
 * subject, the holders' bars and the events' markers. Plain data, posted to the webview as JSON
 * and drawn there as both the chart and the table, so the two always agree. No vscode, no DOM.
 */

/** The events that get a marker; an acquisition is the start of a bar instead. */
export type MarkerKind = Exclude<LeaseEventKind, 'acquired'>;

export interface TimelineHolder {
  /** host, pid and instance: two lease holders of one process (a new TTL) are two holders. */
  key: string;
  /** "host · pid", what people recognise. */
  label: string;
  /** Index into the page's palette (TIMELINE_PALETTE_SIZE colours), the same for a holder in every model. */
  colour: number;
}

export interface TimelineBar {
  /** Stable across refreshes and zooms while the lease lasts: the page keeps focus on it by this key. */
  key: string;
  holder: string;
  startMs: number;
  endMs: number;
  /** Held before the range starts: only its end was seen (a release, a takeover). */
  startsBefore: boolean;
  /** Still held now: its end is "now", not an event. */
  ongoing: boolean;
  /** What ended it: an event kind, 'expiry' (its expiresAtMs passed with no event), or 'now'. */
  endedBy: LeaseEventKind | 'expiry' | 'now';
}

export interface TimelineMarker {
  key: string;
  atMs: number;
  kind: MarkerKind;
  /** A takeover of a lease that was still live (not expired, not abandoned). */
  forced: boolean;
  holder: string | null;
  previous: string | null;
  detail: string | null;
}

export interface TimelineSubjectFilter {
  kind: 'component' | 'hub';
  name: string;
  id: string | null;
}

export interface TimelineRow {
  key: string;
  kind: 'component' | 'hub';
  /** The latest name seen (a rename keeps the row: rows are keyed by id). */
  name: string;
  id: string | null;
  station: string | null;
  bars: TimelineBar[];
  markers: TimelineMarker[];
}

export interface TimelineModel {
  sinceMs: number;
  untilMs: number;
  nowMs: number;
  rows: TimelineRow[];
  /** Every holder with a bar or a marker, by key. */
  holders: Record<string, TimelineHolder>;
  /** Events read, and how many of them were ignored (unknown kind, malformed). */
  eventCount: number;
  ignoredCount: number;
  filter: TimelineSubjectFilter | null;
}

export const TIMELINE_PALETTE_SIZE = 8;
