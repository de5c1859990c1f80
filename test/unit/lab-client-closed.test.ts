import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { LabClient, LabUnreachable } from '../../src/core/agent/lab-client';
import { createTimelineSource } from '../../src/extension/timeline/timeline-source';
import type { LocalJournal } from '../../src/core/journal/journal-file';

/**
 * A closed lab client sends nothing more, and the Lease Timeline asks the window for its current
 * client at every read: after Disconnect (or a new URL or token) an open panel must not keep
 * sending the old token. A real HTTP server on loopback counts the requests that reach it.
 */
test('a closed LabClient never sends its token again; the timeline source follows the current client', async () => {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.url} ${req.headers.authorization}`);
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ events: [] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = new URL(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
    let client: LabClient | undefined = new LabClient([url], 'old-token');
    const journal = { label: 'local journal (~/.hubkeeper/journal)', events: async () => [] } as unknown as LocalJournal;
    const source = createTimelineSource(journal, () => client);
    assert.match(source.label, /^lab http:\/\/127\.0\.0\.1:/);
    await source.events({ sinceMs: 0, untilMs: 1 });
    const sent = seen.length; // the lease events and the conflict records
    assert.ok(sent >= 1 && seen.every((r) => r.endsWith('Bearer old-token')), seen.join('\n'));

    const old = client;
    old.close();
    await assert.rejects(old.call('GET', '/fleet/audit'), LabUnreachable);
    client = undefined; // disconnected: the window has no client now
    assert.equal(source.label, journal.label);
    await source.events({ sinceMs: 0, untilMs: 1 });
    assert.equal(seen.length, sent, 'nothing more reached the lab');
  } finally {
    server.close();
  }
});
