// The demo lab `npm start` opens, and the UI tests click through: real files in the formats the
// original tools write, and real processes behind them.
//   <dir>/workspaces/robot-cell        the workspace the editor opens; .madsci/registry.json
//                                      (MADSci format: nodes, modules, managers, two workcells)
//   <dir>/workspaces/plate-imaging     a bones workspace whose hub (a stand-in) runs and answers
//   <dir>/workspaces/analysis          a Hubkeeper hub (`hubkeeper hub start`) that runs
//   <dir>/workspaces/old-experiment    a bones workspace deleted while its hub runs: a real orphan
//   <dir>/workspaces/idle-notes        registered, no hub (idle)
//   <dir>/workspaces/sequencer         bones lock whose holder died (a stale hub lock)
//   <dir>/home                         HOME for the editor: ~/.bones and ~/.hubkeeper entries
// Two real background processes hold leases with heartbeats; pf400_arm's holder crashed and
// its lease expired. The lab part (a Redis lab, stations lab-pc-02 and lab-pc-03) is
// scripts/demo-fleet.mjs: createDemoLab(dir, { fleet: { handoverMs } }) starts it as lab.fleet,
// whose `settings` go into the editor's user and machine settings (startCodeServer's `settings`
// and `machineSettings`), as npm start does.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, stopTree } from './code-server.mjs';

const CLI = path.join(ROOT, 'dist', 'cli.js');
const FAKE_HUB = path.join(ROOT, 'scripts', 'fake-hub.mjs');
export const DEAD_PID = 4_194_000; // above any pid Linux hands out by default

/** A MADSci timestamp `msAgo` in the past (microseconds, as Python writes them). */
export const iso = (msAgo) => new Date(Date.now() - msAgo).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
const goTime = (ms) => new Date(ms).toISOString().replace(/\.?0*Z$/, 'Z');

export function workspaceIdOf(cwd) {
  return import('node:crypto').then(({ createHash }) => createHash('sha256').update(path.resolve(cwd)).digest('hex').slice(0, 16));
}

function registryDoc() {
  const entry = (n, type, seenAgo, metadata, workcell, lock = null) => ({
    id: `01JNQ8Z6T9K3M2V7X4C5B8D${String(n).padStart(3, '0')}`,
    component_type: type,
    created_at: iso(9 * 86400e3),
    last_seen: iso(seenAgo),
    metadata,
    lock,
    workcell_id: workcell,
  });
  const crashed = {
    holder_pid: DEAD_PID,
    holder_host: os.hostname(),
    holder_instance: '01JNQA3F5XG8E2D7W9R1C4HB6S',
    acquired_at: iso(3600e3),
    heartbeat_at: iso(120e3),
    expires_at: iso(90e3),
  };
  return {
    version: 1,
    created_at: iso(9 * 86400e3),
    updated_at: iso(60e3),
    entries: {
      workcell_a: entry(101, 'workcell', 60e3, { description: 'Liquid handling' }, null),
      workcell_b: entry(102, 'workcell', 60e3, { description: 'Plate imaging' }, null),
      liquidhandler_1: entry(201, 'node', 60e3, { module_name: 'liquidhandler', volume_ul: 200.0 }, 'workcell_a'),
      plate_reader_1: entry(202, 'node', 60e3, { module_name: 'plate_reader' }, 'workcell_b'),
      pf400_arm: entry(203, 'node', 120e3, { module_name: 'pf400' }, 'workcell_a', crashed),
      sealer: entry(204, 'node', 12 * 86400e3, { module_name: 'sealer' }, 'workcell_a'),
      camera_1: entry(205, 'node', 3600e3, { module_name: 'camera' }, 'workcell_b'),
      liquidhandler: entry(301, 'module', 86400e3, { version: '2.1.0' }, null),
      plate_reader: entry(302, 'module', 86400e3, { version: '1.4.2' }, null),
      workcell_manager: entry(401, 'manager', 60e3, { port: 8005 }, null),
      event_manager: entry(402, 'manager', 60e3, { port: 8001 }, null),
      resource_manager: entry(403, 'manager', 60e3, { port: 8003 }, null),
    },
  };
}

/**
 * Starts `node ...args` in the background (kept in `started`); resolves with its first stdout
 * line. `logFile`: its stderr goes there (a long-running process that logs must not fill a pipe
 * nobody reads), and the refusal names it.
 */
export function startProcess(args, { env, cwd, started, logFile }) {
  const logFd = logFile ? fs.openSync(logFile, 'a', 0o600) : undefined;
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'pipe', logFd ?? 'pipe'] });
  if (logFd !== undefined) fs.closeSync(logFd);
  started.push(child);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`${args.slice(0, 3).join(' ')} exited (${code}) during demo set-up${logFile ? `; log: ${logFile}` : ''}`)),
    );
    child.stdout.once('data', (d) => resolve({ child, line: String(d).trim() }));
  });
}

/**
 * A bones workspace at `workspace` whose hub (a stand-in titled "bones hub start") runs, serves
 * and is registered in `bonesDir`, as `bones hub start` leaves it. Resolves with the hub's pid.
 */
