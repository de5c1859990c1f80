import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { timelineHtml } from '../../src/extension/timeline/timeline-html';
import { ROOT } from '../support/helpers';

/** The Lease Timeline page's HTML (src/extension/timeline/timeline-html.ts) and the page's own rules. */

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';
const HOSTILE = '<img src=x onerror="window.__pwned=1">\'&';
const input = {
  cspSource: CSP_SOURCE,
  nonce: 'c2f1e0a9b8d7c6e5',
  scriptUri: `${CSP_SOURCE}/ext/dist/timeline.js`,
  styleUri: `${CSP_SOURCE}/ext/media/timeline.css`,
  subjectName: HOSTILE,
  sourceLabel: `lab http://evil.example/${HOSTILE}`,
};

/** An attribute's value as the browser reads it. */
const unescape = (v: string) =>
  v
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

test('the CSP is present and strict: nothing by default, styles and images from the webview only, scripts by nonce only', () => {
  const page = timelineHtml(input);
  const metas = [...page.matchAll(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/g)];
  assert.equal(metas.length, 1);
  const directives = Object.fromEntries(
    unescape(metas[0][1])
      .split(';')
      .map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values];
      }),
  );
  assert.deepEqual(directives, {
    'default-src': ["'none'"],
    'img-src': [CSP_SOURCE],
    'style-src': [CSP_SOURCE, `'nonce-${input.nonce}'`],
    'script-src': [`'nonce-${input.nonce}'`],
  });
  assert.doesNotMatch(page, /unsafe-inline|unsafe-eval/);
});

test('every script carries the nonce and comes from the extension; no remote URL; no inline handler or style', () => {
  const page = timelineHtml(input);
  const scripts = [...page.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  assert.equal(scripts.length, 1);
  for (const s of scripts) assert.match(s, new RegExp(`nonce="${input.nonce}" src="${CSP_SOURCE.replace(/[.+]/g, '\\$&')}/`));
  // Every URL is the webview's own (the one in the source label is escaped text, not a resource).
  const urls = [...page.matchAll(/(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
  assert.deepEqual(urls, [input.styleUri, input.scriptUri]);
  for (const tag of page.match(/<[^>]+>/g) ?? []) {
    assert.doesNotMatch(tag, /\son\w+=/i, `an inline event handler: ${tag}`);
    assert.doesNotMatch(tag, /\sstyle=/i, `an inline style (the CSP would refuse it): ${tag}`);
  }
});

test('a subject name and a source label with markup in them come out as text', () => {
  const page = timelineHtml(input);
  assert.doesNotMatch(page, /<img/i);
  assert.ok(page.includes('&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;&#39;&amp;'), 'escaped');
  assert.ok(page.includes('<h1 id="title">Lease Timeline: &lt;img'), 'in the heading, as text');
});

test('the zoom buttons are a real button group with aria-pressed, the table toggle a pressed/unpressed button', () => {
  const page = timelineHtml({ ...input, subjectName: null });
  assert.match(page, /<div id="zoom" class="group" role="group" aria-label="[^"]+">/);
  const zooms = [...page.matchAll(/<button type="button" data-span="(\d+)" aria-pressed="(true|false)">([^<]+)<\/button>/g)];
  assert.deepEqual(
    zooms.map((m) => [m[3], m[2]]),
    [
      ['15 min', 'false'],
      ['1 h', 'true'],
      ['24 h', 'false'],
      ['7 d', 'false'],
    ],
  );
  assert.match(page, /<button type="button" id="table-toggle" aria-pressed="false"/);
  assert.match(page, /<button type="button" id="scope" aria-pressed="false" hidden>/, 'no subject: no "only this one" toggle');
});

test('the page script puts strings in as text only: no innerHTML, outerHTML, insertAdjacentHTML, document.write or eval', () => {
  const dir = path.join(ROOT, 'src', 'webview');
  const files = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length >= 4, `${files}`);
  for (const f of files) {
    const source = fs.readFileSync(path.join(dir, f), 'utf8');
    assert.doesNotMatch(source, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(/, f);
  }
});
