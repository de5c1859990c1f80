/**
 * Fleet feed benchmark: how soon a window's Fleet data shows a change made on another station.
 * A station agent (in-process, file watching, heartbeat 10 s so beats do not help) publishes
 * through replica 0; a LabFleetFeed long-polls replica 1 (GET /fleet/changes). For each of ~50
 * registry changes: change → the feed's onChange with the new entry in its snapshot, next to the
 * baseline measured on the same changes in the same run: a reader that polls the station's
 * state through replica 1 once a second (what a window could do without /fleet/changes).
 * Run with `npm run bench`. It starts and stops everything it measures.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChildProcess } from 'node:child_process';
import { LabClient } from '../src/core/agent/lab-client';
import { StationAgent } from '../src/core/agent/station-agent';
import { LabFleetFeed } from '../src/core/fleet/fleet-feed';
import { defaultHubRoots } from '../src/core/hubs/hub-paths';
import { LeaseHolder } from '../src/core/lease-holder/lease-holder';
import { ComponentRegistry } from '../src/core/registry/component-registry';
import { runBench, startBenchLab } from './run-bench';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hubkeeper-fleet-feed-bench-'));
const children: ChildProcess[] = [];
const CHANGES = 50;
const POLL_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
  return `p50 ${at(50).toFixed(0)} ms · p95 ${at(95).toFixed(0)} ms · max ${s[s.length - 1].toFixed(0)} ms (n=${s.length})`;
}

async function main(): Promise<void> {
  const lab = await startBenchLab({ children, dir }, []);
  const name = 'bench-station';
  const home = fs.mkdtempSync(path.join(dir, 'st-'));
  const regPath = path.join(home, '.madsci', 'registry.json');
  fs.mkdirSync(path.dirname(regPath), { recursive: true });
  const env = { env: {}, home };
  const agent = new StationAgent({
    lab: new LabClient([new URL(lab.replicas[0])], lab.token),
    station: name,
    registry: new ComponentRegistry(regPath, { holder: new LeaseHolder({ hostname: name }) }),
    found: { path: regPath, reason: 'bench' },
    hubs: { roots: defaultHubRoots(env), env, folders: [] },
    heartbeatMs: 10_000,
    allow: [],
  });
  agent.start();
  const has = (entries: { name: string }[] | undefined, n: string) => (entries ?? []).some((e) => e.name === n);

  const feed = new LabFleetFeed({ client: new LabClient([new URL(lab.replicas[1])], lab.token), station: 'viewer' });
  let target = '';
  let feedSeen: (() => void) | undefined;
  feed.onChange(() => {
    const st = feed.snapshot?.stations.find((s) => s.summary.station === name);
    if (target && has(st?.state?.entries, target)) feedSeen?.();
  });
  // The baseline reader: one GET of the station every POLL_MS.
  let pollSeen: (() => void) | undefined;
  let polling = true;
  void (async () => {
    while (polling) {
      const res = await fetch(`${lab.replicas[1]}/fleet/stations/${name}`, { headers: { Authorization: `Bearer ${lab.token}` } }).catch(
        () => undefined,
      );
      const body = res?.ok ? await res.json() : undefined;
      if (target && has(body?.state?.entries, target)) pollSeen?.();
      await sleep(POLL_MS);
    }
  })();
  while (!feed.snapshot?.stations.some((s) => s.summary.station === name && s.state)) await sleep(20);

  const writer = new ComponentRegistry(regPath, { holder: new LeaseHolder() });
  const viaFeed: number[] = [];
  const viaPoll: number[] = [];
  for (let i = 0; i < CHANGES; i++) {
    const n = `change_${i}`;
    const t = performance.now();
    const seen = Promise.all([
      new Promise<void>((r) => (feedSeen = () => (viaFeed.push(performance.now() - t), (feedSeen = undefined), r()))),
      new Promise<void>((r) => (pollSeen = () => (viaPoll.push(performance.now() - t), (pollSeen = undefined), r()))),
    ]);
    target = n;
    await writer.resolve(n, 'node', { acquireLock: false });
    await seen;
    await sleep(Math.random() * POLL_MS); // a change at any phase of the poll
  }
  polling = false;
  console.log(`change on a station → window feed onChange (long poll on another replica): ${stats(viaFeed)}`);
  console.log(`baseline, the same changes read by a plain ${POLL_MS} ms poll of the station:    ${stats(viaPoll)}`);
  feed.dispose();
  await agent.stop();
  await lab.redis.quit().catch(() => undefined);
}

runBench('fleet feed', main, { children, dir });
