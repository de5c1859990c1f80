import type { TimelineModel, TimelineSubjectFilter } from './timeline-types';

/**
 * What the timeline page and the extension say to each other (postMessage, JSON). The page asks
 * for a zoom and a scope; the extension answers with the model, never with HTML: the page puts
 * every string in with textContent. No vscode, no DOM.
 */

/** The zoom buttons: last 15 min, 1 h, 24 h, 7 d. */
export const TIMELINE_ZOOMS = [
  { label: '15 min', spanMs: 15 * 60_000 },
  { label: '1 h', spanMs: 3_600_000 },
  { label: '24 h', spanMs: 86_400_000 },
  { label: '7 d', spanMs: 7 * 86_400_000 },
] as const;

export const DEFAULT_ZOOM_MS = 3_600_000;

export type TimelineScope = 'subject' | 'all';

export type PageMessage =
  /** Send the model for the last spanMs (the extension's clock decides "now"). */
  | { type: 'request'; spanMs: number; scope: TimelineScope }
  /** What the page drew from the latest model: counted in its DOM, for tests and the log. */
  | { type: 'rendered'; rows: number; bars: number; markers: number; tableLines: number; spanMs: number; scope: TimelineScope };

export interface ModelMessage {
  type: 'model';
  model: TimelineModel;
  spanMs: number;
  scope: TimelineScope;
  /** The subject the panel was opened on (a node's menu), offered as "only this one". */
  subject: TimelineSubjectFilter | null;
  /** Where the events come from (LeaseEventSource.label). */
  sourceLabel: string;
  /** Events left out, oldest first, past MAX_TIMELINE_EVENTS (the page says so). */
  droppedCount: number;
}

/** At most this many events are drawn (the newest): a page of SVG stays responsive, whatever a source returns. */
export const MAX_TIMELINE_EVENTS = 50_000;

/** A page message, checked: the page is ours, but a message is still input. */
export function readPageMessage(raw: unknown): PageMessage | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const m = raw as Record<string, unknown>;
  const scope = m.scope === 'subject' ? 'subject' : 'all';
  const spanMs = TIMELINE_ZOOMS.find((z) => z.spanMs === m.spanMs)?.spanMs;
  if (spanMs === undefined) return null;
  if (m.type === 'request') return { type: 'request', spanMs, scope };
  const count = (v: unknown) => (Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : 0);
  if (m.type === 'rendered')
    return {
      type: 'rendered',
      spanMs,
      scope,
      rows: count(m.rows),
      bars: count(m.bars),
      markers: count(m.markers),
      tableLines: count(m.tableLines),
    };
  return null;
}
