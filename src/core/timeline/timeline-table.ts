import type { MarkerKind, TimelineModel, TimelineRow } from './timeline-types';

/**
 * The timeline as a table: one line per bar and per marker, in time order within each subject,
 * read from the same model as the chart (the page draws both from it), so what a screen reader
 * reads is what the chart shows. No vscode, no DOM.
 */

export interface TimelineTableLine {
  /** The bar's or marker's key: the chart's element for it has the same. */
  key: string;
  subject: string;
  what: string;
  holder: string;
  fromMs: number;
  /** null for a marker (a moment). */
  toMs: number | null;
  /** A lease still held: it ends "now". */
  ongoing: boolean;
  detail: string;
}

export const MARKER_LABELS: Readonly<Record<MarkerKind, string>> = {
  expired: 'Expired',
  abandoned: 'Abandoned (holder gone)',
  'taken-over': 'Taken over',
  released: 'Released',
  lost: 'Lost',
  renamed: 'Renamed',
  conflict: 'Conflict',
  'hub-started': 'Hub started',
  'hub-stopped': 'Hub stopped',
  'hub-orphaned': 'Hub orphaned',
  'hub-reaped': 'Hub reaped',
};

export function markerLabel(kind: MarkerKind, forced: boolean): string {
  return kind === 'taken-over' && forced ? 'Taken over by force' : MARKER_LABELS[kind];
}

export function rowLabel(row: TimelineRow): string {
  const where = row.station ? ` @ ${row.station}` : '';
  return `${row.kind === 'hub' ? 'hub ' : ''}${row.name}${where}`;
}

export function timelineTable(model: TimelineModel): TimelineTableLine[] {
  const holder = (key: string | null) => (key === null ? '' : (model.holders[key]?.label ?? ''));
  const lines: TimelineTableLine[] = [];
  for (const row of model.rows) {
    const subject = rowLabel(row);
    const own: TimelineTableLine[] = [
      ...row.bars.map((b) => ({
        key: b.key,
        subject,
        what: b.ongoing ? 'Lease (held)' : 'Lease',
        holder: holder(b.holder),
        fromMs: b.startMs,
        toMs: b.endMs,
        ongoing: b.ongoing,
        detail: barDetail(b.startsBefore, b.ongoing, b.endedBy),
      })),
      ...row.markers.map((m) => ({
        key: m.key,
        subject,
        what: markerLabel(m.kind, m.forced),
        holder: m.previous ? `${holder(m.previous)} → ${holder(m.holder)}` : holder(m.holder),
        fromMs: m.atMs,
        toMs: null,
        ongoing: false,
        detail: m.detail ?? '',
      })),
    ];
    own.sort((a, b) => a.fromMs - b.fromMs);
    lines.push(...own);
  }
  return lines;
}

export function barDetail(startsBefore: boolean, ongoing: boolean, endedBy: string): string {
  const parts = [
    startsBefore ? 'held since before this range' : '',
    ongoing ? 'still held' : `ended: ${endedBy === 'expiry' ? 'ran out' : endedBy}`,
  ];
  return parts.filter(Boolean).join('; ');
}

/** Local time, to the second; the date as well when the range spans days. */
export function timeText(ms: number, withDate: boolean): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return withDate ? `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${time}` : time;
}
