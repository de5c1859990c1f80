#!/usr/bin/env node
// Hubkeeper's host-test harness, adapted from the team's checked recipe (shared/reference/vscode-host).
// Run a VS Code extension's integration tests inside a REAL extension host:
// code-server (VS Code 1.100.3 server) + headless Debian Chromium driven by playwright-core.
//
// usage: node run-host-tests.mjs <code-server-dir> <extension-dir> <tests-entry.js> <workspace-dir> <results.json>
//                                [screenshot.png] [--timeout=SECONDS] [--keep] [--verbose]
//   code-server-dir  the cache dir made by install-code-server.sh (or its code-server/ subdir, which has out/node/entry.js)
//   tests-entry.js   CommonJS module exporting run(): Promise<void>; it must write <results.json>,
//                    whose path it reads from process.env.VSCODE_HOST_TEST_RESULTS
//   results.json     { passed, failed, details } -- exit code is 0 only if it appears and failed === 0
//   --keep           keep the throwaway dir (user-data/logs, code-server.log) for debugging
//   --verbose        print browser console, code-server log and remoteexthost.log even on success
// env: CHROMIUM (default /usr/bin/chromium), PLAYWRIGHT_CORE (path to a playwright-core package dir)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const T0 = Date.now();
const since = () => `${((Date.now() - T0) / 1000).toFixed(1)}s`;
const log = (...a) => console.log(`[host-tests +${since()}]`, ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const argv = process.argv.slice(2);
const flags = Object.fromEntries(argv.filter((a) => a.startsWith('--')).map((a) => {
  const [k, v] = a.slice(2).split('=');
  return [k, v === undefined ? true : v];
}));
const pos = argv.filter((a) => !a.startsWith('--'));
if (pos.length < 5) {
  console.error('usage: node run-host-tests.mjs <code-server-dir> <extension-dir> <tests-entry.js> <workspace-dir> <results.json> [screenshot.png] [--timeout=120] [--keep] [--verbose]');
  process.exit(2);
}
const [cacheDir, extDir, testsEntry, wsDir, resultsFile, shotFile] = pos.map((p) => path.resolve(p));
// accept the install-code-server.sh cache dir (has code-server/ and harness/) or the code-server package dir itself
const csDir = fs.existsSync(path.join(cacheDir, 'code-server/out/node/entry.js')) ? path.join(cacheDir, 'code-server') : cacheDir;
const timeoutMs = Number(flags.timeout || 120) * 1000;
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

for (const [what, p] of [['code-server entry', path.join(csDir, 'out/node/entry.js')], ['extension package.json', path.join(extDir, 'package.json')], ['tests entry', testsEntry], ['workspace', wsDir], ['chromium', chromiumPath]]) {
  if (!fs.existsSync(p)) { console.error(`missing ${what}: ${p}`); process.exit(2); }
}

// playwright-core: $PLAYWRIGHT_CORE, else resolvable from cwd, else <cache-dir>/harness (install-code-server.sh puts it there)
function loadPlaywright() {
  const tries = [];
  if (process.env.PLAYWRIGHT_CORE) tries.push(process.env.PLAYWRIGHT_CORE);
  for (const base of [process.cwd(), path.join(csDir, '..', 'harness')]) { // cwd, then <cache-dir>/harness
    try { tries.push(createRequire(path.join(base, 'noop.js')).resolve('playwright-core')); } catch {}
  }
  for (const t of tries) {
    try { return createRequire(import.meta.url)(t); } catch {}
  }
  console.error('playwright-core not found: run install-code-server.sh, or npm install playwright-core, or set PLAYWRIGHT_CORE');
  process.exit(2);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

async function waitHttp(url, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try { const r = await fetch(url, { redirect: 'manual' }); if (r.status < 500) return true; } catch {}
    await sleep(200);
  }
  return false;
}

// ---- state we must clean up
let server = null;      // code-server ChildProcess (spawned detached => its own process group)
let browser = null;     // playwright Browser (owns the chromium processes it launched)
let tmpRoot = null;
let exitCode = 1;

function procStat(pid) {
  // [ppid, starttime] from /proc/<pid>/stat (fields 4 and 22), or null if gone or a zombie
  try {
    const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    return f[0] === 'Z' ? null : [Number(f[1]), f[19]];
  } catch { return null; }
}

function descendants(rootPid) {
  // all processes below rootPid, as [pid, starttime] so a recycled pid is never signalled
  const kids = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const st = procStat(d);
    if (!st) continue;
    if (!kids.has(st[0])) kids.set(st[0], []);
    kids.get(st[0]).push([Number(d), st[1]]);
  }
  const out = [];
  const walk = (p) => { for (const c of kids.get(p) || []) { out.push(c); walk(c[0]); } };
  walk(rootPid);
  return out;
}

