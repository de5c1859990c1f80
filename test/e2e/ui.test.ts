/// <reference lib="dom" />
import { after, afterEach, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { DemoEditor, openDemoEditor, RESULTS } from './demo-editor';
import type { Workbench } from './workbench';

/**
 * The UI as a person uses it: the demo lab of `npm start` (same code, with its password and
 * Workspace Trust on), opened in a real VS Code (code-server) in headless Chromium. Each test leaves a screenshot in test-results/; a failing
 * one also leaves the page's console log.
 */

type Lab = {
  dir: string;
  home: string;
  workspace: string;
  registry: string;
  orphanHubPid: number;
  bonesHubPid: number;
  analysisHubPid: number;
  stop(): Promise<void>;
};

let lab: Lab;
let page: Page;
let wb: Workbench;
let editor: DemoEditor<Lab> | undefined;
let step = 0;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const readRegistry = () => JSON.parse(fs.readFileSync(lab.registry, 'utf8'));

before(async () => {
  editor = await openDemoEditor<Lab>({ name: '' });
  ({ lab, page, wb } = editor);
});

after(async () => {
  await editor?.close();
});

afterEach(async (t) => {
  step++;
  await editor?.save(`${String(step).padStart(2, '0')}-${t.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 50)}`);
});

test('the Hubkeeper views show the lab: components, hubs with the orphan flagged, stale locks, badge, status bar', async () => {
  await wb.openHubkeeper();
  await wb.widenSideBar();
  await wb.row('Hubs', 'old-experiment').waitFor({ timeout: 30_000 });
  const components = await wb.rowLabels('Components');
  assert.ok(
    components.some((l) => /^liquidhandler_1, node, held by .+ · pid \d+ · \d+ s left$/.test(l)),
    components.join('\n'),
  );
  assert.ok(
    components.some((l) => l.startsWith('pf400_arm, node, expired')),
    'the crashed holder shows expired',
  );
  const hubs = await wb.rowLabels('Hubs');
  assert.ok(hubs.includes('old-experiment, orphan, cwd no longer exists'), hubs.join('\n'));
  assert.ok(hubs.includes('plate-imaging, running') && hubs.includes('analysis, running'), hubs.join('\n'));
  await wb.row('Stale Locks', 'sequencer').waitFor();
  const stale = await wb.rowLabels('Stale Locks');
  assert.ok(stale.some((l) => l.startsWith('pf400_arm')) && stale.some((l) => l.startsWith('sequencer')), stale.join('\n'));
  // The badge and the status bar follow the views' refresh and the hub start: read them once settled.
  const badge = page.locator(
    '.activitybar .action-item:has(> .action-label[aria-label^="Hubkeeper"]) .badge:not([aria-hidden="true"]) .badge-content',
  );
  assert.equal(
    await wb.settled(
      () => badge.innerText(),
      (t) => t === '3',
    ),
    '3',
  );
  const status = page.locator('[id="hubkeeper.hubkeeper.hubkeeper.hub"]');
  assert.match(await status.innerText(), /robot-cell/);
  const hubUrl = /robot-cell: hub at http:\/\/127\.0\.0\.1:\d+/;
  assert.match(
    await wb.settled(
      async () => (await status.getAttribute('aria-label')) ?? '',
      (l) => hubUrl.test(l),
    ),
    hubUrl,
  );
  await wb.screenshot('workbench');
});

test('right-click a stale lock, Release, confirm: it leaves Stale Locks and the file says lock: null', async () => {
  await wb.contextMenu(wb.row('Stale Locks', 'pf400_arm'), 'Release Stale Lock');
  const text = await wb.answerDialog('Release');
  assert.match(text, /pf400_arm/);
  await wb.row('Stale Locks', 'pf400_arm').waitFor({ state: 'detached' });
  assert.equal(readRegistry().entries.pf400_arm.lock, null);
});

test('reap the orphan hub from the Hubs view: the process is gone, its entry removed, the live hubs untouched', async () => {
  const before = fs.readdirSync(path.join(lab.home, '.bones', 'workspaces')).length;
  await wb.contextMenu(wb.row('Hubs', 'old-experiment'), 'Reap Hub');
  const text = await wb.answerDialog('Reap', new RegExp(`pid ${lab.orphanHubPid}\\b`));
  assert.match(text, new RegExp(`pid ${lab.orphanHubPid}`));
  assert.match(text, /old-experiment/);
  await wb.row('Hubs', 'old-experiment').waitFor({ state: 'detached', timeout: 20_000 });
  assert.equal(alive(lab.orphanHubPid), false, 'the orphan process is gone (checked with the OS)');
  assert.equal(fs.readdirSync(path.join(lab.home, '.bones', 'workspaces')).length, before - 1, 'its entry file is removed');
  assert.ok(alive(lab.bonesHubPid) && alive(lab.analysisHubPid), 'the live hubs are untouched');
});

test('rename a component from the command palette, with a validation message for a bad name', async () => {
  const id = readRegistry().entries.sealer.id;
  await wb.runCommand('Hubkeeper: Rename Component');
  await wb.quickInput().fill('sealer');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'sealer' }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget .quick-input-title', { hasText: "Rename 'sealer'" }).waitFor();
  await wb.quickInput().fill('camera_1');
  await page.locator('.quick-input-message', { hasText: "'camera_1' already exists" }).waitFor();
  await wb.screenshot('rename-validation');
  await wb.quickInput().fill('sealer_2');
  await page.keyboard.press('Enter');
  await wb.row('Components', 'sealer_2').waitFor();
  const entries = readRegistry().entries;
  assert.equal(entries.sealer_2.id, id, 'the id is kept');
  assert.equal(entries.sealer, undefined);
});

