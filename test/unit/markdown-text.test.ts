import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { mdCode, mdCodeBlock, mdText } from '../../src/extension/views/markdown-text';

// A real CommonMark renderer with everything on (raw HTML, bare-URL links), stricter than VS Code's
// hover renderer. markdown-it is installed with @vscode/vsce (a devDependency).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const MarkdownIt = require('markdown-it');
const md = new MarkdownIt({ html: true, linkify: true });

const CRAFTED = [
  '![x](https://evil.example/p.png)',
  '[Open a terminal](command:workbench.action.terminal.new)',
  '<img src="https://evil.example/p.png">',
  'https://evil.example/track.png',
  'www.evil.example',
  '&#33;&#91;x&#93;&#40;https://evil.example/p.png&#41;',
  'robot\n\n# Heading\n![y](https://evil.example/q.png)',
  '| cell | break |',
  '`code` **bold** _em_ ~~gone~~ $(zap)',
  '\\![x](https://evil.example/backslash-first.png)',
  '[ref]: https://evil.example\n[ref]',
];

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .trim();

test('mdText: crafted names render as their own text, with no link, image, HTML or heading', () => {
  for (const s of CRAFTED) {
    const escaped = mdText(s);
    assert.ok(!escaped.includes('![') && !escaped.includes(']('), `raw ![ or ]( left in ${escaped}`);
    for (const html of [md.render(escaped), md.render(`| key | value |\n|---|---|\n| Name | ${escaped} |\n`)]) {
      assert.doesNotMatch(html, /<(a|img|h\d|script)\b/, `${JSON.stringify(s)} rendered as ${html}`);
    }
    assert.equal(text(md.render(escaped)), s.replace(/\n/g, ' ').trim(), 'the text itself is kept');
  }
});

test('mdCode and mdCodeBlock: the text cannot close its fence', () => {
  const span = mdCode('a ` b `` ![x](https://evil.example/p.png)');
  assert.doesNotMatch(md.render(span), /<(a|img)\b/);
  assert.match(md.render(span), /<code>a ` b `` !\[x\]\(https:\/\/evil\.example\/p\.png\)<\/code>/);
  const block = mdCodeBlock('{\n```\n![x](https://evil.example/p.png)\n```\n}', 'json');
  const html = md.render(`before${block}after`);
  assert.doesNotMatch(html, /<(a|img)\b/);
  assert.equal((html.match(/<pre>/g) ?? []).length, 1, 'one code block, not closed early');
});
