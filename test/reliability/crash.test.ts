import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RegistryFile } from '../../src/core/registry/registry-file';
import { ComponentRegistry } from '../../src/core/registry/component-registry';
import { LeaseHolder } from '../../src/core/lease-holder/lease-holder';
import { parseHubEntry } from '../../src/core/hubs/hub-entry';
import { writeHubEntry } from '../../src/core/hubs/hub-registry';
import { exited, FIXTURES, spawnNode, tempDir, waitForLine } from '../support/helpers';
import { figure, scaled } from './profile';

/**
 * kill -9 at random points of a writer's mutations, many times: the registry and the hub entry
 * must always parse (writes are atomic), the next writer must get the locks at once (the dead
 * writer's flock went with it), and its write must leave no temp file behind.
 */

const WRITER = path.join(FIXTURES, 'crash-writer.js');

test(
  '200 × kill -9 mid-write: no corrupt file, no stray temp file after the next write, every lock reclaimed',
  { timeout: 600_000 },
  async () => {
    const iterations = scaled(200, 25);
    const dir = tempDir();
    const registryPath = path.join(dir, 'lab', 'registry.json');
    const hubRoot = path.join(dir, 'home', '.hubkeeper');
    const workspace = path.join(dir, 'ws');
    const registry = new ComponentRegistry(registryPath, { holder: new LeaseHolder(), lockTimeoutMs: 10_000 });
    let corruptRegistry = 0;
    let corruptEntries = 0;
    let strayTemps = 0;
    let maxReclaimMs = 0;
    let killedInsideLock = 0;
    for (let i = 0; i < iterations; i++) {
      const child = spawnNode(WRITER, [registryPath, hubRoot, workspace]);
      await waitForLine(child, 'ready');
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 60)));
      child.kill('SIGKILL');
      await exited(child);
      if (fs.existsSync(`${registryPath}.hubkeeper-lock`)) killedInsideLock++;
      // Strict reads: no torn-read retry; an atomic writer never leaves a partial file.
      try {
        await new RegistryFile(registryPath, { tornReadRetryMs: 0 }).read();
      } catch {
        corruptRegistry++;
      }
      const entries = path.join(hubRoot, 'workspaces');
      for (const name of fs.existsSync(entries) ? fs.readdirSync(entries).filter((n) => n.endsWith('.json')) : []) {
        try {
          parseHubEntry(fs.readFileSync(path.join(entries, name), 'utf8'), name);
        } catch {
          corruptEntries++;
        }
      }
      const t0 = Date.now();
      await registry.resolve(`after_${i}`, 'node', { acquireLock: false });
      maxReclaimMs = Math.max(maxReclaimMs, Date.now() - t0);
      await writeHubEntry(
        { kind: 'hubkeeper', dir: hubRoot },
        { cwd: workspace, name: 'w', hubUrl: '', natsUrl: '', hubPid: 0, startedAt: '2026-01-01T00:00:00Z' },
      );
      const leftovers = [
        ...fs.readdirSync(path.dirname(registryPath)).filter((n) => n.includes('.hubkeeper-tmp-')),
        ...fs.readdirSync(entries).filter((n) => n.includes('.tmp.')),
      ];
      strayTemps += leftovers.length;
    }
    const finalCount = (await registry.list({ includeStale: true })).filter((e) => e.name.startsWith('after_')).length;
    figure('crash', {
      kills: iterations,
      killed_inside_lock: killedInsideLock,
      corrupt_registry: corruptRegistry,
      corrupt_entries: corruptEntries,
      stray_temp_files: strayTemps,
      max_next_write_ms: maxReclaimMs,
      after_writes_kept: finalCount,
    });
    assert.equal(corruptRegistry, 0);
    assert.equal(corruptEntries, 0);
    assert.equal(strayTemps, 0);
    assert.equal(finalCount, iterations);
    assert.ok(maxReclaimMs < 10_000, `a lock was not reclaimed within the lock timeout (${maxReclaimMs} ms)`);
  },
);
