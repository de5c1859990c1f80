import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LabClient } from '../../src/core/agent/lab-client';
import { onConnectionKindChange } from '../../src/core/fleet/connection-kind';
import { LabFleetFeed } from '../../src/core/fleet/fleet-feed';
import { ROUND_BURST, ROUND_EVERY_MS } from '../../src/core/fleet/feed-pacing';
import { sleep, waitFor } from '../support/helpers';

/**
 * LabFleetFeed against a lab that answers badly: a tiny real HTTP server on loopback stands in for
 * the lab (a real lab never answers this way, which is the point), and counts every request. The
 * bounds are upper bounds on requests per elapsed time, so a slow machine only makes them easier:
 * the feed starts at most a round per ROUND_EVERY_MS, after a burst of ROUND_BURST, whatever the lab answers.
 */

interface FakeLab {
  url: string;
  /** The routes asked for, in order, without the query. */
  routes: string[];
  /** What GET /fleet/changes answers (at once): the query's generation is given. */
  changes: (generation: string) => object;
  /** Stations whose state read answers HTTP 500. */
  failing: Set<string>;
  /** The entries (name → id) a station's state publishes. */
  entries: Map<string, { name: string; id: string }[]>;
  count: (route: string) => number;
  close: () => Promise<void>;
}

async function fakeLab(stations: string[]): Promise<FakeLab> {
  const lab: FakeLab = {
    url: '',
    routes: [],
    changes: () => ({ version: 1, generation: 'g', changed_stations: [], lab_changed: false }),
    failing: new Set(),
    entries: new Map(),
    count: (route) => lab.routes.filter((r) => r === route).length,
    close: () => new Promise((r) => server.close(() => r())),
  };
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    lab.routes.push(u.pathname);
    const answer = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const station = u.pathname.startsWith('/fleet/stations/') ? decodeURIComponent(u.pathname.slice(16)) : undefined;
    if (u.pathname === '/fleet/changes') answer(200, lab.changes(u.searchParams.get('generation') ?? ''));
    else if (u.pathname === '/fleet/stations')
      answer(200, {
        server_time_us: Date.now() * 1000,
        stations: stations.map((s) => ({ station: s, health: 'healthy', state_hash: 'h', updated_at: 't', heartbeat_interval_ms: 5000 })),
      });
    else if (station !== undefined && lab.failing.has(station)) answer(500, { error: 'the state is broken' });
    else if (station !== undefined) answer(200, { state: { registry: { path: `/${station}` }, entries: lab.entries.get(station) ?? [] } });
    else if (u.pathname === '/registry/entries') answer(200, { entries: [] });
    else if (u.pathname === '/fleet/conflicts') answer(200, { conflicts: [] });
    else answer(404, { error: 'no such route' });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  lab.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return lab;
}

const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function open(stations: string[]) {
  const lab = await fakeLab(stations);
  const client = new LabClient([new URL(lab.url)], 'token');
  const logged: string[] = [];
  const startedAt = Date.now();
  const feed = new LabFleetFeed({ client, station: 'viewer', log: (line) => logged.push(line) });
  cleanups.push(
    () => lab.close(),
    () => client.close(),
    () => feed.dispose(),
  );
  /** At most this many rounds can have started by now: a burst, then one per ROUND_EVERY_MS (feed-pacing.ts). */
  const roundsBound = () => Math.floor((Date.now() - startedAt) / ROUND_EVERY_MS) + ROUND_BURST;
  return { lab, feed, logged, roundsBound };
}

test("one station's state failing keeps the others, the feed connected and that station's last state, said once", async () => {
  const { lab, feed, logged, roundsBound } = await open(['st-a', 'st-b']);
  // Every round names both stations as changed: both are read again each time.
  lab.changes = () => ({ version: 2, generation: 'g', changed_stations: ['st-a', 'st-b'], lab_changed: false });
  await waitFor(() => feed.connection.kind === 'connected' && feed.snapshot?.stations.every((s) => s.state), 'both states read');
  lab.failing.add('st-b');
  const before = lab.count('/fleet/stations/st-b');
  await waitFor(() => lab.count('/fleet/stations/st-b') >= before + 3, 'three more reads of the failing state');
  assert.equal(feed.connection.kind, 'connected', `the feed is ${feed.connection.kind}`);
  const b = feed.snapshot?.stations.find((s) => s.summary.station === 'st-b');
  assert.equal(b?.state?.registry.path, '/st-b', 'the last good state is kept');
  assert.equal(logged.filter((l) => l.includes('st-b')).length, 1, logged.join('\n'));
  assert.ok(lab.count('/fleet/changes') <= roundsBound() + 1, `${lab.count('/fleet/changes')} long polls`);
});

