#!/usr/bin/env node
// `npm run test:host`: the extension's integration tests inside a real VS Code extension host
// (code-server 4.100.3 = VS Code 1.100.3, opened by headless Chromium). Installs the editor into
// .vscode-test/ once, builds a fixture workspace, loads the extension under development with
// test/host/suite as its tests, and reads the results file the suite writes (in this remote
// setup the host's exit code is not trustworthy). Then the packaged VSIX is installed into a fresh
// editor and must activate. Where VS Code can be downloaded, the same suite runs with
// @vscode/test-electron: `node test/host/run-electron.mjs`.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CACHE, installCodeServer, launchChromium, ROOT, startCodeServer, workbenchUrl } from '../../scripts/code-server.mjs';

const results = path.join(ROOT, 'test-results');
const t0 = Date.now();
const say = (m) => console.log(`[test:host +${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
fs.mkdirSync(results, { recursive: true });

installCodeServer(CACHE);
const { createHostFixture } = await import(path.join(ROOT, 'out/test/host/fixture.js'));

async function inEditor(name, { devPath, testsPath, vsix }, body) {
  const { workspace, registry } = createHostFixture();
  const resultsFile = path.join(results, `${name}-results.json`);
  const ackFile = path.join(path.dirname(workspace), 'screenshot-taken');
  fs.rmSync(resultsFile, { force: true });
  const server = await startCodeServer({
    workspace,
    installVsix: vsix,
    env: { HUBKEEPER_TEST_WORKSPACE: workspace, HUBKEEPER_TEST_REGISTRY: registry, HUBKEEPER_TEST_FIXTURES: path.join(ROOT, 'out/test/fixtures'), VSCODE_HOST_TEST_RESULTS: resultsFile, VSCODE_HOST_TEST_ACK: ackFile },
  });
  const browser = await launchChromium({ home: server.home });
  const consoleLines = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
    await page.goto(workbenchUrl(server, workspace, { extensionDevelopmentPath: devPath, extensionTestsPath: testsPath }), { waitUntil: 'domcontentloaded', timeout: 60_000 });
    say(`${name}: workbench opened`);
    return await body({ page, server, workspace, resultsFile, ackFile, consoleLines });
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

// 1. The suite in the extension host.
await inEditor('host', { devPath: ROOT, testsPath: path.join(ROOT, 'out/test/host/suite/index.js') }, async ({ page, server, resultsFile, ackFile }) => {
  const end = Date.now() + 240_000;
  let res;
  while (!res && Date.now() < end) {
    if (fs.existsSync(resultsFile)) {
      try {
        res = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
      } catch {}
    }
    if (server.exited()) throw new Error('code-server exited during the tests');
    if (!res) await sleep(250);
  }
  if (!res) throw new Error(`no results after 240 s\n${hostOutput(server.logFile)}`);
  await page.screenshot({ path: path.join(results, 'host-workbench.png') }).catch(() => {});
  fs.writeFileSync(ackFile, 'done');
  for (const d of res.details) {
    console.log(`${d.ok ? 'ok  ' : 'FAIL'} ${d.name} (${d.ms} ms)${d.info ? `\n     ${JSON.stringify(d.info)}` : ''}`);
    if (!d.ok) console.log(`     ${d.error.split('\n').join('\n     ')}`);
  }
  passed += res.passed;
  failed += res.failed;
  if (res.failed) console.log(`--- extension host output ---\n${hostOutput(server.logFile)}`);
  say(`host suite: ${res.passed} passed, ${res.failed} failed; run() started ${((res.startedAt - t0) / 1000).toFixed(1)} s after this script`);
});

// 2. The packaged VSIX, installed into a fresh editor, activates on its own.
const vsix = path.join(ROOT, 'hubkeeper.vsix');
const pack = spawnSync('npx', ['vsce', 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', vsix], { cwd: ROOT, encoding: 'utf8' });
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
    const ok = fs.existsSync(lock);
    console.log(`${ok ? 'ok  ' : 'FAIL'} the VSIX (${kb.toFixed(1)} KB) installs into code-server and activates: hub lock and entry appear`);
    if (ok) passed++;
    else failed++;
  });
  // The production build replaced dist/extension.js; rebuild the dev bundle for later runs.
  spawnSync(process.execPath, [path.join(ROOT, 'esbuild.mjs')], { cwd: ROOT, stdio: 'inherit' });
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
