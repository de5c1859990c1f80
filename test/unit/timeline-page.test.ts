import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { AddressInfo } from 'node:net';
import { Browser, chromium, Page } from 'playwright-core';
import type { ModelMessage, PageMessage } from '../../src/core/timeline/timeline-messages';
import { buildTimeline } from '../../src/core/timeline/timeline-model';
import { timelineHtml } from '../../src/extension/timeline/timeline-html';
import { ROOT, tempDir } from '../support/helpers';
import { BOB, handsEveryMinute, HOUR, leaseEvent, MINUTE } from '../support/timeline-samples';

/**
 * The Lease Timeline page (dist/timeline.js, built by `npm run build`) in headless Chromium, under
 * its real CSP, served from 127.0.0.1 the way the webview serves it from its resource origin. Only
 * the editor side is stood in for: acquireVsCodeApi() records what the page posts, and the test
 * posts the models the panel would (window.postMessage). The webview inside VS Code is covered by
 * the host test; the lead's UI test clicks it there.
 */

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const HOSTILE = '<img src=x onerror="window.__pwned=1">';
const NOW = Date.now();
const range = { sinceMs: NOW - HOUR, untilMs: NOW, nowMs: NOW };
const T0 = NOW - HOUR;

let browser: Browser | undefined;
let server: http.Server;
let origin = '';
const requested: string[] = [];