test('a lab answering reset every time: full re-reads at most every other round, then slower', async (t) => {
  const { lab, feed, logged, roundsBound } = await open(['st-a', 'st-b']);
  lab.changes = () => ({ version: 1, generation: 'g', reset: true });
  await waitFor(() => feed.connection.kind === 'connected', 'connected');
  await sleep(4000);
  const states = lab.count('/fleet/stations/st-a');
  t.diagnostic(`${states} reads of a state, ${lab.routes.length} requests in all, in ${roundsBound() - ROUND_BURST} rounds' time`);
  // A reset round and a full round alternate, so at most every other round reads the states.
  assert.ok(states <= Math.ceil(roundsBound() / 2) + 1, `${states} reads of a state (${lab.routes.length} requests in all)`);
  assert.equal(logged.filter((l) => l.includes('reset')).length, 1, logged.join('\n'));
});

test('a generation longer than the 64 characters the feed keeps: refused once, nothing more sent', async () => {
  const { lab, feed, logged } = await open(['st-a']);
  const generation = 'G'.repeat(65);
  // As a lab does: another generation than its own is told to re-read everything.
  lab.changes = (asked) => ({ version: 1, generation, reset: asked !== generation });
  await waitFor(() => feed.connection.kind === 'refused', 'refused');
  const sent = lab.routes.length;
  await sleep(1500);
  assert.equal(lab.routes.length, sent, lab.routes.slice(sent).join(', '));
  assert.equal(logged.filter((l) => l.includes('generation')).length, 1, logged.join('\n'));
  assert.match(feed.connection.kind === 'refused' ? feed.connection.reason : '', /generation of 65 characters/);
});

test('a station changing does not read the conflicts again; the lab changing does', async () => {
  const { lab, feed } = await open(['st-a']);
  let version = 1;
  lab.changes = () => ({ version: ++version, generation: 'g', changed_stations: ['st-a'], lab_changed: false });
  await waitFor(() => feed.connection.kind === 'connected', 'connected');
  await waitFor(() => lab.count('/fleet/stations/st-a') >= 4, 'three station changes read');
  assert.equal(lab.count('/fleet/conflicts'), 1, 'only the first full read');
  lab.changes = () => ({ version: ++version, generation: 'g', changed_stations: [], lab_changed: true });
  await waitFor(() => lab.count('/fleet/conflicts') >= 2, 'the conflicts read again when the lab changed');
});

test('a station whose names take other ids (an adopt) makes the conflicts read again: they come from the published states', async () => {
  const { lab, feed } = await open(['st-a']);
  let version = 1;
  await waitFor(() => feed.connection.kind === 'connected', 'connected');
  const before = lab.count('/fleet/conflicts');
  lab.entries.set('st-a', [{ name: 'centrifuge_1', id: '01JNQB7H2M5X8RZC4W9A000501' }]);
  lab.changes = () => ({ version: ++version, generation: 'g', changed_stations: ['st-a'], lab_changed: false });
  await waitFor(() => lab.count('/fleet/conflicts') > before, 'the conflicts read again after the ids moved');
});

test("the window's listener (window-lab.ts) hears the connection kind change, not each snapshot", async () => {
  const { lab, feed } = await open(['st-a']);
  let version = 1;
  lab.changes = () => ({ version: ++version, generation: 'g', changed_stations: ['st-a'], lab_changed: false });
  const kinds: string[] = [];
  let snapshots = 0;
  onConnectionKindChange(feed, (kind) => kinds.push(kind));
  feed.onChange(() => snapshots++);
  await waitFor(() => snapshots >= 4, 'four snapshots');
  assert.deepEqual(kinds, ['connected']);
  await lab.close();
  await waitFor(() => kinds.length === 2, 'reconnecting');
  assert.deepEqual(kinds, ['connected', 'reconnecting']);
});
