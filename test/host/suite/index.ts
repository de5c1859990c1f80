import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import * as vscode from 'vscode';
import type { HubkeeperApi } from '../../../src/extension/extension';
import { workspaceId } from '../../../src/core/hubs/workspace-id';
import { goTime, serializeHubEntry } from '../../../src/core/hubs/hub-entry';
import type { ComponentNode } from '../../../src/extension/views/components-view';
import type { LocksElement, StaleLeaseNode } from '../../../src/extension/views/locks-view';
import { assert, MiniRunner, sleep, waitFor } from './mini-runner';

/**
 * Hubkeeper inside a real VS Code extension host, on the fixture workspace of test/host/fixture.ts.
 * Every check reads the real files, processes and HTTP endpoints; commands run through
 * vscode.commands with scripted answers (the UI tests click the real dialogs).
 */

const workspace = process.env.HUBKEEPER_TEST_WORKSPACE as string;
const registry = process.env.HUBKEEPER_TEST_REGISTRY as string;
const fixtures = process.env.HUBKEEPER_TEST_FIXTURES as string;
const root = path.join(fixtures, '..', '..', '..');
const cli = path.join(root, 'dist', 'cli.js');
const readRegistry = () => JSON.parse(fs.readFileSync(registry, 'utf8'));
// The extension runs from its bundle, so its classes are not these modules' classes: tell node kinds apart by shape.
const isLease = (n: LocksElement): n is StaleLeaseNode => 'entry' in n;
const entryFile = (root: string, cwd: string) => path.join(os.homedir(), root, 'workspaces', `${workspaceId(cwd)}.json`);

function get(url: string): Promise<number> {
  return new Promise((resolve) => {
    http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', () => resolve(0));
  });
}