test('an external write to the registry appears in the view (latency measured)', async () => {
  // The page notes the moment the row is rendered (Playwright's own polling backs off to 500 ms).
  await page.evaluate(() => {
    const w = window as unknown as { hubkeeperSeen: Promise<number> };
    w.hubkeeperSeen = new Promise((resolve) => {
      const seen = () => Array.from(document.querySelectorAll('.label-name')).some((e) => e.textContent === 'incubator_1');
      const observer = new MutationObserver(() => {
        if (seen()) {
          observer.disconnect();
          resolve(Date.now());
        }
      });
      observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    });
  });
  const doc = readRegistry();
  doc.entries.incubator_1 = { ...doc.entries.plate_reader_1, id: '01JNQ8Z6T9K3M2V7X4C5B8D999' };
  const t0 = Date.now();
  fs.writeFileSync(lab.registry, JSON.stringify(doc, null, 2));
  await wb.row('Components', 'incubator_1').waitFor({ timeout: 10_000 });
  const ms = (await page.evaluate(() => (window as unknown as { hubkeeperSeen: Promise<number> }).hubkeeperSeen)) - t0;
  console.log(`external write → visible in the view: ${ms} ms`);
  fs.writeFileSync(path.join(RESULTS, 'refresh-latency.txt'), `${ms}\n`);
});

test('keyboard only: reach the Stale Locks view, open the context menu, release with Enter', async () => {
  const pidFile = path.join(path.dirname(lab.workspace), 'sequencer', '.bones', 'hub.lock.pid');
  assert.ok(fs.existsSync(pidFile));
  await wb.runCommand('Hubkeeper: Focus on Stale Locks View');
  const row = wb.row('Stale Locks', 'sequencer');
  await row.waitFor();
  await page.keyboard.press('Home');
  for (let i = 0; i < 5 && !(await row.evaluate((r) => r.classList.contains('focused'))); i++) await page.keyboard.press('ArrowDown');
  assert.ok(await row.evaluate((r) => r.classList.contains('focused')), 'the row has keyboard focus');
  await page.keyboard.press('Shift+F10');
  const item = page.locator('.monaco-menu .action-item', { hasText: 'Release Stale Lock' }).first();
  await item.waitFor();
  for (let i = 0; i < 10 && !(await item.evaluate((el) => el.classList.contains('focused'))); i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.locator('.monaco-dialog-box').waitFor();
  await page.keyboard.press('Enter'); // the dialog's default button: Release
  await row.waitFor({ state: 'detached', timeout: 10_000 });
  assert.equal(fs.existsSync(pidFile), false, "bones' hub.lock.pid of the dead holder is removed");
});

test('hover a stale lock, click its inline Release, confirm: it leaves Stale Locks and the file says lock: null', async () => {
  // A lease whose holder crashed a while ago (a pid no Linux hands out by default), added as another tool would.
  const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
  const doc = readRegistry();
  doc.entries.stale_probe = {
    ...doc.entries.camera_1,
    id: '01JNQ8Z6T9K3M2V7X4C5B8D998',
    lock: {
      holder_pid: 4_194_001,
      holder_host: os.hostname(),
      holder_instance: '01JNQA3F5XG8E2D7W9R1C4HB7T',
      acquired_at: iso(3600e3),
      heartbeat_at: iso(120e3),
      expires_at: iso(90e3),
    },
  };
  fs.writeFileSync(lab.registry, JSON.stringify(doc, null, 2));
  // The Hubkeeper views are open from the test before (clicking the activity bar again would close them).
  const row = wb.row('Stale Locks', 'stale_probe');
  await row.waitFor({ timeout: 10_000 });
  await row.hover();
  const inline = row.locator('.actions .action-label[aria-label^="Release Stale Lock"]');
  await inline.waitFor({ state: 'visible' });
  await wb.screenshot('inline-release');
  await inline.click();
  const text = await wb.answerDialog('Release');
  assert.match(text, /stale_probe/);
  await row.waitFor({ state: 'detached', timeout: 10_000 });
  assert.equal(readRegistry().entries.stale_probe.lock, null);
});

test('F2 on a component opens the rename box; Escape leaves the registry as it was', async () => {
  const before = fs.readFileSync(lab.registry, 'utf8');
  const row = wb.row('Components', 'camera_1');
  await row.click();
  await page.keyboard.press('F2');
  await page.locator('.quick-input-widget .quick-input-title', { hasText: "Rename 'camera_1'" }).waitFor({ timeout: 10_000 });
  assert.equal(await wb.quickInput().inputValue(), 'camera_1');
  await page.keyboard.press('Escape');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  assert.ok(readRegistry().entries.camera_1, 'not renamed');
  assert.equal(JSON.parse(before).entries.camera_1.id, readRegistry().entries.camera_1.id);
});

test("a corrupt registry: the Components view's message names the file, the line and what to do; no item fills the tree", async () => {
  const good = fs.readFileSync(lab.registry, 'utf8');
  try {
    fs.writeFileSync(lab.registry, good.slice(0, good.indexOf('"entries"') + 20));
    const view = wb.view('Components');
    const message = view.locator('.message', { hasText: 'Open Registry File' });
    await message.waitFor({ timeout: 10_000 });
    const text = await message.innerText();
    assert.ok(text.includes(lab.registry) && /line \d+/.test(text), text);
    assert.equal(await view.locator('.monaco-list-row').count(), 0, 'no item fills the tree');
    await wb.screenshot('corrupt-registry');
  } finally {
    fs.writeFileSync(lab.registry, good);
  }
  await wb.row('Components', 'camera_1').waitFor({ timeout: 10_000 });
});
