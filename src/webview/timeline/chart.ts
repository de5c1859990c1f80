import { barDetail, markerLabel, rowLabel, timeText } from '../../core/timeline/timeline-table';
import type { TimelineBar, TimelineMarker, TimelineModel, TimelineRow } from '../../core/timeline/timeline-types';
import { svg } from './dom';
import { MARKER_SHAPES } from './marker-shapes';

/**
 * The chart: one SVG row per subject, a bar per lease (its holder's colour class, its label on
 * it when it fits), a shape per marker, a time axis. Every bar and marker is an item with its
 * details (title for hover, aria-label for a screen reader) that the keyboard moves between.
 */

const LABEL_W = 200;
const ROW_H = 30;
const AXIS_H = 26;
const PAD_R = 16;
const BAR_H = 16;

export interface ChartItem {
  key: string;
  el: SVGElement;
  row: number;
  atMs: number;
  details: string;
}

export interface Chart {
  root: SVGElement;
  /** Per row, its items in time order (what the arrow keys walk). */
  rows: ChartItem[][];
  /** Each row's key (TimelineRow.key), by index. */
  rowKeys: string[];
  byKey: Map<string, ChartItem>;
}

const TICKS: [number, number][] = [
  [15 * 60_000, 5 * 60_000],
  [3_600_000, 10 * 60_000],
  [86_400_000, 3 * 3_600_000],
  [Infinity, 86_400_000],
];

export function renderChart(model: TimelineModel, widthPx: number): Chart {
  const width = Math.max(widthPx, LABEL_W + 200);
  const height = AXIS_H + model.rows.length * ROW_H + 4;
  const span = Math.max(1, model.untilMs - model.sinceMs);
  const withDate = span > 86_400_000;
  const x = (ms: number) => LABEL_W + ((ms - model.sinceMs) / span) * (width - LABEL_W - PAD_R);
  const root = svg('svg', {
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: 'group',
    'aria-label': 'Lease timeline chart: arrow keys move between rows and bars, the details show below',
    class: 'chart',
  });

  const axis = svg('g', { class: 'axis', 'aria-hidden': 'true' });
  const step = TICKS.find(([upTo]) => span <= upTo)?.[1] ?? 86_400_000;
  for (let t = Math.ceil(model.sinceMs / step) * step; t <= model.untilMs; t += step) {
    axis.append(svg('line', { x1: x(t), x2: x(t), y1: AXIS_H - 6, y2: height, class: 'tick' }));
    axis.append(svg('text', { x: x(t), y: AXIS_H - 10, class: 'tick-label' }, timeText(t, withDate && step < 86_400_000)));
  }
  axis.append(svg('line', { x1: x(model.nowMs), x2: x(model.nowMs), y1: AXIS_H - 6, y2: height, class: 'now' }));
  root.append(axis);

  const chart: Chart = { root, rows: [], rowKeys: model.rows.map((r) => r.key), byKey: new Map() };
  model.rows.forEach((row, r) => {
    const y = AXIS_H + r * ROW_H;
    const label = rowLabel(row);
    const g = svg('g', { 'data-row': row.key, class: `row row-${row.kind}` });
    g.append(svg('text', { x: 4, y: y + ROW_H / 2 + 4, class: 'row-label' }, clip(label, 28)));
    g.append(svg('line', { x1: LABEL_W, x2: width - PAD_R, y1: y + ROW_H - 0.5, y2: y + ROW_H - 0.5, class: 'row-rule' }));
    const items: ChartItem[] = [];
    for (const bar of row.bars) items.push(barItem(model, row, label, bar, r, x, y, withDate, g));
    for (const m of row.markers) items.push(markerItem(model, label, m, r, x(m.atMs), y, withDate, g));
    items.sort((a, b) => a.atMs - b.atMs);
    items.forEach((it) => chart.byKey.set(it.key, it));
    chart.rows.push(items);
    root.append(g);
  });
  return chart;
}

function barItem(
  model: TimelineModel,
  row: TimelineRow,
  label: string,
  bar: TimelineBar,
  r: number,
  x: (ms: number) => number,
  y: number,
  withDate: boolean,
  parent: SVGElement,
): ChartItem {
  const holder = model.holders[bar.holder];
  const x0 = x(bar.startMs);
  const w = Math.max(2, x(bar.endMs) - x0);
  const to = bar.ongoing ? 'now' : timeText(bar.endMs, withDate);
  const details = `${label}: lease held by ${holder?.label ?? '?'}, ${timeText(bar.startMs, withDate)} – ${to} (${barDetail(bar.startsBefore, bar.ongoing, bar.endedBy)})`;
  const g = svg('g', {
    class: `bar holder-${holder?.colour ?? 0}${bar.ongoing ? ' ongoing' : ''}`,
    'data-bar': bar.key,
    'data-holder': holder?.label ?? '',
    'data-row': row.key,
    role: 'img',
    'aria-label': details,
    tabindex: -1,
  });
  g.append(svg('title', {}, details));
  g.append(svg('rect', { x: x0, y: y + (ROW_H - BAR_H) / 2, width: w, height: BAR_H, rx: 2 }));
  // The holder's name on the bar when it fits (about 6.5 px a character).
  const text = holder?.label ?? '';
  if (w > text.length * 6.5 + 8) g.append(svg('text', { x: x0 + 4, y: y + ROW_H / 2 + 4, class: 'bar-label' }, text));
  parent.append(g);
  return { key: bar.key, el: g, row: r, atMs: bar.startMs, details };
}

function markerItem(
  model: TimelineModel,
  label: string,
  m: TimelineMarker,
  r: number,
  cx: number,
  y: number,
  withDate: boolean,
  parent: SVGElement,
): ChartItem {
  const who = (key: string | null) => (key === null ? null : (model.holders[key]?.label ?? '?'));
  const holders = m.previous ? `${who(m.previous)} → ${who(m.holder)}` : who(m.holder);
  const what = markerLabel(m.kind, m.forced);
  const details = [`${label}: ${what} at ${timeText(m.atMs, withDate)}`, holders, m.detail].filter(Boolean).join('; ');
  const shape = MARKER_SHAPES[m.kind];
  const filled = shape.filled || (m.kind === 'taken-over' && m.forced);
  const g = svg('g', {
    class: `marker marker-${m.kind}${filled ? ' filled' : ''}`,
    transform: `translate(${cx.toFixed(1)} ${y + ROW_H / 2})`,
    'data-marker': m.key,
    'data-kind': m.kind,
    role: 'img',
    'aria-label': details,
    tabindex: -1,
  });
  g.append(svg('title', {}, details));
  g.append(svg('circle', { r: 7, class: 'hit' })); // a larger target for the pointer
  g.append(svg('path', { d: shape.d }));
  parent.append(g);
  return { key: m.key, el: g, row: r, atMs: m.atMs, details };
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
