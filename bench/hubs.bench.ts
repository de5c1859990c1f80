/**
 * Hubs benchmark: the process-table scan and a full `hubs list`, with 1,000 extra processes
 * running and 100 registered hubs, next to bones' approach measured in the same run (one
 * `ps -eo pid,etime,command`, probes one after another). Spawns everything it measures and
 * cleans it up. Run with `npm run bench`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { listProcesses } from '../src/core/processes/process-table';
import { listHubs } from '../src/core/hubs/hub-status';
import { defaultHubRoots } from '../src/core/hubs/hub-paths';
import { writeHubEntry } from '../src/core/hubs/hub-registry';
import { goTime } from '../src/core/hubs/hub-entry';
import { mapBounded, probeHubUrl } from '../src/core/hubs/liveness';

const EXTRA_PROCESSES = 1_000;
const HUBS = 100;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hubkeeper-hubs-bench-'));
const children: ChildProcess[] = [];

async function median(runs: number, op: () => unknown): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await op();
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return samples.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

async function main(): Promise<void> {
  const before = listProcesses().length;
  for (let i = 0; i < EXTRA_PROCESSES; i++) children.push(spawn('sleep', ['600'], { stdio: 'ignore' }));
  // One stand-in hub process serving HUBS ports; HUBS entries point at it (see scripts/fake-hub.mjs).
  const fake = spawn(
    process.execPath,
    [path.join(__dirname, '..', '..', 'scripts', 'fake-hub.mjs'), '--title', 'hubkeeper hub start', '--serve', '--ports', String(HUBS)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(fake);
  const ports: number[] = await new Promise((resolve) =>
    fake.stdout?.once('data', (d) => resolve(String(d).split(' ')[1].split(',').map(Number))),
  );
  const roots = defaultHubRoots({ env: {}, home });
  for (let i = 0; i < HUBS; i++) {
    const cwd = path.join(home, 'ws', `w${i}`, '.hubkeeper');
    fs.mkdirSync(cwd, { recursive: true });
    await writeHubEntry(roots[0], {
      cwd: path.dirname(cwd),
      name: `w${i}`,
      hubUrl: `http://127.0.0.1:${ports[i]}`,
      natsUrl: '',
      hubPid: fake.pid as number,
      startedAt: goTime(Date.now() + 1000),
    });
  }
  const count = listProcesses().length;

  const scan = await median(7, () => listProcesses());
  const ps = await median(7, () => execFileSync('ps', ['-eo', 'pid,etime,command'], { maxBuffer: 64 << 20 }));
  const urls = ports.map((p) => `http://127.0.0.1:${p}`);
  const parallel = await median(5, () => mapBounded(urls, 8, (u) => probeHubUrl(u)));
  const sequential = await median(3, async () => {
    for (const u of urls) await probeHubUrl(u);
  });
  const list = await median(5, () => listHubs({ roots, env: { env: {}, home } }));
  const listed = (await listHubs({ roots, env: { env: {}, home } })).hubs;

  console.log(`Hubkeeper hubs benchmark · node ${process.version} · ${os.cpus().length} cores · medians`);
  console.log(
    `${count} processes in the table (${count - before} started by the benchmark), ${HUBS} registered hubs (${listed.filter((h) => h.state === 'running').length} running)\n`,
  );
  const rows = [
    [
      'process-table scan (/proc)',
      `${scan.toFixed(1)} ms`,
      `ps -eo pid,etime,command: ${ps.toFixed(1)} ms`,
      scan < 150 ? 'target < 150 ms: met' : 'target < 150 ms: MISSED',
    ],
    [`probe round, ${HUBS} hubs, 8 at a time`, `${parallel.toFixed(1)} ms`, `one after another: ${sequential.toFixed(1)} ms`, ''],
    [`hubs list, ${HUBS} hubs`, `${list.toFixed(1)} ms`, '', ''],
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(r.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c)).join('  '));
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) c.kill('SIGKILL');
    fs.rmSync(home, { recursive: true, force: true });
  });
