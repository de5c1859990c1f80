import { DEFAULT_ZOOM_MS, ModelMessage, PageMessage, TIMELINE_ZOOMS, TimelineScope } from '../../core/timeline/timeline-messages';
import { MARKER_LABELS } from '../../core/timeline/timeline-table';
import type { MarkerKind } from '../../core/timeline/timeline-types';
import { Chart, ChartItem, renderChart } from './chart';
import { byId, html, svg } from './dom';
import { MARKER_SHAPES } from './marker-shapes';
import { renderTable } from './table';

/**
 * The Lease Timeline page (a webview; bundled to dist/timeline.js). It asks the extension for the
 * model of a zoom and scope, draws it as a chart and as a table, and keeps the zoom, the scope,
 * the view and the focused bar across every refresh (and across the panel being hidden: the
 * webview state). Strings go in as text only (dom.ts).
 */

interface VsCodeApi {
  postMessage(message: PageMessage): void;
  getState(): unknown;
  setState(state: PageState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface PageState {
  spanMs: number;
  scope: TimelineScope;
  showTable: boolean;
}

const vscode = acquireVsCodeApi();
const saved = (vscode.getState() ?? {}) as Partial<PageState>;
const state: PageState = {
  spanMs: TIMELINE_ZOOMS.some((z) => z.spanMs === saved.spanMs) ? (saved.spanMs as number) : DEFAULT_ZOOM_MS,
  scope: saved.scope === 'all' ? 'all' : 'subject',
  showTable: saved.showTable === true,
};

const chartBox = byId('chart-box');
const tableBox = byId('table-box');
const details = byId('details');
const status = byId('status');
const scopeButton = byId<HTMLButtonElement>('scope');
const tableButton = byId<HTMLButtonElement>('table-toggle');
const zoomButtons = [...byId('zoom').querySelectorAll<HTMLButtonElement>('button[data-span]')];

let last: ModelMessage | undefined;
let chart: Chart | undefined;
let focusKey: string | undefined;
/** Where the focus was (row key and time), for when its item is gone after a refresh. */
let focusAt: { row: string; atMs: number } | undefined;
let tableText = '';
let chartSignature = '';
let resized = false;

function request(): void {
  vscode.setState(state);
  vscode.postMessage({ type: 'request', spanMs: state.spanMs, scope: state.scope });
}

function render(msg: ModelMessage): void {
  last = msg;
  // The extension decides (a panel opened again on another subject starts on that subject).
  state.spanMs = msg.spanMs;
  state.scope = msg.scope;
  vscode.setState(state);
  const zoomLabel = TIMELINE_ZOOMS.find((z) => z.spanMs === msg.spanMs)?.label ?? '';
  const hadFocus = chartBox.contains(document.activeElement);
  for (const b of zoomButtons) b.setAttribute('aria-pressed', String(Number(b.dataset.span) === msg.spanMs));
  byId('title').textContent = msg.subject ? `Lease Timeline: ${msg.subject.name}` : 'Lease Timeline';
  byId('source').textContent = `Source: ${msg.sourceLabel}`;
  scopeButton.hidden = msg.subject === null;
  if (msg.subject) {
    scopeButton.textContent = msg.scope === 'subject' ? `Show all subjects` : `Only ${msg.subject.name}`;
    scopeButton.setAttribute('aria-pressed', String(msg.scope === 'all'));
  }
  const { model } = msg;
  const ignored = [
    model.ignoredCount ? `, ${model.ignoredCount} ignored (unreadable or unknown kind)` : '',
    msg.droppedCount ? `, ${msg.droppedCount} older ones left out (too many to draw)` : '',
  ].join('');
  const scope = msg.scope === 'subject' && msg.subject ? ` for ${msg.subject.name}` : '';
  setText(
    status,
    model.rows.length === 0
      ? `No lease events${scope} in the last ${zoomLabel} (source: ${msg.sourceLabel}).`
      : `${model.rows.length} ${model.rows.length === 1 ? 'row' : 'rows'}${scope}, ${model.eventCount} events in the last ${zoomLabel}${ignored} · source: ${msg.sourceLabel}`,
  );

  const table = renderTable(model, zoomLabel);
  // Only "now" moved (the same events): while the keyboard is in the chart it stays as it is,
  // so a screen reader does not announce the focused bar again at every refresh.
  const signature = `${table.text}\u0000${chartBox.clientWidth}`;
  if (!chart || !hadFocus || signature !== chartSignature || resized) {
    chart = renderChart(model, chartBox.clientWidth || 800);
    chartBox.replaceChildren(chart.root);
    const item = restoreFocus(chart);
    if (item) {
      item.el.setAttribute('tabindex', '0');
      if (hadFocus) item.el.focus();
    }
  }
  chartSignature = signature;
  resized = false;

  // Redrawn only when its text changed: a screen reader reading it keeps its place.
  if (table.text !== tableText || !tableBox.firstChild) {
    tableText = table.text;
    tableBox.replaceChildren(table.table);
  }
  vscode.postMessage({
    type: 'rendered',
    rows: chart.root.querySelectorAll('[data-row].row').length,
    bars: chart.root.querySelectorAll('[data-bar]').length,
    markers: chart.root.querySelectorAll('[data-marker]').length,
    tableLines: table.lines,
    spanMs: msg.spanMs,
    scope: msg.scope,
  });
}

/** The item that had the focus (by key), else the nearest in time on its row, else the first. */
function restoreFocus(c: Chart): ChartItem | undefined {
  const previous = focusKey ? c.byKey.get(focusKey) : undefined;
  if (previous) return previous;
  const row = focusAt ? c.rows[c.rowKeys.indexOf(focusAt.row)] : undefined;
  if (row?.length && focusAt) return nearest(row, focusAt.atMs);
  return c.rows.find((r) => r.length > 0)?.[0];
}

function nearest(items: ChartItem[], atMs: number): ChartItem | undefined {
  return items.reduce<ChartItem | undefined>(
    (best, it) => (!best || Math.abs(it.atMs - atMs) < Math.abs(best.atMs - atMs) ? it : best),
    undefined,
  );
}

function moveFocus(from: ChartItem, key: string): ChartItem | undefined {
  if (!chart) return undefined;
  const row = chart.rows[from.row];
  const at = row.indexOf(from);
  const rows = chart.rows;
  const rowStep = (dir: number) => {
    for (let r = from.row + dir; r >= 0 && r < rows.length; r += dir) if (rows[r].length) return nearest(rows[r], from.atMs);
    return undefined;
  };
  switch (key) {
    case 'ArrowRight':
      return row[at + 1];
    case 'ArrowLeft':
      return row[at - 1];
    case 'ArrowDown':
      return rowStep(1);
    case 'ArrowUp':
      return rowStep(-1);
    case 'Home':
      return row[0];
    case 'End':
      return row[row.length - 1];
  }
  return undefined;
}

function itemOf(target: EventTarget | null): ChartItem | undefined {
  const el = (target as Element | null)?.closest?.('[data-bar],[data-marker]');
  const key = el?.getAttribute('data-bar') ?? el?.getAttribute('data-marker');
  return key ? chart?.byKey.get(key) : undefined;
}

function show(item: ChartItem | undefined): void {
  if (item) setText(details, item.details);
}

/** Live regions are only touched when their text changes: a screen reader reads each change. */
function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

chartBox.addEventListener('keydown', (e) => {
  const from = itemOf(e.target);
  const to = from && moveFocus(from, e.key);
  if (!to) return;
  e.preventDefault();
  from.el.setAttribute('tabindex', '-1');
  to.el.setAttribute('tabindex', '0');
  to.el.focus();
});
chartBox.addEventListener('focusin', (e) => {
  const item = itemOf(e.target);
  if (!item) return;
  focusKey = item.key;
  focusAt = { row: chart?.rowKeys[item.row] ?? '', atMs: item.atMs };
  show(item);
});
chartBox.addEventListener('mouseover', (e) => show(itemOf(e.target)));

for (const b of zoomButtons)
  b.addEventListener('click', () => {
    state.spanMs = Number(b.dataset.span);
    request();
  });
scopeButton.addEventListener('click', () => {
  state.scope = state.scope === 'subject' ? 'all' : 'subject';
  request();
});
tableButton.addEventListener('click', () => {
  state.showTable = !state.showTable;
  applyView();
  vscode.setState(state);
});

function applyView(): void {
  tableButton.setAttribute('aria-pressed', String(state.showTable));
  tableBox.hidden = !state.showTable;
  chartBox.hidden = state.showTable;
  byId('legend').hidden = state.showTable;
}

function legend(): void {
  const list = html('ul', { class: 'legend-list' });
  for (const [kind, label] of Object.entries(MARKER_LABELS) as [MarkerKind, string][]) {
    const icon = svg('svg', { width: 16, height: 16, viewBox: '-8 -8 16 16', 'aria-hidden': 'true' });
    const g = svg('g', { class: `marker marker-${kind}${MARKER_SHAPES[kind].filled ? ' filled' : ''}` });
    g.append(svg('path', { d: MARKER_SHAPES[kind].d }));
    icon.append(g);
    const li = html('li');
    li.append(icon, html('span', {}, label));
    list.append(li);
  }
  byId('legend').replaceChildren(list);
}

let resizeTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    resized = true;
    if (last) render(last);
  }, 100);
});
window.addEventListener('message', (e: MessageEvent) => {
  const msg = e.data as ModelMessage | undefined;
  if (msg?.type === 'model') render(msg);
});

legend();
applyView();
request();