async function cleanup() {
  if (browser) { try { await Promise.race([browser.close(), sleep(5000)]); } catch {} browser = null; }
  if (server && server.exitCode === null && server.signalCode === null) {
    const procs = [[server.pid, procStat(server.pid)?.[1]], ...descendants(server.pid)];
    const alive = () => procs.filter(([p, start]) => procStat(p)?.[1] === start);
    if (flags.verbose) {
      for (const [p] of procs) { try { log(`stopping pid ${p}: ${fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 120)}`); } catch {} }
    }
    try { process.kill(-server.pid, 'SIGTERM'); } catch {} // the process group the detached spawn created
    for (const sig of ['SIGTERM', 'SIGKILL']) {
      for (const [p] of alive()) { try { process.kill(p, sig); } catch {} }
      const end = Date.now() + 3000;
      while (Date.now() < end && alive().length) await sleep(50);
      if (!alive().length) break;
      log(`still alive after ${sig}: ${alive().map(([p]) => p).join(' ')}`);
    }
  }
  server = null;
  if (tmpRoot && !flags.keep) fs.rmSync(tmpRoot, { recursive: true, force: true });
}

let cleaningUp = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => { if (cleaningUp) return; cleaningUp = true; log(`got ${sig}, cleaning up`); await cleanup(); process.exit(130); });
}

