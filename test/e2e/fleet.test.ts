/// <reference lib="dom" />
import { after, afterEach, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { DemoEditor, openDemoEditor, RESULTS, ROOT } from './demo-editor';
import type { ViewName, Workbench } from './workbench';

/**
 * The Fleet view, its remote actions and the Lease Timeline as a person uses them: the demo lab
 * of `npm start` with its lab part on Redis (a lab replica; stations lab-pc-02 and lab-pc-03 with
 * real agents; this window's agent as demo-station), opened in a real VS Code (code-server) in
 * headless Chromium. sampler_arm changes hands every 3 s on lab-pc-03 so the timeline has
 * holders to show. Screenshots in test-results/e2e/ (fleet.png and timeline.png are the README's).
 */

const CLI = path.join(ROOT, 'dist', 'cli.js');
const HANDOVER_MS = 3000;
const LIVE_CHANGES = 10;
type Fleet = {
  url: string;
  station: string;
  stations: string[];
  stationHomes: Record<string, string>;
  registries: Record<string, string>;
  conflict: { name: string; labId: string; ids: Record<string, string> };
  orphan: { station: string; pid: number; workspace: string };
  handover: { station: string; name: string };
  settings: Record<string, unknown>;
};
type Lab = { dir: string; home: string; workspace: string; registry: string; fleet: Fleet; stop(): Promise<void> };

let lab: Lab;
let page: Page;
let wb: Workbench;
let editor: DemoEditor<Lab> | undefined;
let workspaceIdOf: (cwd: string) => Promise<string>;

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
/** The OS's word on a pid: ESRCH once it is gone (and reaped). */
const killZeroError = (pid: number): string | undefined => {
  try {
    process.kill(pid, 0);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code;
  }
};
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** The CLI as someone at that station runs it: its HOME, registry and host name (scripts/demo-fleet.mjs makeStation). */
function stationCli(station: string, args: string[]): void {
  const home = lab.fleet.stationHomes[station];
  cli(
    {
      HOME: home,
      HUBKEEPER_HOME: path.join(home, '.hubkeeper'),
      HUBKEEPER_DIR: '',
      BONES_DIR: '',
      HUBKEEPER_HOSTNAME: station,
      HUBKEEPER_REGISTRY_PATH: lab.fleet.registries[station],
      MADSCI_REGISTRY_PATH: '',
      HUBKEEPER_LAB_URL: '',
      HUBKEEPER_LAB_TOKEN_FILE: '',
    },
    args,
  );
}

function cli(env: Record<string, string>, args: string[]): void {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, cwd: env.HOME, encoding: 'utf8' });
  assert.equal(r.status, 0, `hubkeeper ${args.join(' ')}: ${r.stderr}`);
}

before(async () => {
  editor = await openDemoEditor<Lab>({ name: 'fleet', fleet: { handoverMs: HANDOVER_MS } });
  ({ lab, page, wb } = editor);
  workspaceIdOf = (await import(path.join(ROOT, 'scripts', 'demo-lab.mjs'))).workspaceIdOf;
});

after(async () => {
  await editor?.close();
});

afterEach(async (t) => {
  await editor?.save(t.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 50));
});

const stationRow = (name: string) => wb.rowAt('Fleet', name, 1);

test('the Fleet view shows three stations, healthy, this window’s marked', async () => {
  await wb.openHubkeeper();
  await wb.widenSideBar();
  // The Fleet view gets the side bar: the local views are ui.test.ts's.
  for (const v of ['Components', 'Hubs', 'Stale Locks'] as const) await wb.collapseView(v);
  const { station, stations } = lab.fleet;
  const names = [station, ...stations];
  const labels = await wb.settled(
    async () =>
      Promise.all(
        names.map((n) =>
          stationRow(n)
            .getAttribute('aria-label', { timeout: 1000 })
            .catch(() => ''),
        ),
      ),
    (ls) => ls.every((l) => /\bhealthy\b/.test(l ?? '')),
    60_000,
  );
  labels.forEach((l, i) => assert.match(l ?? '', /\bhealthy\b/, `${names[i]}: ${l}`));
  assert.match(labels[0] ?? '', /this machine/, 'demo-station is marked as this window’s');
  assert.ok(
    labels.slice(1).every((l) => !/this machine/.test(l ?? '')),
    labels.join('\n'),
  );
  const order = await wb.view('Fleet').locator('.monaco-list-row[aria-level="1"] .label-name').allInnerTexts();
  assert.deepEqual(order.slice(0, 3), names, 'this machine first, then by name');
  // The README's picture: lab-pc-02 open, with its orphan hub and stale lock.
  await wb.expand(stationRow('lab-pc-02'));
  await page.mouse.move(5, 850);
  await wb.screenshot('fleet', { x: 0, y: 0, width: 640, height: 570 });
});