function fakeHub(cwd: string): Promise<{ pid: number; url: string; kill(): void }> {
  const child = spawn(process.execPath, [path.join(root, 'scripts', 'fake-hub.mjs'), '--title', 'bones hub start', '--cwd', cwd, '--serve'], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve) => child.stdout?.once('data', (d) => {
    const [, port, pid] = String(d).trim().split(' ');
    resolve({ pid: Number(pid), url: `http://127.0.0.1:${port}`, kill: () => child.kill('SIGKILL') });
  }));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function run(): Promise<void> {
  const t = new MiniRunner();
  let api!: HubkeeperApi;

  await t.test('activates on startup and reports its activation time', async () => {
    const ext = vscode.extensions.getExtension<HubkeeperApi>('hubkeeper.hubkeeper');
    assert(ext, 'extension hubkeeper.hubkeeper is not installed');
    api = await waitFor('activation', async () => (ext.isActive ? ext.exports : undefined));
    await api.ready;
    return { activationMs: Number(api.activationMs.toFixed(1)), vscode: vscode.version };
  });

  await t.test('holds the hub lock, registers the hub entry and serves the endpoint', async () => {
    const lockDir = path.join(workspace, '.hubkeeper', 'hub.lock');
    await waitFor('the hub lock', () => fs.existsSync(lockDir));
    const entry = JSON.parse(fs.readFileSync(entryFile('.hubkeeper', workspace), 'utf8'));
    assert(entry.hub_pid === process.pid, `hub_pid ${entry.hub_pid} is not the extension host's pid ${process.pid}`);
    assert(entry.cwd === workspace, `cwd ${entry.cwd}`);
    assert((await get(`${entry.hub_url}/health`)) === 200, 'GET /health did not answer 200');
    assert((await get(`${entry.hub_url}/v1/status`)) === 401, '/v1/status answered without a token');
    return { hubUrl: entry.hub_url };
  });

  await t.test('a claimed component is leased and its heartbeat advances', async () => {
    const lock = await waitFor('the claim', () => readRegistry().entries.claimed_arm?.lock);
    assert(lock.holder_pid === process.pid, `holder_pid ${lock.holder_pid}`);
    const first = lock.heartbeat_at;
    const later = await waitFor('a heartbeat', () => {
      const now = readRegistry().entries.claimed_arm.lock;
      return now.heartbeat_at !== first ? now.heartbeat_at : undefined;
    });
    return { first, later };
  });

  await t.test('the Components view shows the MADSci registry by type, with lock states', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.hubkeeper');
    const nodes = await waitFor('components', () => (api.components.components().length >= 3 ? api.components.components() : undefined));
    const byName = new Map(nodes.map((n) => [n.name, n]));
    assert(byName.get('liquidhandler_1')?.lockState === 'expired', 'liquidhandler_1 should show an expired lock');
    assert(byName.get('claimed_arm')?.lockState === 'held', 'claimed_arm should be held');
    const item = api.components.getTreeItem(byName.get('liquidhandler_1') as ComponentNode);
    assert(String(item.description).includes('expired'), `description: ${item.description}`);
    assert(item.contextValue === 'component.expired', `contextValue ${item.contextValue}`);
    const stale = api.locks.nodes().map((n) => (isLease(n) ? n.entry.name : n.workspace));
    assert(stale.includes('liquidhandler_1'), `stale locks: ${stale}`);
    return { components: nodes.map((n) => `${n.name}: ${n.lockText}`) };
  });

  await t.test('an external write to the registry shows in the view (latency measured)', async () => {
    const doc = readRegistry();
    doc.entries.external_probe = { ...doc.entries['7'], id: '01JNQ8Z6T9K3M2V7X4C5B8D0ZZ' };
    const written = Date.now();
    fs.writeFileSync(registry, JSON.stringify(doc, null, 2));
    await waitFor('the new entry in the view', () => api.components.components().some((n) => n.name === 'external_probe'), 10_000);
    return { latencyMs: Date.now() - written };
  });

  await t.test('rename through the command keeps the id and moves the entry on disk', async () => {
    const node = api.components.components().find((n) => n.name === 'external_probe') as ComponentNode;
    await vscode.commands.executeCommand('hubkeeper.components.rename', node, undefined, { newName: 'renamed_probe' });
    const entries = readRegistry().entries;
    assert(!entries.external_probe && entries.renamed_probe?.id === '01JNQ8Z6T9K3M2V7X4C5B8D0ZZ', 'renamed on disk');
    assert(Object.keys(entries).pop() === 'renamed_probe', 'a renamed entry moves to the end');
  });

  await t.test('releasing a stale lock from the Stale Locks view writes lock: null', async () => {
    const node = api.locks.nodes().find((n) => isLease(n) && n.entry.name === 'liquidhandler_1');
    assert(node, 'liquidhandler_1 is in Stale Locks');
    await vscode.commands.executeCommand('hubkeeper.locks.release', node, undefined, { yes: true });
    assert(readRegistry().entries.liquidhandler_1.lock === null, 'lock is null on disk');
    await waitFor('the item to leave Stale Locks', () => !api.locks.nodes().some((n) => isLease(n) && n.entry.name === 'liquidhandler_1'));
  });

  await t.test('export, clean and import through the commands', async () => {
    const exported = path.join(os.tmpdir(), `hubkeeper-export-${process.pid}.json`);
    await vscode.commands.executeCommand('hubkeeper.components.export', undefined, undefined, { file: exported });
    assert(JSON.parse(fs.readFileSync(exported, 'utf8')).entries.renamed_probe, 'export has the entries');
    await vscode.commands.executeCommand('hubkeeper.components.cleanStale', undefined, undefined, { olderThanDays: 30, yes: true });
    const after = Object.keys(readRegistry().entries);
    assert(!after.includes('liquidhandler_1') && after.includes('claimed_arm'), `after clean: ${after}`);
    await vscode.commands.executeCommand('hubkeeper.components.import', undefined, undefined, { file: exported, mode: 'merge' });
    assert(readRegistry().entries.liquidhandler_1?.id === '01JNQ8Z6T9K3M2V7X4C5B8D0EF', 'import brought it back with its id');
    fs.rmSync(exported, { force: true });
  });

  await t.test('bones-format entries: a live hub is listed, its deleted folder makes it an orphan, reap kills it', async () => {
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'bones-ws-'));
    fs.mkdirSync(path.join(ws, '.bones'));
    fs.writeFileSync(path.join(ws, '.bones', 'agent.id'), 'agent-1\n');
    const hub = await fakeHub(ws);
    const file = entryFile('.bones', ws);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, serializeHubEntry({ cwd: ws, name: 'bones-ws', hubUrl: hub.url, natsUrl: '', hubPid: hub.pid, startedAt: goTime(Date.now() + 1000) }), { mode: 0o600 });
    const listed = await waitFor('the bones hub as running', () => api.hubs.hubNodes().find((n) => n.hub.pid === hub.pid && n.hub.state === 'running'));
    assert(listed.hub.id === workspaceId(ws), 'same id as bones');
    fs.rmSync(ws, { recursive: true });
    await api.model.refreshHubs();
    const orphan = await waitFor('the orphan', () => api.hubs.hubNodes().find((n) => n.hub.pid === hub.pid && n.hub.state === 'orphan'));
    assert(orphan.hub.reason === 'cwd no longer exists', `reason ${orphan.hub.reason}`);
    assert(Number(api.views.hubs.badge?.value) >= 1, 'the badge counts the orphan');
    await vscode.commands.executeCommand('hubkeeper.hubs.reap', orphan, undefined, { yes: true });
    await waitFor('the process to be gone', () => !alive(hub.pid));
    assert(!fs.existsSync(file), 'the entry file is removed');
    const own = api.hubs.hubNodes().find((n) => n.isOwn);
    assert(own && alive(process.pid), "this window's hub is untouched and marked as its own");
  });

  await t.test('another process sees the lock held; this window takes over when the holder dies', async () => {
    const refused = spawnSync(process.execPath, [cli, 'hub', 'start', workspace], { encoding: 'utf8', env: process.env });
    assert(refused.status === 3, `second hub exit ${refused.status}: ${refused.stderr}`);
    assert(refused.stderr.includes(`held by pid ${process.pid}`), refused.stderr);
    await api.windowHubs.sync(false); // this window lets go
    const other = spawn(process.execPath, [cli, 'hub', 'start', workspace], { stdio: ['ignore', 'pipe', 'ignore'], env: process.env });
    await new Promise((r) => other.stdout?.once('data', r));
    await api.windowHubs.sync(true);
    const folder = [...api.windowHubs.folders.values()][0];
    assert(folder.state === 'held-elsewhere' && folder.heldBy?.pid === other.pid, `state ${folder.state}`);
    assert(api.statusBar.text.startsWith('$(lock)'), `status bar ${api.statusBar.text}`);
    other.kill('SIGKILL');
    await waitFor('the takeover', () => [...api.windowHubs.folders.values()][0].state === 'holding', 20_000);
    assert(api.statusBar.text.startsWith('$(broadcast)'), `status bar ${api.statusBar.text}`);
  });

  await t.test('dropping a claim releases its lease on disk', async () => {
    await vscode.workspace.getConfiguration('hubkeeper').update('claims', [], vscode.ConfigurationTarget.Workspace);
    await waitFor('the lease release', () => readRegistry().entries.claimed_arm.lock === null);
  });

  await vscode.commands.executeCommand('workbench.view.extension.hubkeeper');
  await sleep(500);
  await t.finish();
}