before(async () => {
  if (!fs.existsSync(CHROMIUM)) return;
  const nonce = 'a1b2c3d4e5f60718';
  server = http.createServer((req, res) => {
    requested.push(req.url ?? '');
    const files: Record<string, [string, string]> = {
      '/dist/timeline.js': [path.join(ROOT, 'dist', 'timeline.js'), 'text/javascript'],
      '/media/timeline.css': [path.join(ROOT, 'media', 'timeline.css'), 'text/css'],
    };
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      const html = { cspSource: origin, nonce, scriptUri: `${origin}/dist/timeline.js`, styleUri: `${origin}/media/timeline.css` };
      res.end(timelineHtml({ ...html, subjectName: HOSTILE, sourceLabel: `in-memory ${HOSTILE}` }));
    } else if (req.url && files[req.url]) {
      res.writeHead(200, { 'content-type': files[req.url][1] });
      res.end(fs.readFileSync(files[req.url][0]));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu'],
    env: { ...process.env, HOME: tempDir() },
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function openPage(): Promise<Page> {
  assert.ok(browser);
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  await page.addInitScript(() => {
    const w = window as unknown as Record<string, unknown>;
    w.__posted = [];
    w.__violations = [];
    w.acquireVsCodeApi = () => ({
      postMessage: (m: unknown) => (w.__posted as unknown[]).push(m),
      getState: () => w.__state,
      setState: (s: unknown) => (w.__state = s),
    });
    document.addEventListener('securitypolicyviolation', (e) =>
      (w.__violations as string[]).push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  await page.goto(`${origin}/`);
  return page;
}

const posted = (page: Page) => page.evaluate(() => (window as unknown as { __posted: PageMessage[] }).__posted);

async function nextPosted<T extends PageMessage['type']>(page: Page, type: T, after: number): Promise<Extract<PageMessage, { type: T }>> {
  await page.waitForFunction(
    ([t, n]) => (window as unknown as { __posted: { type: string }[] }).__posted.slice(n as number).some((m) => m.type === t),
    [type, after] as const,
  );
  return (await posted(page)).slice(after).find((m) => m.type === type) as Extract<PageMessage, { type: T }>;
}

async function send(page: Page, message: ModelMessage): Promise<Extract<PageMessage, { type: 'rendered' }>> {
  const n = (await posted(page)).length;
  await page.evaluate((m) => window.postMessage(m, '*'), message);
  return nextPosted(page, 'rendered', n);
}

function events() {
  const hostile = { kind: 'component' as const, name: HOSTILE, id: 'HOSTILE', station: null };
  return [
    ...handsEveryMinute(T0),
    leaseEvent(T0 + 5 * MINUTE, 'acquired', {
      subject: hostile,
      holder: { host: '<script>window.__pwned=2</script>', pid: 1, instance: null },
    }),
    leaseEvent(T0 + 6 * MINUTE, 'conflict', { subject: hostile, holder: BOB, detail: `<b>${HOSTILE}</b>` }),
  ];
}

function message(list = events(), spanMs = HOUR): ModelMessage {
  return {
    type: 'model',
    model: buildTimeline(list, range),
    spanMs,
    scope: 'all',
    subject: null,
    sourceLabel: `in-memory ${HOSTILE}`,
    droppedCount: 0,
  };
}

test('the page asks for the default zoom, draws every row, bar and marker of the model, and all of it as text (no markup runs)', async (t) => {
  if (!browser) return t.skip(`no Chromium at ${CHROMIUM}`);
  const page = await openPage();
  const request = await nextPosted(page, 'request', 0);
  assert.deepEqual(request, { type: 'request', spanMs: HOUR, scope: 'subject' });
  const msg = message();
  const rendered = await send(page, msg);
  const bars = msg.model.rows.reduce((n, r) => n + r.bars.length, 0);
  const markers = msg.model.rows.reduce((n, r) => n + r.markers.length, 0);
  assert.deepEqual([rendered.rows, rendered.bars, rendered.markers], [2, bars, markers]);
  assert.equal(bars, 61);
  assert.equal(rendered.tableLines, bars + markers);
  const dom = await page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: number }).__pwned,
    violations: (window as unknown as { __violations: string[] }).__violations,
    imgs: document.querySelectorAll('img').length,
    scripts: document.querySelectorAll('script').length,
    bold: document.querySelectorAll('b').length,
    rowHeaders: Array.from(document.querySelectorAll('#timeline-table th[scope=row]')).map((th) => th.textContent),
    holders: Array.from(document.querySelectorAll('[data-bar]')).map((b) => b.getAttribute('data-holder')),
    title: document.getElementById('title')?.textContent,
  }));
  assert.equal(dom.pwned, undefined, 'no hostile handler ran');
  assert.deepEqual(dom.violations, [], 'the page itself breaks no CSP rule');
  assert.deepEqual([dom.imgs, dom.scripts, dom.bold], [0, 1, 0], 'no element came from event text');
  assert.ok(dom.rowHeaders.includes(HOSTILE), 'the hostile name is in the table, as text');
  assert.ok(dom.holders.includes('<script>window.__pwned=2</script> · 1'), 'the hostile host is a bar label, as text');
  assert.ok(dom.holders.includes('lab-pc-01 · 4242') && dom.holders.includes('lab-pc-02 · 777'));
  assert.equal(dom.title, 'Lease Timeline', 'the model message sets the heading (no subject)');
  assert.deepEqual(
    // (Chromium asks for a favicon of a top-level page by itself; a webview is an iframe.)
    requested.filter((u) => !['/', '/dist/timeline.js', '/media/timeline.css', '/favicon.ico'].includes(u)),
    [],
    'nothing else is loaded',
  );
  await page.close();
});

test('keyboard: arrows move between bars and rows and show the details; a refresh keeps the focused bar and the zoom', async (t) => {
  if (!browser) return t.skip(`no Chromium at ${CHROMIUM}`);
  const page = await openPage();
  await nextPosted(page, 'request', 0);
  await send(page, message());
  const focused = () =>
    page.evaluate(() => ({
      key: document.activeElement?.getAttribute('data-bar') ?? document.activeElement?.getAttribute('data-marker'),
      row: document.activeElement?.getAttribute('data-row') ?? document.activeElement?.parentElement?.getAttribute('data-row'),
      details: document.getElementById('details')?.textContent,
    }));
  // One tab stop in the chart (a roving tabindex): the first item of the first row.
  assert.equal(await page.locator('#chart-box [tabindex="0"]').count(), 1);
  await page.locator('#chart-box [tabindex="0"]').focus();
  const first = await focused();
  assert.ok(first.details?.includes('lease held by'), first.details ?? '');
  await page.keyboard.press('ArrowRight');
  const second = await focused();
  assert.notEqual(second.key, first.key);
  assert.equal(second.row, first.row, 'right stays in the row');
  await page.keyboard.press('ArrowDown');
  const below = await focused();
  assert.notEqual(below.row, first.row, 'down goes to the next row');
  await page.keyboard.press('ArrowUp');
  assert.equal((await focused()).row, first.row, 'up comes back');
  await page.keyboard.press('End');
  const last = await focused();
  await page.keyboard.press('ArrowRight');
  assert.equal((await focused()).key, last.key, 'End went to the last item of the row');
  assert.ok(last.details?.includes('Conflict at'), last.details ?? '');

  // A refresh with one more event: the same item keeps the focus.
  const more = [...events(), leaseEvent(T0 + 30 * MINUTE, 'renamed', { holder: null, detail: 'renamed from camera_0' })];
  await send(page, message(more));
  assert.equal((await focused()).key, last.key, 'focus survives the refresh');

  // A refresh after which the focused marker is out of the range: the focus goes to the nearest item of its row.
  await page.locator('[data-marker][data-kind="taken-over"]').first().focus();
  const early = await focused();
  const later = { sinceMs: T0 + 30 * MINUTE, untilMs: NOW, nowMs: NOW };
  await send(page, { ...message(more), model: buildTimeline(more, later) });
  const moved = await focused();
  assert.ok(moved.key && moved.key !== early.key, `focus on ${moved.key}`);
  assert.equal(moved.row, early.row, 'on the same row');

  // Zoom: the button asks for its span; the answer presses it.
  const n = (await posted(page)).length;
  await page.getByRole('button', { name: '15 min' }).click();
  assert.deepEqual(await nextPosted(page, 'request', n), { type: 'request', spanMs: 15 * MINUTE, scope: 'all' });
  await send(page, message(more, 15 * MINUTE));
  assert.equal(await page.getByRole('button', { name: '15 min' }).getAttribute('aria-pressed'), 'true');
  assert.equal(await page.getByRole('button', { name: '1 h' }).getAttribute('aria-pressed'), 'false');
  await page.close();
});

test('the Table toggle shows the same model as a table with a caption and scoped headers, and hides the chart', async (t) => {
  if (!browser) return t.skip(`no Chromium at ${CHROMIUM}`);
  const page = await openPage();
  await nextPosted(page, 'request', 0);
  const rendered = await send(page, message());
  const toggle = page.getByRole('button', { name: 'Table' });
  assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
  assert.equal(await page.locator('#timeline-table').isVisible(), false);
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
  assert.equal(await page.locator('#timeline-table').isVisible(), true);
  assert.equal(await page.locator('#chart-box').isVisible(), false);
  assert.match((await page.locator('#timeline-table caption').textContent()) ?? '', /^Lease events, last 1 h: \d+ lines$/);
  assert.equal(await page.locator('#timeline-table thead th[scope=col]').count(), 6);
  assert.equal(await page.locator('#timeline-table tbody tr').count(), rendered.tableLines);
  // The chart's keys and the table's are the same set: one model.
  const keys = await page.evaluate(() => ({
    chart: Array.from(document.querySelectorAll('[data-bar],[data-marker]'))
      .map((e) => e.getAttribute('data-bar') ?? e.getAttribute('data-marker'))
      .sort(),
    table: Array.from(document.querySelectorAll('#timeline-table tbody tr'))
      .map((e) => e.getAttribute('data-line'))
      .sort(),
  }));
  assert.deepEqual(keys.table, keys.chart);
  await page.close();
});

test('opened on a subject: the heading names it, "Show all subjects" asks for all of them; hovering a bar shows its details', async (t) => {
  if (!browser) return t.skip(`no Chromium at ${CHROMIUM}`);
  const page = await openPage();
  await nextPosted(page, 'request', 0);
  const subject = { kind: 'component' as const, name: 'camera_1', id: events()[0].subject.id };
  const list = events();
  await send(page, { ...message(list), scope: 'subject', subject, model: buildTimeline(list, range, subject) });
  assert.equal(await page.locator('#title').textContent(), 'Lease Timeline: camera_1');
  const scope = page.getByRole('button', { name: 'Show all subjects' });
  assert.equal(await scope.getAttribute('aria-pressed'), 'false');
  const n = (await posted(page)).length;
  await scope.click();
  assert.deepEqual(await nextPosted(page, 'request', n), { type: 'request', spanMs: HOUR, scope: 'all' });
  const all = await send(page, { ...message(list), scope: 'all', subject });
  assert.equal(all.rows, 2);
  assert.equal(await page.getByRole('button', { name: 'Only camera_1' }).getAttribute('aria-pressed'), 'true');
  // The long bar of the other row (the one-minute bars are mostly covered by their takeover markers).
  await page.locator('[data-bar][data-holder^="<script>"]').hover();
  assert.ok(((await page.locator('#details').textContent()) ?? '').startsWith(`${HOSTILE}: lease held by <script>`));
  await page.close();
});
