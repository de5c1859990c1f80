// `npm start`: a real VS Code (code-server, or desktop `code` with HUBKEEPER_EDITOR=code) with
// Hubkeeper loaded on a live demo lab (scripts/demo-lab.mjs) and its lab part on Redis
// (scripts/demo-fleet.mjs; skipped with one line when redis-server cannot run), until Ctrl-C; then
// every process it started is stopped and the demo removed (unless --keep).
//   npm start [-- --demo-dir DIR] [--keep] [--port N] [--once]
// --once starts everything, checks that the editor answers (and only after logging in), and stops (for CI).
// The editor asks for a password (printed with the URL, new at every start) and keeps Workspace
// Trust on: answer "Yes, I trust the authors" for the demo folder; any other folder stays in
// Restricted Mode, where Hubkeeper is read-only, until you trust it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installCodeServer, ROOT, sessionCookie, startCodeServer, stopTree, workbenchUrl } from './code-server.mjs';
import { createDemoFleet } from './demo-fleet.mjs';
import { createDemoLab } from './demo-lab.mjs';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const keep = flag('--keep');
const once = flag('--once');
const desktop = process.env.HUBKEEPER_EDITOR === 'code';
const t0 = Date.now();
let stepStart = Date.now();
const step = (m) => {
  stepStart = Date.now();
  process.stdout.write(`[start] ${m}…`);
};
const done = (extra = '') => console.log(` done in ${((Date.now() - stepStart) / 1000).toFixed(1)} s${extra}`);

const demoDir = value('--demo-dir') ? path.resolve(value('--demo-dir')) : fs.mkdtempSync(path.join(os.tmpdir(), 'hubkeeper-demo-'));
let lab;
let editor;
let stopping = false;

async function cleanup(code = 0) {
  if (stopping) return;
  stopping = true;
  console.log('\n[start] stopping…');
  if (editor) await editor.stop();
  if (lab) await lab.stop();
  if (!keep) fs.rmSync(demoDir, { recursive: true, force: true });
  console.log(keep ? `[start] stopped every process; the demo stays in ${demoDir}` : '[start] stopped every process and removed the demo');
  process.exit(code);
}
process.on('SIGINT', () => void cleanup(0)).on('SIGTERM', () => void cleanup(0));

/** --once: the lab answers, with both simulated stations healthy (true when there is no lab part). */
async function fleetAnswers() {
  if (!lab.fleet) return true;
  const token = fs.readFileSync(lab.fleet.labTokenFile, 'utf8').trim();
  const r = await fetch(`${lab.fleet.url}/fleet/stations`, { headers: { authorization: `Bearer ${token}` } });
  const healthy = r.ok ? (await r.json()).stations.filter((s) => s.health === 'healthy').map((s) => s.station) : [];
  console.log(`[start] the lab answers HTTP ${r.status}; healthy stations: ${healthy.join(', ') || 'none'}`);
  return lab.fleet.stations.every((s) => healthy.includes(s));
}

try {
  if (!desktop) {
    step('installing the editor (code-server 4.100.3, cached in .vscode-test/)');
    console.log('');
    installCodeServer();
    console.log(`[start] editor ready in ${((Date.now() - stepStart) / 1000).toFixed(1)} s`);
  }
  step(`creating the demo lab in ${demoDir}`);
  lab = await createDemoLab(demoDir);
  done(`: ${lab.pids.length} background processes`);
  step('starting its lab part on Redis (redis-server, a lab replica, stations lab-pc-02 and lab-pc-03)');
  try {
    lab.fleet = await createDemoFleet(demoDir);
    done(`: ${lab.fleet.pids.length} background processes; lab ${lab.fleet.url}`);
  } catch (err) {
    console.log(` skipped: ${err.message}; the single-machine demo runs without it`);
  }
  // The window's agent joins the lab as demo-station (hubkeeper.lab.*, machine scope).
  const fleetSettings = lab.fleet?.settings ?? {};

  if (desktop) {
    step('opening desktop VS Code (code)');
    // hubkeeper.workspaceRegistries is machine-scoped (a workspace may not choose what Reap can
    // stop), so the demo's hub registries go into the user settings of a throwaway profile.
    const userData = path.join(demoDir, 'vscode-user-data');
    fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
    fs.writeFileSync(
      path.join(userData, 'User', 'settings.json'),
      JSON.stringify(
        {
          'hubkeeper.workspaceRegistries': [path.join(lab.home, '.hubkeeper', 'workspaces'), path.join(lab.home, '.bones', 'workspaces')],
          ...fleetSettings,
        },
        null,
        2,
      ),
    );
    const child = spawn('code', ['--new-window', `--user-data-dir=${userData}`, `--extensionDevelopmentPath=${ROOT}`, lab.workspace], {
      stdio: 'inherit',
      env: { ...process.env, HOME: process.env.HOME },
    });
    editor = { stop: () => stopTree(child.pid) };
    done();
  } else {
    step('starting the editor');
    const port = value('--port') ? Number(value('--port')) : undefined;
    const server = await startCodeServer({
      workspace: lab.workspace,
      home: lab.home,
      port,
      settings: fleetSettings,
      machineSettings: fleetSettings,
    });
    editor = server;
    done();
    const url = workbenchUrl(server, lab.workspace, { extensionDevelopmentPath: ROOT });
    console.log(
      `\nHubkeeper is running on a demo lab (${((Date.now() - t0) / 1000).toFixed(1)} s). Open this URL in your browser:\n\n  ${url}\n  password: ${server.password}\n`,
    );
    console.log('When the editor asks whether you trust the authors of the files in this folder, answer Yes: it is the');
    console.log('demo lab just created. Untrusted, Hubkeeper is read-only (no hub, no claims, no writes) until you trust it.\n');
    if (once) {
      const anonymous = await fetch(url, { redirect: 'manual' });
      const r = await fetch(url, { headers: { cookie: await sessionCookie(server) } });
      const ok = anonymous.status !== 200 && r.status === 200;
      console.log(
        `[start] without the password the editor answers HTTP ${anonymous.status} (${anonymous.headers.get('location') ?? ''}); logged in: HTTP ${r.status}`,
      );
      await cleanup(ok && (await fleetAnswers()) ? 0 : 1);
    }
  }
  console.log('In the Hubkeeper view (the hub icon in the activity bar): components with live, crashed and stale leases;');
  console.log('hubs from bones and Hubkeeper, one orphan whose folder was deleted; stale locks.');
  if (lab.fleet) {
    const f = lab.fleet;
    console.log(`The lab (${f.url}) has stations ${f.stations.join(' and ')} beside this window's ${f.station}: an orphan hub and a`);
    console.log(
      `stale lock on ${f.orphan.station}, ${f.conflict.name} with two ids, ${f.handover.name} changing hands every ${f.handover.intervalMs / 1000} s on ${f.handover.station}.`,
    );
  }
  console.log('Press Ctrl-C to stop.');
} catch (err) {
  console.error(`\n[start] failed: ${err.message}`);
  await cleanup(1);
}
