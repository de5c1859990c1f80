// The lab part of the demo (`npm start`, the UI tests): a lab registry on Redis and two simulated
// stations beside this machine, all real processes under <dir>/fleet:
//   redis/                 a private redis-server (random loopback port, generated password in a
//                          0600 config file, no RDB or AOF: nothing outlives the demo)
//   lab.token              the operators' token of one `hubkeeper lab serve` replica (random port)
//   demo-station.token     the station token of this machine, `demo-station`: the editor's window
//                          runs its agent (settings in `settings`, for the machine/user settings)
//   lab-pc-02/, lab-pc-03/ each a station's HOME: its own registry (lab/.madsci/registry.json),
//                          hubs, station token, and a real `hubkeeper agent` (log: agent.log)
// What there is to see: on lab-pc-02 an orphan hub (its folder deleted while it runs) and a stale
// lock (a crashed holder); centrifuge_1 with one id on lab-pc-02 (the lab's) and another on
// lab-pc-03 (a conflict, offered to the lab and refused); on lab-pc-03 sampler_arm's lease changes
// hands every HUBKEEPER_DEMO_HANDOVER_MS (60 s) between two holders (scripts/demo-handover.mjs).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, ROOT, stopTree } from './code-server.mjs';
import { DEAD_PID, iso, startBonesHub, startProcess } from './demo-lab.mjs';

const CLI = path.join(ROOT, 'dist', 'cli.js');
const HANDOVER = path.join(ROOT, 'scripts', 'demo-handover.mjs');
export const DEMO_STATION = 'demo-station';
export const SIMULATED_STATIONS = ['lab-pc-02', 'lab-pc-03'];
export const CONFLICT_NAME = 'centrifuge_1';
export const HANDOVER_NAME = 'sampler_arm';
const ALLOW_REMOTE = ['release', 'reap', 'adopt'];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ulid = (n) => `01JNQB7H2M5X8RZC4W9A${String(n).padStart(6, '0')}`;
const CONFLICT_IDS = { 'lab-pc-02': ulid(501), 'lab-pc-03': ulid(601) };

