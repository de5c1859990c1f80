// `npm start`: a real VS Code (code-server, or desktop `code` with HUBKEEPER_EDITOR=code) with
// Hubkeeper loaded on a live demo lab (scripts/demo-lab.mjs), until Ctrl-C; then every process it
// started is stopped and the demo removed (unless --keep).
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

  if (desktop) {
    step('opening desktop VS Code (code)');
    // hubkeeper.workspaceRegistries is machine-scoped (a workspace may not choose what Reap can
    // stop), so the demo's hub registries go into the user settings of a throwaway profile.
    const userData = path.join(demoDir, 'vscode-user-data');
    fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
    fs.writeFileSync(
      path.join(userData, 'User', 'settings.json'),
      JSON.stringify(
        { 'hubkeeper.workspaceRegistries': [path.join(lab.home, '.hubkeeper', 'workspaces'), path.join(lab.home, '.bones', 'workspaces')] },
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
    const server = await startCodeServer({ workspace: lab.workspace, home: lab.home, port });
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
      await cleanup(ok ? 0 : 1);
    }
  }
  console.log('In the Hubkeeper view (the hub icon in the activity bar): components with live, crashed and stale leases;');
  console.log('hubs from bones and Hubkeeper, one orphan whose folder was deleted; stale locks. Press Ctrl-C to stop.');
} catch (err) {
  console.error(`\n[start] failed: ${err.message}`);
  await cleanup(1);
}
