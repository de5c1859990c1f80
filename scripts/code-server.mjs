// A real VS Code for `npm start`, the host tests and the UI tests: code-server 4.100.3 (VS Code
// 1.100.3) from the npm registry, cached in .vscode-test/, opened in headless Chromium through
// playwright-core. Learned from the team's checked recipe (shared/reference/vscode-host).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CACHE = path.join(ROOT, '.vscode-test', 'code-server-4.100.3');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Installs code-server into the cache unless it is there (one line of progress per step). */
export function installCodeServer(cache = CACHE) {
  const r = spawnSync('bash', [path.join(ROOT, 'scripts', 'install-code-server.sh'), cache], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`installing code-server failed (exit ${r.status})`);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts code-server on 127.0.0.1 with its own throwaway HOME (or `home`), settings (user
 * `settings`, and `machineSettings` for settings of machine scope) and extensions dir.
 * Returns { base, port, home, tmpRoot, logFile, password, exited(), stop() }.
 *
 * Password auth, always: with `--auth none` any local user who finds the port gets the editor,
 * and with it a terminal as the person running it. The password is random per start (or
 * `password`), passed in $PASSWORD, which code-server removes from its environment so the
 * extension host and terminals do not inherit it; log in with `logIn()`.
 *
 * `workspaceTrust`: true (the default) keeps VS Code's Workspace Trust on, so a folder is in
 * Restricted Mode until the person trusts it; false turns it off (every folder trusted), for the
 * host suite that tests the trusted extension. The trusted-folder list lives in the browser's
 * storage, so nothing here can pre-trust a folder: see README "Workspace Trust".
 */
export async function startCodeServer({
  cache = CACHE,
  workspace,
  env = {},
  port,
  settings = {},
  machineSettings = {},
  installVsix,
  keep = false,
  home: givenHome,
  workspaceTrust = true,
  password = randomBytes(18).toString('base64url'),
} = {}) {
  const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'hubkeeper-editor-'));
  const dirs = Object.fromEntries(
    ['user-data/User', 'extensions', 'home/.config', 'home/.local/share', 'home/.cache'].map((d) => [d, path.join(tmpRoot, d)]),
  );
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(
    path.join(dirs['user-data/User'], 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'extensions.ignoreRecommendations': true,
        'security.workspace.trust.enabled': workspaceTrust,
        ...settings,
      },
      null,
      2,
    ),
  );
  // The window is remote to code-server: settings of machine scope are read from here, not from User.
  if (Object.keys(machineSettings).length) {
    fs.mkdirSync(path.join(tmpRoot, 'user-data', 'Machine'), { recursive: true });
    fs.writeFileSync(path.join(tmpRoot, 'user-data', 'Machine', 'settings.json'), JSON.stringify(machineSettings, null, 2));
  }
  const home = givenHome ?? path.join(tmpRoot, 'home');
  const serverEnv = {
    ...process.env,
    // code-server and VS Code write into HOME and XDG dirs: keep them out of the user's.
    HOME: home,
    XDG_CONFIG_HOME: dirs['home/.config'],
    XDG_DATA_HOME: dirs['home/.local/share'],
    XDG_CACHE_HOME: dirs['home/.cache'],
    EXTENSIONS_GALLERY: '{}', // no marketplace queries
    ...env,
    PASSWORD: password,
  };
  delete serverEnv.HASHED_PASSWORD;
  delete serverEnv.VSCODE_IPC_HOOK_CLI;
  const entry = path.join(cache, 'code-server', 'out', 'node', 'entry.js');
  const common = [
    '--config',
    path.join(tmpRoot, 'config.yaml'),
    '--user-data-dir',
    path.join(tmpRoot, 'user-data'),
    '--extensions-dir',
    dirs.extensions,
  ];
  if (installVsix) {
    const r = spawnSync(process.execPath, [entry, ...common, '--install-extension', installVsix], { env: serverEnv, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`installing ${installVsix} failed: ${r.stdout}${r.stderr}`);
  }
  port ??= await freePort();
  const logFile = path.join(tmpRoot, 'code-server.log');
  const logFd = fs.openSync(logFile, 'a');
  const args = [
    entry,
    '--auth',
    'password',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
    ...common,
  ];
  if (workspace) args.push(workspace);
  const child = spawn(process.execPath, args, { env: serverEnv, cwd: tmpRoot, detached: true, stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);
  let exitInfo = null;
  child.on('exit', (code, signal) => (exitInfo = { code, signal }));
  const base = `http://127.0.0.1:${port}`;
  const up = Date.now() + 30_000;
  for (;;) {
    if (exitInfo) throw new Error(`code-server exited at start-up (${JSON.stringify(exitInfo)}); log: ${logFile}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.status < 500) break;
    } catch {}
    if (Date.now() > up) throw new Error(`code-server did not answer within 30 s; log: ${logFile}`);
    await sleep(200);
  }
  return {
    base,
    port,
    home,
    tmpRoot,
    logFile,
    password,
    pid: child.pid,
    exited: () => exitInfo,
    async stop() {
      await stopTree(child.pid);
      if (!keep) fs.rmSync(tmpRoot, { recursive: true, force: true });
    },
  };
}

/** The workbench URL for a folder, optionally loading an extension under development (and its tests). */
export function workbenchUrl(server, folder, { extensionDevelopmentPath, extensionTestsPath } = {}) {
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p.split('/').map(encodeURIComponent).join('/')}`;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  return `${server.base}/?folder=${encodeURIComponent(folder)}${payload.length ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : ''}`;
}

/** Logs the page in on code-server's login page, as a person does; the session cookie stays in the browser context. */
export async function logIn(page, server) {
  await page.goto(`${server.base}/login`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  await page.locator('input[name="password"]').fill(server.password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.endsWith('/login'), { timeout: 30_000 }),
    page.locator('input[type="submit"]').click(),
  ]);
}

/** The session cookie for `server`, for a script's own HTTP requests (POST /login, as the form does). */
export async function sessionCookie(server) {
  const r = await fetch(`${server.base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `password=${encodeURIComponent(server.password)}`,
  });
  const cookie = (r.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).find((c) => c.startsWith('code-server-session='));
  if (!cookie) throw new Error(`logging in to code-server failed (HTTP ${r.status})`);
  return cookie;
}

/** playwright-core from the cache's harness dir (no browser download) driving Debian's chromium. */
export async function launchChromium({ cache = CACHE, home = os.tmpdir() } = {}) {
  const req = createRequire(path.join(cache, 'harness', 'noop.js'));
  const { chromium } = req('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    env: { ...process.env, HOME: home },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

function procStat(pid) {
  try {
    const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    return f[0] === 'Z' ? null : [Number(f[1]), f[19]];
  } catch {
    return null;
  }
}

/** Stops a process and all its descendants, each identified by pid + start time (never a recycled pid). */
export async function stopTree(rootPid) {
  const kids = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const st = procStat(d);
    if (!st) continue;
    if (!kids.has(st[0])) kids.set(st[0], []);
    kids.get(st[0]).push([Number(d), st[1]]);
  }
  const procs = [[rootPid, procStat(rootPid)?.[1]]];
  const walk = (p) => {
    for (const c of kids.get(p) || []) {
      procs.push(c);
      walk(c[0]);
    }
  };
  walk(rootPid);
  const alive = () => procs.filter(([p, start]) => start !== undefined && procStat(p)?.[1] === start);
  for (const sig of ['SIGTERM', 'SIGKILL']) {
    for (const [p] of alive()) {
      try {
        process.kill(p, sig);
      } catch {}
    }
    const end = Date.now() + 3000;
    while (Date.now() < end && alive().length) await sleep(50);
    if (!alive().length) return;
  }
}