/**
 * For each of N new names: a MutationObserver armed in the page before `write(name)` notes when the
 * view renders a row for it at depth `level` (Playwright's own polling backs off to 500 ms); the
 * latency is from the write's moment, the registry file's mtime (not the CLI's start-up).
 */
async function renderLatencies(view: ViewName, level: number, prefix: string, registry: string, write: (name: string) => void) {
  const times: number[] = [];
  for (let i = 1; i <= LIVE_CHANGES; i++) {
    const name = `${prefix}_${String(i).padStart(2, '0')}`;
    const rows = `.pane:has(> .pane-header[aria-label^="${view} Section"]) .monaco-list-row[aria-level="${level}"] .label-name`;
    await page.evaluate(
      ({ rows, name }) => {
        const w = window as unknown as { hubkeeperSeen: Promise<number> };
        w.hubkeeperSeen = new Promise((resolve) => {
          const seen = () => Array.from(document.querySelectorAll(rows)).some((e) => e.textContent === name);
          const observer = new MutationObserver(() => {
            if (seen()) {
              observer.disconnect();
              resolve(Date.now());
            }
          });
          observer.observe(document.body, { subtree: true, childList: true, characterData: true });
        });
      },
      { rows, name },
    );
    write(name);
    const writtenMs = fs.statSync(registry).mtimeMs;
    assert.ok(readJson(registry).entries[name], `${name} is in ${registry}`);
    await wb.rowAt(view, name, level).waitFor({ timeout: 20_000 });
    const seenMs = await page.evaluate(() => (window as unknown as { hubkeeperSeen: Promise<number> }).hubkeeperSeen);
    times.push(Math.max(0, Math.round(seenMs - writtenMs)));
  }
  return times;
}

function figure(name: string, times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  const line = `FIGURE ${name} p50=${percentile(sorted, 50)}ms p95=${percentile(sorted, 95)}ms max=${sorted[sorted.length - 1]}ms (N=${times.length}: ${times.join(' ')})`;
  console.log(line);
  return line;
}

test('live: a component resolved on lab-pc-03 appears in the Fleet view without a refresh (N changes measured, the local view as baseline)', async () => {
  const st = 'lab-pc-03';
  // Only lab-pc-03 open: its Components group is then the one there is.
  await wb.expand(stationRow('lab-pc-02'), false);
  await wb.expand(stationRow(st));
  await wb.expand(wb.rowAt('Fleet', 'Components', 2));
  // No lease: a lease left to expire would also list the name under Stale Locks.
  const resolve = (name: string) => ['components', 'resolve', name, '--type', 'node', '--no-lock'];
  const fleet = await renderLatencies('Fleet', 3, 'live_probe', lab.fleet.registries[st], (name) => stationCli(st, resolve(name)));
  // The baseline, in the same run: the same write to this window's own registry, in its Components view.
  await wb.collapseView('Fleet');
  await wb.expandView('Components');
  const local = await renderLatencies('Components', 2, 'local_probe', lab.registry, (name) =>
    cli({ HOME: lab.home, HUBKEEPER_HOME: '', HUBKEEPER_DIR: '', BONES_DIR: '' }, ['--registry', lab.registry, ...resolve(name)]),
  );
  await wb.collapseView('Components');
  await wb.expandView('Fleet');
  const lines = [figure('fleet_live_render', fleet), figure('local_render_baseline', local)];
  fs.writeFileSync(path.join(RESULTS, 'fleet-live-render.txt'), `${lines.join('\n')}\n`);
  assert.equal(fleet.length, LIVE_CHANGES, 'each change rendered');
});

test("reap lab-pc-02's orphan hub from the Fleet view: confirmed by pid and start, the process gone, its entry removed", async () => {
  const { orphan } = lab.fleet;
  const bonesDir = path.join(lab.fleet.stationHomes[orphan.station], '.bones', 'workspaces');
  const entryFile = path.join(bonesDir, `${await workspaceIdOf(orphan.workspace)}.json`);
  assert.ok(fs.existsSync(entryFile) && readJson(entryFile).hub_pid === orphan.pid, 'the demo’s orphan entry is there');
  // Every simulated station runs on this one machine, so each one's (machine-wide) process scan
  // also lists the others' hubs: only lab-pc-02 stays expanded, so the row is its own.
  for (const other of [lab.fleet.station, ...lab.fleet.stations].filter((s) => s !== orphan.station))
    await wb.expand(stationRow(other), false);
  await wb.expand(stationRow(orphan.station));
  const row = wb.rowAt('Fleet', path.basename(orphan.workspace), 3);
  await row.waitFor({ timeout: 30_000 });
  await wb.contextMenu(row, 'Reap Hub on Station…');
  // Only ever the demo's own orphan: the dialog must name its pid (else Cancel).
  const identity = new RegExp(`on station ${orphan.station}\\?.* pid ${orphan.pid} started at exactly tick \\d+`);
  const text = await wb.answerDialog(`Reap on ${orphan.station}`, identity);
  assert.match(text, identity, 'the station, the pid and its start identity');
  const result = await wb.toast(new RegExp(`Reap on ${orphan.station}`));
  assert.match(result, /reaped/i, result);
  assert.equal(
    await wb.settled(
      async () => killZeroError(orphan.pid),
      (code) => code === 'ESRCH',
    ),
    'ESRCH',
    'the orphan process is gone (checked with the OS)',
  );
  assert.equal(fs.existsSync(entryFile), false, `${orphan.station}'s entry file is removed`);
  await row.waitFor({ state: 'detached', timeout: 20_000 });
});

