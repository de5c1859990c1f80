#!/usr/bin/env node
// `npm run test:host`: the extension's integration tests inside a real VS Code extension host
// (code-server 4.100.3 = VS Code 1.100.3, opened by headless Chromium, logged in with the
// editor's password). Installs the editor into .vscode-test/ once, builds a fixture workspace,
// loads the extension under development with test/host/suite as its tests, and reads the results
// file the suite writes (in this remote setup the host's exit code is not trustworthy).
//   1. the main suite in a trusted folder (Workspace Trust off: every folder trusted);
//   1b. the Lease Timeline suite (test/host/suite/timeline.ts), in a trusted folder;
//   2. the untrusted suite: Workspace Trust on, a hostile repository never trusted; then this
//      script checks the command palette and trusts the folder in the Workspace Trust editor;
//   3. the packaged VSIX is installed into a fresh editor and must activate, and the CLI it ships runs.
// Where VS Code can be downloaded, the main suite runs with @vscode/test-electron:
// `node test/host/run-electron.mjs`.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CACHE, installCodeServer, launchChromium, logIn, ROOT, startCodeServer, workbenchUrl } from '../../scripts/code-server.mjs';

const results = path.join(ROOT, 'test-results');
const t0 = Date.now();
const say = (m) => console.log(`[test:host +${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
fs.mkdirSync(results, { recursive: true });

installCodeServer(CACHE);
const { createHostFixture } = await import(path.join(ROOT, 'out/test/host/fixture.js'));

// HUBKEEPER_HOST_SUITES=timeline,untrusted runs only those editors (host, timeline, untrusted, vsix); unset: all.
const onlySuites = process.env.HUBKEEPER_HOST_SUITES?.split(',');

async function inEditor(name, { devPath, testsPath, vsix, untrusted = false }, body) {
  if (onlySuites && !onlySuites.includes(name)) return say(`${name}: skipped (HUBKEEPER_HOST_SUITES)`);
  const { workspace, registry, bait } = createHostFixture({ hostile: untrusted });
  const resultsFile = path.join(results, `${name}-results.json`);
  const ackFile = path.join(path.dirname(workspace), 'screenshot-taken');
  const phaseFile = path.join(path.dirname(workspace), 'phase-done');
  fs.rmSync(resultsFile, { force: true });
  const server = await startCodeServer({
    workspace,
    installVsix: vsix,
    // Trusted runs turn Workspace Trust off; the untrusted run keeps it on and opens without the
    // start-up dialog, so the folder simply stays in Restricted Mode.
    workspaceTrust: untrusted,
    settings: untrusted ? { 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'always' } : {},
    env: {
      HUBKEEPER_TEST_WORKSPACE: workspace,
      HUBKEEPER_TEST_REGISTRY: registry,
      HUBKEEPER_TEST_BAIT: bait,
      HUBKEEPER_TEST_PHASE: phaseFile,
      HUBKEEPER_TEST_FIXTURES: path.join(ROOT, 'out/test/fixtures'),
      VSCODE_HOST_TEST_RESULTS: resultsFile,
      VSCODE_HOST_TEST_ACK: ackFile,
    },
  });
  const browser = await launchChromium({ home: server.home });
  const consoleLines = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
    await logIn(page, server);
    await page.goto(workbenchUrl(server, workspace, { extensionDevelopmentPath: devPath, extensionTestsPath: testsPath }), {
      waitUntil: 'domcontentloaded',
      timeout: 60_000,
    });
    say(`${name}: workbench opened`);
    return await body({ page, server, workspace, resultsFile, ackFile, phaseFile, consoleLines });
  } catch (err) {
    console.log(`--- browser console (last 40) ---\n${consoleLines.slice(-40).join('\n')}`);
    console.log(`--- code-server log (last 40) ---\n${fs.readFileSync(server.logFile, 'utf8').split('\n').slice(-40).join('\n')}`);
    throw err;
  } finally {
    await browser.close().catch(() => {});
    await server.stop();
    fs.rmSync(path.dirname(workspace), { recursive: true, force: true });
  }
}

/** The extension host's stdout/stderr, which code-server writes into its log. */
function hostOutput(logFile) {
  return fs
    .readFileSync(logFile, 'utf8')
    .split('\n')
    .map((l) => /\]\[ExtensionHostConnection\] <\d+>(<stderr>)? ?(.*)$/.exec(l))
    .filter((m) => m && !/^(Launched Extension Host Process\.|Extension Host Process exited)/.test(m[2]))
    .map((m) => (m[1] ? 'stderr| ' : '') + m[2])
    .join('\n');
}

let failed = 0;
let passed = 0;

/** Waits for the suite's results file, screenshots the workbench, prints and counts the results. */
async function collect(name, { page, server, resultsFile, ackFile }, during = async () => {}) {
  const end = Date.now() + 240_000;
  let res;
  while (!res && Date.now() < end) {
    await during();
    if (fs.existsSync(resultsFile)) {
      try {
        res = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
      } catch {}
    }
    if (server.exited()) throw new Error('code-server exited during the tests');
    if (!res) await sleep(250);
  }
  if (!res) throw new Error(`no results after 240 s\n${hostOutput(server.logFile)}`);
  await page.screenshot({ path: path.join(results, `${name}-workbench.png`) }).catch(() => {});
  fs.writeFileSync(ackFile, 'done');
  for (const d of res.details) {
    console.log(`${d.ok ? 'ok  ' : 'FAIL'} ${d.name} (${d.ms} ms)${d.info ? `\n     ${JSON.stringify(d.info)}` : ''}`);
    if (!d.ok) console.log(`     ${d.error.split('\n').join('\n     ')}`);
  }
  passed += res.passed;
  failed += res.failed;
  if (res.failed) console.log(`--- extension host output ---\n${hostOutput(server.logFile)}`);
  say(
    `${name} suite: ${res.passed} passed, ${res.failed} failed; run() started ${((res.startedAt - t0) / 1000).toFixed(1)} s after this script`,
  );
}

/** A check this script makes in the page itself (not in the extension host). */
async function check(name, body) {
  try {
    const info = await body();
    console.log(`ok   ${name}${info ? `\n     ${JSON.stringify(info)}` : ''}`);
    passed++;
  } catch (err) {
    console.log(
      `FAIL ${name}\n     ${String(err?.stack ?? err)
        .split('\n')
        .join('\n     ')}`,
    );
    failed++;
  }
}

/** Runs a command palette query; resolves with the labels of the rows it shows. */
async function paletteRows(page, query) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor();
  await input.fill(`>${query}`);
  const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  await rows.first().waitFor({ timeout: 10_000 });
  await sleep(300); // the list filters as it is typed; let the last filter apply
  const labels = await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('aria-label') ?? r.textContent ?? ''));
  await page.keyboard.press('Escape');
  return labels;
}

async function runCommand(page, title) {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget .quick-input-box input').fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

// 1. The suite in the extension host, in a trusted folder.
await inEditor('host', { devPath: ROOT, testsPath: path.join(ROOT, 'out/test/host/suite/index.js') }, (ctx) => collect('host', ctx));

// 1b. The Lease Timeline suite: its webview panel, with in-memory event sources.
await inEditor('timeline', { devPath: ROOT, testsPath: path.join(ROOT, 'out/test/host/suite/timeline.js') }, (ctx) =>
  collect('timeline', ctx),
);

// 2. The untrusted suite, then the palette as a person sees it, then trust granted in the real editor.
await inEditor(
  'untrusted',
  { devPath: ROOT, testsPath: path.join(ROOT, 'out/test/host/suite/untrusted.js'), untrusted: true },
  async (ctx) => {
    const { page, phaseFile } = ctx;
    let trusted = false;
    await collect('untrusted', ctx, async () => {
      if (trusted || !fs.existsSync(phaseFile)) return;
      trusted = true;
      await check('untrusted: the command palette offers no write command, the read commands stay', async () => {
        const refresh = await paletteRows(page, 'Hubkeeper: Refresh');
        if (!refresh.some((l) => l.includes('Hubkeeper: Refresh'))) throw new Error(`Refresh missing: ${refresh}`);
        for (const title of ['Hubkeeper: Reap All Orphan Hubs', 'Hubkeeper: Rename Component', 'Hubkeeper: Release My Leases']) {
          const rows = await paletteRows(page, title);
          if (rows.some((l) => l.includes(title))) throw new Error(`${title} is offered: ${rows}`);
        }
      });
      await check('untrusted: the Hubkeeper views show why they are read-only', async () => {
        await runCommand(page, 'Hubkeeper: Focus on Hubs View');
        const message = page.locator('.tree-explorer-viewlet-tree-view > .message', { hasText: 'this folder is not trusted' }).first();
        await message.waitFor({ timeout: 20_000 });
        await page.screenshot({ path: path.join(results, 'untrusted-views.png') }).catch(() => {});
        return { message: (await message.innerText()).slice(0, 80) };
      });
      // A person trusts the folder: Workspaces: Manage Workspace Trust, then "Trust".
      await runCommand(page, 'Workspaces: Manage Workspace Trust');
      const trust = page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust$/ }).first();
      await trust.waitFor({ timeout: 20_000 });
      await trust.click();
      say('untrusted: the folder is trusted now (Workspace Trust editor)');
    });
  },
);

// 3. The packaged VSIX, installed into a fresh editor, activates on its own.
const vsix = path.join(ROOT, 'hubkeeper.vsix');
const pack = spawnSync(
  'npx',
  ['vsce', 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', vsix],
  { cwd: ROOT, encoding: 'utf8' },
);
if (pack.status !== 0) {
  console.log(pack.stdout, pack.stderr);
  failed++;
} else {
  const kb = fs.statSync(vsix).size / 1024;
  await inEditor('vsix', { vsix }, async ({ server, workspace }) => {
    const lock = path.join(workspace, '.hubkeeper', 'hub.lock');
    const entries = path.join(server.home, '.hubkeeper', 'workspaces');
    const end = Date.now() + 60_000;
    while (Date.now() < end && !(fs.existsSync(lock) && fs.existsSync(entries) && fs.readdirSync(entries).length > 0)) await sleep(250);
    // The README's screenshots ship inside it (the Extensions view shows them), and it stays small.
    const ok = fs.existsSync(lock) && kb < 300;
    console.log(
      `${ok ? 'ok  ' : 'FAIL'} the VSIX (${kb.toFixed(1)} KB, under 300 KB) installs into code-server and activates: hub lock and entry appear`,
    );
    if (ok) passed++;
    else failed++;
    // The CLI the VSIX ships (its one production bundle), as the terminals' launcher runs it.
    await check("the VSIX ships the CLI: the launcher it puts on the terminals' PATH prints the version", async () => {
      const launcher = path.join(server.tmpRoot, 'user-data', 'User', 'globalStorage', 'hubkeeper.hubkeeper', 'bin', 'hubkeeper');
      const until = Date.now() + 30_000;
      while (Date.now() < until && !fs.existsSync(launcher)) await sleep(250);
      const run = spawnSync(launcher, ['--version'], { encoding: 'utf8' });
      const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
      if (run.status !== 0 || run.stdout.trim() !== version) throw new Error(`${launcher}: exit ${run.status}, ${run.stdout}${run.stderr}`);
      return { launcher, printed: run.stdout.trim() };
    });
  });
  // The production build replaced dist/extension.js; rebuild the dev bundle for later runs.
  spawnSync(process.execPath, [path.join(ROOT, 'esbuild.mjs')], { cwd: ROOT, stdio: 'inherit' });
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
