import { DEFAULT_ZOOM_MS, TIMELINE_ZOOMS } from '../../core/timeline/timeline-messages';

/**
 * The Lease Timeline page's HTML: a skeleton the page script (dist/timeline.js) fills from the
 * model it is posted. A strict Content-Security-Policy: nothing by default, images and styles only
 * from the extension's own webview resources (style-src also the nonce), scripts only with this
 * page's nonce; no remote URL anywhere. The few strings put in here (a subject's name, the
 * source's label) come from files and stations, so each is escaped. No vscode import.
 */

export interface TimelineHtmlInput {
  /** webview.cspSource. */
  cspSource: string;
  /** A fresh random value per page. */
  nonce: string;
  scriptUri: string;
  styleUri: string;
  /** The subject the panel was opened on, if any. */
  subjectName: string | null;
  sourceLabel: string;
}

export function timelineHtml(p: TimelineHtmlInput): string {
  const csp = [
    "default-src 'none'",
    `img-src ${p.cspSource}`,
    `style-src ${p.cspSource} 'nonce-${p.nonce}'`,
    `script-src 'nonce-${p.nonce}'`,
  ].join('; ');
  const zooms = TIMELINE_ZOOMS.map(
    (z) => `<button type="button" data-span="${z.spanMs}" aria-pressed="${z.spanMs === DEFAULT_ZOOM_MS}">${escapeHtml(z.label)}</button>`,
  ).join('');
  const title = p.subjectName === null ? 'Lease Timeline' : `Lease Timeline: ${p.subjectName}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${p.nonce}" href="${escapeHtml(p.styleUri)}">
<title>${escapeHtml(title)}</title>
</head>
<body>
<header>
<h1 id="title">${escapeHtml(title)}</h1>
<div id="zoom" class="group" role="group" aria-label="Zoom: show the last">${zooms}</div>
<button type="button" id="scope" aria-pressed="false"${p.subjectName === null ? ' hidden' : ''}>Show all subjects</button>
<button type="button" id="table-toggle" aria-pressed="false" aria-controls="table-box">Table</button>
</header>
<p id="source">Source: ${escapeHtml(p.sourceLabel)}</p>
<p id="status" role="status">Loading…</p>
<div id="chart-box"></div>
<div id="details" aria-live="polite">Hover over or focus a bar or marker (arrow keys) for its details.</div>
<div id="legend" aria-label="Marker shapes"></div>
<div id="table-box" hidden></div>
<script nonce="${p.nonce}" src="${escapeHtml(p.scriptUri)}"></script>
</body>
</html>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