export async function startBonesHub(workspace, bonesDir, { env, started }) {
  const name = path.basename(workspace);
  fs.mkdirSync(path.join(workspace, '.bones'), { recursive: true });
  fs.mkdirSync(bonesDir, { recursive: true });
  fs.writeFileSync(path.join(workspace, '.bones', 'agent.id'), `agent-${name}\n`);
  const hub = await startProcess([FAKE_HUB, '--title', 'bones hub start', '--cwd', workspace, '--serve'], { env, cwd: workspace, started });
  const [, port, pid] = hub.line.split(' ');
  const entry = {
    cwd: workspace,
    name,
    hub_url: `http://127.0.0.1:${port}`,
    nats_url: '',
    hub_pid: Number(pid),
    started_at: goTime(Date.now() + 1000),
  };
  fs.writeFileSync(path.join(bonesDir, `${await workspaceIdOf(workspace)}.json`), JSON.stringify(entry, null, 2), { mode: 0o600 });
  return Number(pid);
}

/**
 * Builds the lab in `dir` (created if needed) and starts its processes. `fleet` (an options
 * object, or true) also starts the lab part (scripts/demo-fleet.mjs) as `lab.fleet`; without
 * it, a caller may attach one there later (npm start does, as its own timed step).
 */
export async function createDemoLab(dir, { fleet } = {}) {
  fs.mkdirSync(dir, { recursive: true });
  const ws = (name) => path.join(dir, 'workspaces', name);
  const home = path.join(dir, 'home');
  const workspace = ws('robot-cell');
  const registry = path.join(workspace, '.madsci', 'registry.json');
  const started = [];
  const env = { HOME: home, HUBKEEPER_HOME: '', HUBKEEPER_DIR: '', BONES_DIR: '' };
  for (const name of ['robot-cell', 'plate-imaging', 'analysis', 'old-experiment', 'idle-notes', 'sequencer'])
    fs.mkdirSync(ws(name), { recursive: true });
  fs.mkdirSync(path.dirname(registry), { recursive: true });
  fs.writeFileSync(registry, JSON.stringify(registryDoc(), null, 2));
  fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  fs.writeFileSync(
    path.join(workspace, '.vscode', 'settings.json'),
    JSON.stringify(
      {
        'hubkeeper.claims': [{ name: 'camera_1', type: 'node' }],
        'hubkeeper.probeIntervalSeconds': 3,
      },
      null,
      2,
    ),
  );

  try {
    // Live leases held by real background processes, with heartbeats.
    for (const [name, type] of [
      ['liquidhandler_1', 'node'],
      ['workcell_manager', 'manager'],
    ]) {
      await startProcess([CLI, '--registry', registry, 'components', 'resolve', name, '--type', type, '--hold'], {
        env,
        cwd: dir,
        started,
      });
    }
    // bones workspaces whose hubs run and answer (stand-ins titled "bones hub start"); one of
    // them is then deleted while its hub keeps running: a real orphan.
    const bonesDir = path.join(home, '.bones', 'workspaces');
    fs.mkdirSync(bonesDir, { recursive: true });
    for (const name of ['plate-imaging', 'old-experiment']) await startBonesHub(ws(name), bonesDir, { env, started });
    fs.rmSync(ws('old-experiment'), { recursive: true, force: true });
    // A Hubkeeper hub (the real `hubkeeper hub start`).
    await startProcess([CLI, 'hub', 'start', ws('analysis')], { env, cwd: dir, started });
    // An idle workspace, registered with no hub.
    const idle = {
      cwd: ws('idle-notes'),
      name: 'idle-notes',
      hub_url: '',
      nats_url: '',
      hub_pid: 0,
      started_at: goTime(Date.now() - 3 * 86400e3),
    };
    fs.writeFileSync(path.join(home, '.hubkeeper', 'workspaces', `${await workspaceIdOf(idle.cwd)}.json`), JSON.stringify(idle, null, 2), {
      mode: 0o600,
    });
    // A bones hub lock whose holder died.
    const seq = path.join(ws('sequencer'), '.bones');
    fs.mkdirSync(seq, { recursive: true });
    fs.writeFileSync(path.join(seq, 'hub.lock'), '');
    fs.writeFileSync(path.join(seq, 'hub.lock.pid'), `${DEAD_PID}\n`);
    const seqEntry = {
      cwd: ws('sequencer'),
      name: 'sequencer',
      hub_url: '',
      nats_url: '',
      hub_pid: 0,
      started_at: goTime(Date.now() - 86400e3),
    };
    fs.writeFileSync(path.join(bonesDir, `${await workspaceIdOf(seqEntry.cwd)}.json`), JSON.stringify(seqEntry, null, 2), { mode: 0o600 });
  } catch (err) {
    await Promise.all(started.map((c) => stopTree(c.pid)));
    throw err;
  }
  const lab = {
    dir,
    home,
    workspace,
    registry,
    pids: started.map((c) => c.pid),
    leaseHolderPids: [started[0].pid, started[1].pid],
    bonesHubPid: started[2].pid,
    orphanHubPid: started[3].pid,
    analysisHubPid: started[4].pid,
    /** The lab part (demo-fleet.mjs), when started: null when redis-server could not run. */
    fleet: undefined,
    /** Stops every process the lab started (and their children), the fleet's first. */
    async stop() {
      await lab.fleet?.stop();
      await Promise.all(started.map((c) => stopTree(c.pid)));
    },
  };
  if (fleet) {
    const { createDemoFleet } = await import('./demo-fleet.mjs');
    try {
      lab.fleet = await createDemoFleet(dir, fleet === true ? {} : fleet);
    } catch (err) {
      await lab.stop();
      throw err;
    }
  }
  return lab;
}
