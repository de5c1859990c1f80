import { timelineTable, timeText } from '../../core/timeline/timeline-table';
import type { TimelineModel } from '../../core/timeline/timeline-types';
import { html } from './dom';

/**
 * The same model as a table (the "Table" toggle), for the keyboard and screen readers: a caption,
 * column headers, the subject as each line's row header. An ongoing lease ends "now" as text,
 * so the table's text only changes when the events do (timeline.ts skips redrawing it then,
 * and a screen reader keeps its place).
 */
export function renderTable(model: TimelineModel, zoomLabel: string): { table: HTMLTableElement; text: string; lines: number } {
  const withDate = model.untilMs - model.sinceMs > 86_400_000;
  const lines = timelineTable(model);
  const table = html('table', { id: 'timeline-table', class: 'table' });
  table.append(html('caption', {}, `Lease events, last ${zoomLabel}: ${lines.length} ${lines.length === 1 ? 'line' : 'lines'}`));
  const head = html('tr');
  for (const title of ['Subject', 'Event', 'Holder', 'From', 'To', 'Detail']) head.append(html('th', { scope: 'col' }, title));
  const thead = html('thead');
  thead.append(head);
  table.append(thead);
  const body = html('tbody');
  for (const l of lines) {
    const tr = html('tr', { 'data-line': l.key });
    tr.append(html('th', { scope: 'row' }, l.subject));
    tr.append(html('td', {}, l.what));
    tr.append(html('td', {}, l.holder));
    tr.append(html('td', {}, timeText(l.fromMs, withDate)));
    tr.append(html('td', {}, l.toMs === null ? '' : l.ongoing ? 'now' : timeText(l.toMs, withDate)));
    tr.append(html('td', {}, l.detail));
    body.append(tr);
  }
  table.append(body);
  const text = lines.map((l) => `${l.key}\u0000${l.what}\u0000${l.toMs === null || l.ongoing ? '' : l.toMs}\u0000${l.detail}`).join('\n');
  return { table, text: `${zoomLabel}\n${text}`, lines: lines.length };
}
