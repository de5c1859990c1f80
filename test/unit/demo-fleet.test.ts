import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { ROOT, runCli, tempDir, waitFor, which } from '../support/helpers';

/**
 * The lab part of `npm start` (scripts/demo-fleet.mjs), as the demo starts it: a private
 * redis-server, a `lab serve` replica, two simulated stations with their agents, an orphan, a
 * conflict and a lease changing hands, all read back through the real CLI; then stop() must
 * leave no process behind (checked in /proc, as ps would) and the redis-server gone.
 */

const SKIP = which('redis-server') ? false : 'redis-server is not installed (bash scripts/ensure-redis.sh)';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
interface DemoFleet {
  url: string;
  labTokenFile: string;
  stations: string[];
  conflict: { name: string; labId: string; ids: Record<string, string> };
  orphan: { station: string; pid: number };
  staleLock: { station: string; name: string };
  handover: { station: string; name: string; intervalMs: number; holderPids: number[] };
  redis: { pid: number; port: number };
  pids: number[];
  stop(): Promise<void>;
}

/** pid -> [ppid, start time] of every process now, from /proc. */
function processTable(): Map<number, [number, string]> {
  const table = new Map<number, [number, string]>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      if (f[0] !== 'Z') table.set(Number(d), [Number(f[1]), f[19]]);
    } catch {
      /* gone meanwhile */
    }
  }
  return table;
}

/** Adds to `seen` (pid -> start time) the `roots` and all their descendants running now. */
function collectTree(roots: number[], seen: Map<number, string>): void {
  const table = processTable();
  const todo = roots.filter((p) => table.has(p));
  while (todo.length) {
    const pid = todo.pop() as number;
    seen.set(pid, (table.get(pid) as [number, string])[1]);
    for (const [child, [ppid]] of table) if (ppid === pid && !seen.has(child)) todo.push(child);
  }
}

/** The pids of `seen` still running as the same process (same start time: never a recycled pid). */
function stillRunning(seen: Map<number, string>): number[] {
  const table = processTable();
  return [...seen].filter(([pid, start]) => table.get(pid)?.[1] === start).map(([pid]) => pid);
}

function commandLinesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(text)) found.push(`${d}: ${cmd}`);
    } catch {
      /* gone meanwhile */
    }
  }
  return found;
}

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(false)));
    s.once('error', () => resolve(true));
  });

test(
  'the demo fleet: 2 healthy simulated stations, the conflict, the orphan on lab-pc-02, a lease changing hands; stop() leaves no process and no redis-server',
  { skip: SKIP },
  async () => {
    const dir = tempDir('hubkeeper-demo-fleet-');
    const { createDemoFleet } = await import(path.join(ROOT, 'scripts', 'demo-fleet.mjs'));
    // A short turn, so that two handovers happen within the test.
    const fleet: DemoFleet = await createDemoFleet(dir, { handoverMs: 2000 });
    let stopped = false;
    const seen = new Map<number, string>();
    // Whatever happened, nothing of it outlives the test file (a leftover would also keep it running).
    after(async () => {
      if (!stopped) await fleet.stop();
      for (const pid of stillRunning(seen)) process.kill(pid, 'SIGKILL');
    });
    collectTree(fleet.pids, seen);
    const cli = async (...args: string[]): Promise<Json> => {
      const r = await runCli([...args, '--json', '--lab', fleet.url, '--token-file', fleet.labTokenFile]);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout);
    };
    const [pc02, pc03] = fleet.stations;
    assert.deepEqual(fleet.stations, ['lab-pc-02', 'lab-pc-03']);

    // Both simulated stations healthy, each with a conflict (published within a heartbeat).
    const list = await waitFor(async () => {
      const body = await cli('fleet', 'list');
      const sims = body.stations.filter((s: Json) => fleet.stations.includes(s.station));
      return sims.length === 2 && sims.every((s: Json) => s.health === 'healthy' && s.counts.conflicts === 1) && body;
    }, 'both simulated stations healthy with their conflict in fleet list');
    assert.ok(list.conflicts >= 1);
    const byName = (body: Json, station: string) => body.stations.find((s: Json) => s.station === station);
    assert.ok(byName(list, pc02).counts.orphans >= 1, 'the orphan counts on lab-pc-02');
    assert.equal(byName(list, pc02).counts.stale_locks, 1, 'the crashed holder on lab-pc-02');
    assert.deepEqual(byName(list, pc02).allow_remote, ['release', 'reap', 'adopt']);

    // The conflict: one name, the lab's id from lab-pc-02, another on lab-pc-03.
    const show02 = await cli('fleet', 'show', pc02);
    const conflict = show02.conflicts.find((c: Json) => c.name === fleet.conflict.name);
    assert.ok(conflict, JSON.stringify(show02.conflicts));
    assert.equal(conflict.lab_id, fleet.conflict.labId);
    assert.deepEqual(
      Object.fromEntries(conflict.ids.map((i: Json) => [i.station, i.id])),
      fleet.conflict.ids,
      'the same name with two ids on the two stations',
    );
    assert.notEqual(fleet.conflict.ids[pc02], fleet.conflict.ids[pc03]);
    const offered = (await cli('lab', 'conflicts')).conflicts;
    assert.ok(
      offered.some((c: Json) => c.name === fleet.conflict.name && c.station === pc03),
      'lab-pc-03 offered its id and was refused',
    );

    // The orphan on lab-pc-02: its own registered hub, a live process whose folder is gone.
    assert.equal(fleet.orphan.station, pc02);
    const orphan = show02.state.hubs.find((h: Json) => h.pid === fleet.orphan.pid && h.source !== 'process-scan');
    assert.ok(orphan, JSON.stringify(show02.state.hubs));
    assert.equal(orphan.state, 'orphan');
    assert.equal(orphan.reason, 'cwd no longer exists');
    assert.ok(show02.state.stale_locks.some((e: Json) => e.name === fleet.staleLock.name));

    // The lease on lab-pc-03 changes hands: its holder is, in turn, a child of each of the two holders.
    assert.equal(fleet.handover.station, pc03);
    const holders = new Set<number>();
    await waitFor(
      async () => {
        const show03 = await cli('fleet', 'show', pc03);
        const held = show03.state?.held.find((e: Json) => e.name === fleet.handover.name);
        const parent = held ? processTable().get(held.lock.holder_pid)?.[0] : undefined;
        if (parent !== undefined && fleet.handover.holderPids.includes(parent)) holders.add(parent);
        collectTree(fleet.pids, seen);
        return holders.size === 2;
      },
      'both holders seen holding the lease',
      60_000,
      200,
    );

    collectTree(fleet.pids, seen);
    assert.ok(seen.has(fleet.redis.pid));
    await fleet.stop();
    stopped = true;
    assert.deepEqual(stillRunning(seen), [], 'every process the fleet started (and their children) has exited');
    assert.deepEqual(commandLinesMentioning(dir), [], 'no process names the demo dir');
    assert.ok(await refused(fleet.redis.port), 'nothing listens on the redis-server port any more');
  },
);