test("adopt the lab's id for centrifuge_1 on lab-pc-03: its registry takes the lab's id, the conflict leaves the view", async () => {
  const { conflict } = lab.fleet;
  const st = 'lab-pc-03';
  const conflictRow = wb.rowAt('Fleet', conflict.name, 3, 'ids · lab:');
  await conflictRow.waitFor({ timeout: 30_000 });
  const idRow = wb.rowAt('Fleet', st, 4, conflict.ids[st]);
  await wb.contextMenu(idRow, "Adopt the Lab's ID on Station…");
  const text = await wb.answerDialog(`Adopt on ${st}`, new RegExp(`${conflict.ids[st]}.*${conflict.labId}`));
  assert.match(text, new RegExp(`'${conflict.name}' on station ${st}`));
  const result = await wb.toast(new RegExp(`Adopt on ${st}`));
  assert.doesNotMatch(result, /refused|unknown/, result);
  assert.equal(readJson(lab.fleet.registries[st]).entries[conflict.name].id, conflict.labId, `${st}'s registry has the lab's id`);
  await conflictRow.waitFor({ state: 'detached', timeout: 30_000 });
  await wb.view('Fleet').locator('.monaco-list-row .label-name').getByText('Conflicts', { exact: true }).waitFor({ state: 'detached' });
});

test('the Lease Timeline from the palette: sampler_arm with two holders at least; its table has a line per bar', async () => {
  // The reap's and the adoption's results are read: out of the screenshots' way.
  await wb.runCommand('Notifications: Clear All Notifications');
  await wb.runCommand('Hubkeeper: Show Lease Timeline');
  // The webview's page is two frames down: VS Code's iframe.webview, then its #active-frame.
  const frame: FrameLocator = page.frameLocator('iframe.webview').frameLocator('#active-frame');
  await frame.locator('#chart-box').waitFor({ timeout: 30_000 });
  const { name, station } = lab.fleet.handover;
  // Rows are keyed by the subject's id: the row is found by its label, as a person reads it.
  const row = frame.locator('g[data-row].row').filter({ has: frame.locator('text.row-label', { hasText: `${name} @ ${station}` }) });
  const holders = await wb.settled(
    () =>
      row.locator('[data-bar]').evaluateAll((bars) => [...new Set(bars.map((b) => b.getAttribute('data-holder') ?? ''))].filter(Boolean)),
    (hs) => hs.length >= 2,
    30_000,
  );
  assert.ok(holders.length >= 2, `sampler_arm's bars have two holders at least: ${holders.join(', ')}`);
  assert.match(await frame.locator('#source').innerText(), /lab|http/i, 'the source is the lab while connected');
  // The last 15 minutes: the demo started a minute ago, so its handovers are wide enough to read.
  await frame.locator('#zoom button', { hasText: '15 min' }).click();
  await frame.locator('#zoom button[aria-pressed="true"]', { hasText: '15 min' }).waitFor();
  await page.mouse.move(5, 850);
  // The editor area alone: the timeline's page.
  await wb.screenshot('timeline', { x: 632, y: 34, width: 768, height: 756 });

  await frame.locator('#table-toggle').click();
  await frame.locator('#timeline-table').waitFor();
  // Chart and table in one read: the chart redraws at every handover.
  const { bars, lines } = await frame.locator('body').evaluate(() => ({
    bars: Array.from(document.querySelectorAll('[data-bar]')).map((b) => b.getAttribute('data-bar') ?? ''),
    lines: Array.from(document.querySelectorAll('#timeline-table tbody tr')).map((r) => ({
      key: r.getAttribute('data-line') ?? '',
      event: r.querySelector('td')?.textContent ?? '',
    })),
  }));
  // A bar's line says Lease (or Lease (held)); a marker's names its event.
  const barLines = lines.filter((l) => l.event.startsWith('Lease'));
  assert.deepEqual(barLines.map((l) => l.key).sort(), [...bars].sort(), 'the same bars as the chart, by key');
  assert.ok(bars.length > 0, 'the chart has bars');
  assert.equal(barLines.length, bars.length, `the table has one line per bar (${bars.length} bars, ${lines.length} lines)`);
  await wb.screenshot('timeline-table');
});