async function main() {
  const { chromium } = loadPlaywright();
  tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'vscode-host-'));
  const dirs = Object.fromEntries(['user-data', 'extensions', 'home', 'home/.config', 'home/.local/share', 'home/.cache'].map((d) => [d, path.join(tmpRoot, d)]));
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  // Quiet, deterministic workbench. code-server keeps User settings on the server side.
  fs.mkdirSync(path.join(dirs['user-data'], 'User'), { recursive: true });
  fs.writeFileSync(path.join(dirs['user-data'], 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'security.workspace.trust.enabled': false,
  }, null, 2));
  const ackFile = path.join(tmpRoot, 'screenshot-taken');
  fs.rmSync(resultsFile, { force: true });

  const port = await freePort();
  const serverLog = path.join(tmpRoot, 'code-server.log');
  const logFd = fs.openSync(serverLog, 'a');
  const env = {
    ...process.env,
    // keep code-server / VS Code server from writing into the real $HOME (~/.config/code-server, ~/.local/share/code-server, ~/.cache/Microsoft)
    HOME: dirs.home,
    XDG_CONFIG_HOME: dirs['home/.config'],
    XDG_DATA_HOME: dirs['home/.local/share'],
    XDG_CACHE_HOME: dirs['home/.cache'],
    VSCODE_HOST_TEST_RESULTS: resultsFile, // inherited by the extension host process
    // The tests may wait for this file before run() returns, so the screenshot shows the live
    // workbench (once run() returns, the extension host exits and views lose their providers).
    VSCODE_HOST_TEST_ACK: ackFile,
  };
  delete env.VSCODE_IPC_HOOK_CLI; // if run from a VS Code terminal, do not talk to that instance
  env.EXTENSIONS_GALLERY = '{}'; // code-server: no Open VSX gallery, so no outbound extension queries
  const args = [
    path.join(csDir, 'out/node/entry.js'),
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--config', path.join(tmpRoot, 'config.yaml'),
    '--user-data-dir', dirs['user-data'],
    '--extensions-dir', dirs.extensions,
    wsDir,
  ];
  log(`starting code-server on 127.0.0.1:${port} (tmp ${tmpRoot})`);
  server = spawn(process.execPath, args, { env, cwd: tmpRoot, detached: true, stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);
  let serverExited = null;
  server.on('exit', (code, sig) => { serverExited = { code, sig }; });

  const base = `http://127.0.0.1:${port}`;
  if (!(await waitHttp(`${base}/healthz`, 30000)) || serverExited) throw new Error(`code-server did not come up (exit: ${JSON.stringify(serverExited)})`);
  const tServer = Date.now();
  log('code-server is listening');

  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    env: { ...process.env, HOME: dirs.home, XDG_CONFIG_HOME: dirs['home/.config'], XDG_CACHE_HOME: dirs['home/.cache'] },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 400) consoleLines.push(`[http ${r.status()}] ${r.url()}`); });
  let pageClosed = false;
  page.on('close', () => { pageClosed = true; });

  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p.split('/').map(encodeURIComponent).join('/')}`;
  const payload = [
    ['extensionDevelopmentPath', remote(extDir)],
    ['extensionTestsPath', remote(testsEntry)],
  ];
  const url = `${base}/?folder=${encodeURIComponent(wsDir)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  log(`opening ${url}`);
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60000 });
  const tPage = Date.now();

  // Wait for the tests' results file (the tests write it from inside the extension host).
  const end = Date.now() + timeoutMs;
  let results = null;
  let extHostExitedAt = 0;
  while (Date.now() < end) {
    if (fs.existsSync(resultsFile)) {
      try { results = JSON.parse(fs.readFileSync(resultsFile, 'utf8')); break; } catch {}
    }
    if (serverExited) throw new Error(`code-server exited early: ${JSON.stringify(serverExited)}`);
    // run() rejected or the host crashed before writing results: fail now instead of at the timeout
    const m = /Extension Host Process exited with code: (\d+)/.exec(fs.readFileSync(serverLog, 'utf8'));
    if (m && !extHostExitedAt) extHostExitedAt = Date.now();
    if (extHostExitedAt && Date.now() - extHostExitedAt > 3000) {
      console.log(`\nextension host exited (code ${m[1]}) without writing ${resultsFile}`);
      break;
    }
    await sleep(250);
  }
  const tResults = Date.now();

  if (shotFile) {
    if (pageClosed) log('page already closed; no screenshot');
    else {
      try {
        fs.mkdirSync(path.dirname(shotFile), { recursive: true });
        await page.screenshot({ path: shotFile, timeout: 15000 });
        log(`screenshot: ${shotFile}`);
      } catch (e) { log(`screenshot failed: ${e.message}`); }
    }
  }

  fs.writeFileSync(ackFile, String(Date.now())); // lets run() return
  const extHostLog = () => {
    try {
      const logs = path.join(dirs['user-data'], 'logs');
      const latest = fs.readdirSync(logs).sort().pop();
      return fs.readFileSync(path.join(logs, latest, 'exthost1', 'remoteexthost.log'), 'utf8').split('\n').slice(-60).join('\n');
    } catch (e) { return `(no remoteexthost.log: ${e.message})`; }
  };
  // The extension host's process.stdout/stderr end up in the code-server log as
  // "[hh:mm:ss] [ip][id][ExtensionHostConnection] <pid> text" (or "<pid><stderr> text").
  // console.log/error inside the host go to the browser console instead (--verbose).
  const extHostOutput = () => {
    const out = [];
    let cur = null;
    for (const line of fs.readFileSync(serverLog, 'utf8').split('\n')) {
      if (/^\[(\d\d:\d\d:\d\d|\d{4}-)/.test(line)) {
        const m = /\]\[ExtensionHostConnection\] <\d+>(<stderr>)? ?(.*)$/.exec(line);
        cur = m && !/^(Launched Extension Host Process\.|Extension Host Process exited)/.test(m[2]) ? [m[1] ? 'stderr| ' : ''] : null;
        if (cur) { cur.push(m[2]); out.push(cur); }
      } else if (cur) cur.push(line);
    }
    return out.map(([pfx, ...ls]) => ls.join('\n').replace(/\s+$/, '').split('\n').map((l) => pfx + l).join('\n')).join('\n');
  };
  const hostOut = extHostOutput();
  if (hostOut) console.log('--- extension host stdout/stderr ---\n' + hostOut);
  if (flags.verbose) {
    console.log('--- browser console ---\n' + consoleLines.join('\n'));
    console.log('--- code-server log ---\n' + fs.readFileSync(serverLog, 'utf8'));
    console.log('--- remoteexthost.log (last 60) ---\n' + extHostLog());
  }

  if (!results) {
    if (!extHostExitedAt) console.log(`\nTIMEOUT: no results file after ${timeoutMs / 1000}s: ${resultsFile}`);
    console.log('--- browser console (last 60) ---\n' + consoleLines.slice(-60).join('\n'));
    console.log('--- code-server log (last 60) ---\n' + fs.readFileSync(serverLog, 'utf8').split('\n').slice(-60).join('\n'));
    console.log('--- remoteexthost.log (last 60) ---\n' + extHostLog());
    return 1;
  }

  console.log('\n--- test results ---');
  for (const d of results.details || []) {
    console.log(`${d.ok ? 'ok  ' : 'FAIL'} ${d.name}${d.ms !== undefined ? ` (${d.ms} ms)` : ''}`);
    if (!d.ok) console.log('     ' + String(d.error ?? JSON.stringify(d.info)).split('\n').join('\n     '));
    else if (d.info) console.log('     ' + JSON.stringify(d.info));
  }
  const runStart = results.startedAt ? `${((results.startedAt - T0) / 1000).toFixed(1)}s` : '?';
  console.log(`\ntimings: code-server up ${((tServer - T0) / 1000).toFixed(1)}s, page opened ${((tPage - T0) / 1000).toFixed(1)}s, run() started ${runStart}, results ${((tResults - T0) / 1000).toFixed(1)}s (after harness start)`);
  if (!flags.verbose && (results.failed || !results.passed)) {
    console.log('--- browser console (last 40) ---\n' + consoleLines.slice(-40).join('\n'));
    console.log('--- remoteexthost.log (last 60) ---\n' + extHostLog());
  }
  console.log(`${results.passed} passed, ${results.failed} failed`);
  return results.failed === 0 && results.passed > 0 ? 0 : 1;
}

try {
  exitCode = await main();
} catch (e) {
  console.error(`ERROR: ${e && e.stack || e}`);
  exitCode = 1;
} finally {
  await cleanup();
  log(`done, exit ${exitCode}`);
}
process.exit(exitCode);