/** redis-server on PATH, installed by scripts/ensure-redis.sh (as code-server is) when missing and possible. */
export function ensureRedisServer() {
  const find = () => (process.env.PATH ?? '').split(path.delimiter).find((d) => d && isExecutable(path.join(d, 'redis-server')));
  if (!find()) spawnSync('bash', [path.join(ROOT, 'scripts', 'ensure-redis.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  const dir = find();
  if (!dir) throw new Error('redis-server is not installed and could not be installed here (apt-get install redis-server)');
  return path.join(dir, 'redis-server');
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The handover interval: `handoverMs`, else $HUBKEEPER_DEMO_HANDOVER_MS, else a minute. */
function handoverInterval(handoverMs) {
  const ms = Number(handoverMs ?? process.env.HUBKEEPER_DEMO_HANDOVER_MS ?? 60_000);
  if (!Number.isFinite(ms) || ms < 1000)
    throw new Error(`HUBKEEPER_DEMO_HANDOVER_MS: expected at least 1000 (ms), got ${handoverMs ?? ms}`);
  return ms;
}

/** A private redis-server; the password is only in its 0600 config file and the lab's environment. */
async function startRedis(bin, dir, started) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const password = randomBytes(24).toString('hex');
  let lastLog = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort(); // redis-server's own --port 0 would turn TCP off
    const conf = path.join(dir, 'redis.conf');
    const lines = ['bind 127.0.0.1', `port ${port}`, 'protected-mode yes', `dir "${dir}"`, 'save ""', 'appendonly no', 'daemonize no'];
    fs.writeFileSync(conf, [...lines, `requirepass ${password}`, ''].join('\n'), { mode: 0o600 });
    const child = spawn(bin, [conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(child);
    // Its log is on stdout: ready when it says so; a taken port makes it exit, then try another.
    const ready = await new Promise((resolve) => {
      const onData = (d) => {
        lastLog = (lastLog + d).slice(-2000);
        if (lastLog.includes('Ready to accept connections')) resolve(true);
      };
      child.stdout.on('data', onData).on('end', () => resolve(false));
      child.stderr.on('data', onData);
      child.once('exit', () => resolve(false));
      setTimeout(() => resolve(false), 20_000).unref();
    });
    if (ready) return { child, port, password };
    await stopTree(child.pid);
  }
  throw new Error(`redis-server would not start: ${lastLog.trim().split('\n').slice(-2).join(' | ')}`);
}

async function startLabServe(redis, fleetDir, started) {
  const tokenFile = path.join(fleetDir, 'lab.token');
  fs.writeFileSync(tokenFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  const { line } = await startProcess(
    [CLI, 'lab', 'serve', '--redis', `redis://127.0.0.1:${redis.port}`, '--listen', '127.0.0.1:0', '--token-file', tokenFile],
    // The password in the environment, not on the command line (ps shows that to everyone).
    { env: { HUBKEEPER_REDIS_PASSWORD: redis.password }, cwd: fleetDir, started, logFile: path.join(fleetDir, 'lab-serve.log') },
  );
  const url = /listening on (http:\/\/\S+)/.exec(line)?.[1]?.replace(/\/$/, '');
  if (!url) throw new Error(`lab serve said '${line}', not where it listens; log: ${path.join(fleetDir, 'lab-serve.log')}`);
  for (
    let i = 0;
    (await fetch(`${url}/health`).then(
      (r) => r.status,
      () => 0,
    )) !== 200;
    i++
  ) {
    if (i > 200) throw new Error(`${url}/health did not answer 200 within 20 s`);
    await sleep(100);
  }
  return { url, tokenFile, token: fs.readFileSync(tokenFile, 'utf8').trim() };
}

async function labCall(url, token, method, route, body) {
  const r = await fetch(`${url}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: await r.json().catch(() => null) };
}

/** A station token, in a 0600 file. */
async function stationToken(lab, station, file) {
  const r = await labCall(lab.url, lab.token, 'POST', `/lab/stations/${station}/tokens`);
  if (r.status !== 201) throw new Error(`${lab.url}: no token for ${station} (HTTP ${r.status}: ${r.body?.error ?? ''})`);
  fs.writeFileSync(file, `${r.body.token}\n`, { mode: 0o600 });
  return r.body.token;
}

function registryDoc(station) {
  let n = station === 'lab-pc-02' ? 510 : 610;
  const entry = (type, seenAgo, metadata, workcell, lock = null, id = ulid(n++)) => ({
    id,
    component_type: type,
    created_at: iso(5 * 86400e3),
    last_seen: iso(seenAgo),
    metadata,
    lock,
    workcell_id: workcell,
  });
  const centrifuge = entry('node', 60e3, { module_name: 'centrifuge' }, null, null, CONFLICT_IDS[station]);
  const entries =
    station === 'lab-pc-02'
      ? {
          workcell_c: entry('workcell', 60e3, { description: 'Sample prep' }, null),
          [CONFLICT_NAME]: { ...centrifuge, workcell_id: 'workcell_c' },
          incubator_1: entry('node', 300e3, { module_name: 'incubator' }, 'workcell_c', {
            holder_pid: DEAD_PID,
            holder_host: station,
            holder_instance: '01JNQB7H2M5X8RZC4W9ACRASH2',
            acquired_at: iso(2 * 3600e3),
            heartbeat_at: iso(300e3),
            expires_at: iso(270e3),
          }),
          plate_sealer_2: entry('node', 3600e3, { module_name: 'sealer' }, 'workcell_c'),
        }
      : {
          workcell_d: entry('workcell', 60e3, { description: 'PCR' }, null),
          [CONFLICT_NAME]: { ...centrifuge, workcell_id: 'workcell_d' },
          [HANDOVER_NAME]: entry('node', 60e3, { module_name: 'sampler' }, 'workcell_d'),
          thermocycler_1: entry('node', 600e3, { module_name: 'thermocycler' }, 'workcell_d'),
        };
  return { version: 1, created_at: iso(5 * 86400e3), updated_at: iso(60e3), entries };
}

/** A simulated station's files: its own HOME, registry and name (its token comes from the lab later). */
function makeStation(fleetDir, name) {
  const home = path.join(fleetDir, name);
  const registry = path.join(home, 'lab', '.madsci', 'registry.json');
  fs.mkdirSync(path.dirname(registry), { recursive: true });
  fs.writeFileSync(registry, JSON.stringify(registryDoc(name), null, 2));
  const tokenFile = path.join(home, 'station.token');
  const env = {
    HOME: home,
    HUBKEEPER_HOME: path.join(home, '.hubkeeper'),
    HUBKEEPER_DIR: '',
    BONES_DIR: '',
    HUBKEEPER_HOSTNAME: name,
    HUBKEEPER_REGISTRY_PATH: registry,
    MADSCI_REGISTRY_PATH: '',
    HUBKEEPER_LAB_URL: '',
    HUBKEEPER_LAB_TOKEN_FILE: '',
  };
  return { name, home, registry, tokenFile, env, logFile: path.join(home, 'agent.log') };
}

/**
 * Starts the lab part in `dir`/fleet (see the top of this file). Throws, having stopped whatever
 * it started, when it cannot: no redis-server (after trying to install it), a port, the lab.
 * Returns what the UI tests and the editor's settings need, and stop().
 */
export async function createDemoFleet(dir, { handoverMs } = {}) {
  const intervalMs = handoverInterval(handoverMs);
  const bin = ensureRedisServer();
  const fleetDir = path.join(dir, 'fleet');
  fs.mkdirSync(fleetDir, { recursive: true, mode: 0o700 });
  // Stopped in three waves: what talks to the lab, then the lab, then Redis (a stopping agent
  // still says goodbye to the lab).
  const redisStarted = [];
  const labStarted = [];
  const started = [];
  const stop = async () => {
    for (const wave of [started, labStarted, redisStarted]) await Promise.all(wave.map((c) => stopTree(c.pid)));
  };
  try {
    const redis = await startRedis(bin, path.join(fleetDir, 'redis'), redisStarted);
    const [pc02, pc03] = SIMULATED_STATIONS.map((name) => makeStation(fleetDir, name));

    // lab-pc-02: a bones hub whose folder is then deleted while it runs (a real orphan).
    const orphanWorkspace = path.join(pc02.home, 'workspaces', 'overnight-run');
    const orphan = async () => {
      const pid = await startBonesHub(orphanWorkspace, path.join(pc02.home, '.bones', 'workspaces'), { env: pc02.env, started });
      fs.rmSync(orphanWorkspace, { recursive: true, force: true });
      return pid;
    };
    // lab-pc-03: two holders taking turns on sampler_arm's lease.
    const holder = async (turn) => {
      const args = [
        HANDOVER,
        '--turn',
        String(turn),
        '--interval',
        String(intervalMs),
        '--registry',
        pc03.registry,
        '--name',
        HANDOVER_NAME,
      ];
      const logFile = path.join(pc03.home, `holder-${turn}.log`);
      const { line } = await startProcess(args, { env: pc03.env, cwd: pc03.home, started, logFile });
      return Number(line.split(' ')[1]);
    };
    // All at once, as each is a node start-up; only the tokens and agents wait for the lab.
    const [lab, orphanPid, ...holderPids] = await Promise.all([startLabServe(redis, fleetDir, labStarted), orphan(), holder(0), holder(1)]);
    const demoTokenFile = path.join(fleetDir, `${DEMO_STATION}.token`);
    await Promise.all([
      stationToken(lab, DEMO_STATION, demoTokenFile),
      ...[pc02, pc03].map((st) => stationToken(lab, st.name, st.tokenFile)),
    ]);

    // The conflict: the lab learns centrifuge_1 from lab-pc-02 first; lab-pc-03's id is refused
    // (409) and recorded, as MADSci's resolve on lab-pc-03 would be.
    const offer = async (st) => {
      const token = fs.readFileSync(st.tokenFile, 'utf8').trim();
      const body = { id: CONFLICT_IDS[st.name], component_type: 'node', metadata: { module_name: 'centrifuge' }, acquire_lock: false };
      return labCall(lab.url, token, 'POST', `/registry/entries/${CONFLICT_NAME}`, body);
    };
    const first = await offer(pc02);
    if (first.status !== 200) throw new Error(`${lab.url}: registering ${CONFLICT_NAME} failed (HTTP ${first.status})`);
    await offer(pc03);

    const agent = (st) => {
      const args = [
        CLI,
        'agent',
        '--lab',
        lab.url,
        '--token-file',
        st.tokenFile,
        '--station',
        st.name,
        '--allow-remote',
        ALLOW_REMOTE.join(','),
      ];
      return startProcess(args, { env: st.env, cwd: st.home, started, logFile: st.logFile });
    };
    await Promise.all([agent(pc02), agent(pc03)]);

    return {
      dir: fleetDir,
      url: lab.url,
      /** The operators' token (may do everything); the window uses the station token below. */
      labTokenFile: lab.tokenFile,
      station: DEMO_STATION,
      tokenFile: demoTokenFile,
      stations: SIMULATED_STATIONS,
      stationHomes: { [pc02.name]: pc02.home, [pc03.name]: pc03.home },
      registries: { [pc02.name]: pc02.registry, [pc03.name]: pc03.registry },
      conflict: { name: CONFLICT_NAME, labId: CONFLICT_IDS['lab-pc-02'], ids: CONFLICT_IDS },
      orphan: { station: pc02.name, pid: orphanPid, workspace: orphanWorkspace },
      staleLock: { station: pc02.name, name: 'incubator_1' },
      handover: { station: pc03.name, name: HANDOVER_NAME, intervalMs, holderPids },
      redis: { pid: redis.child.pid, port: redis.port },
      /** For the editor's machine (and user) settings: the window's agent joins as demo-station. */
      settings: {
        'hubkeeper.lab.url': lab.url,
        'hubkeeper.lab.tokenFile': demoTokenFile,
        'hubkeeper.lab.station': DEMO_STATION,
        'hubkeeper.lab.allowRemote': ALLOW_REMOTE,
      },
      pids: [...redisStarted, ...labStarted, ...started].map((c) => c.pid),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
