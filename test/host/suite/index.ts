import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import * as vscode from 'vscode';
import type { HubkeeperApi } from '../../../src/extension/extension';
import { workspaceId } from '../../../src/core/hubs/workspace-id';
import { goTime, serializeHubEntry } from '../../../src/core/hubs/hub-entry';
import type { ComponentNode } from '../../../src/extension/views/components-view';
import type { LocksElement, StaleLeaseNode } from '../../../src/extension/views/locks-view';
import { fleetViewTests } from './fleet-view';
import { get } from './host-http';
import { claimFollowerTests } from './claim-followers';
import { labConnectionTests } from './lab-connection';
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

function fakeHub(cwd: string): Promise<{ pid: number; url: string; kill(): void }> {
  const child = spawn(
    process.execPath,
    [path.join(root, 'scripts', 'fake-hub.mjs'), '--title', 'bones hub start', '--cwd', cwd, '--serve'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return new Promise((resolve) =>
    child.stdout?.once('data', (d) => {
      const [, port, pid] = String(d).trim().split(' ');
      resolve({ pid: Number(pid), url: `http://127.0.0.1:${port}`, kill: () => child.kill('SIGKILL') });
    }),
  );
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

  // The Terminal API gives no way to read a terminal's buffer, so the command typed into the
  // integrated terminal writes its output to a file, which this reads back.
  await t.test(
    "`hubkeeper --version` typed in the editor's integrated terminal prints the version (the CLI in the extension, on its PATH)",
    async () => {
      const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
      const out = path.join(os.tmpdir(), `hubkeeper-terminal-${process.pid}.txt`);
      const q = (p: string) => `'${p.replace(/'/g, `'\\''`)}'`;
      const terminal = vscode.window.createTerminal({ name: 'hubkeeper CLI check' });
      try {
        terminal.sendText(
          `hubkeeper --version > ${q(out + '.part')} 2>&1; command -v hubkeeper >> ${q(out + '.part')}; mv ${q(out + '.part')} ${q(out)}`,
        );
        const [printed, found] = (
          await waitFor('the terminal command', () => (fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : ''), 60_000)
        )
          .trim()
          .split('\n');
        assert(printed === pkg.version, `hubkeeper --version printed ${JSON.stringify(printed)}, not ${pkg.version}`);
        assert(found.endsWith(`${path.sep}bin${path.sep}hubkeeper`) && found.includes('hubkeeper.hubkeeper'), `hubkeeper is ${found}`);
        return { printed, found };
      } finally {
        terminal.dispose();
        fs.rmSync(out, { force: true });
      }
    },
  );

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

  await t.test(
    'F2 in the Components view renames the selected component (the keybinding passes the view, the command takes its selection)',
    async () => {
      const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
      const f2 = pkg.contributes.keybindings.find((k: { key: string }) => k.key === 'f2');
      assert(f2?.command === 'hubkeeper.components.rename', `F2 runs ${f2?.command}`);
      const node = api.components.components().find((n) => n.name === 'renamed_probe') as ComponentNode;
      await api.views.components.reveal(node, { select: true, focus: true });
      await waitFor('the selection', () => api.views.components.selection.includes(node));
      // What the keybinding runs: its args, then (from a script) the new name.
      await vscode.commands.executeCommand(f2.command, f2.args, undefined, { newName: 'f2_probe' });
      const entries = readRegistry().entries;
      assert(!entries.renamed_probe && entries.f2_probe?.id === '01JNQ8Z6T9K3M2V7X4C5B8D0ZZ', 'renamed the selected entry on disk');
      const renamed = await waitFor('f2_probe in the view', () => api.components.components().find((n) => n.name === 'f2_probe'));
      await vscode.commands.executeCommand('hubkeeper.components.rename', renamed, undefined, { newName: 'renamed_probe' });
      assert(readRegistry().entries.renamed_probe, 'renamed back for the tests after this one');
    },
  );

  await t.test(
    "a corrupt registry: the Components view's message names the file, the line and what to do; no item fills the tree",
    async () => {
      const good = fs.readFileSync(registry, 'utf8');
      try {
        fs.writeFileSync(registry, good.slice(0, good.indexOf('"entries"') + 20));
        const message = await waitFor('the message', () => {
          const m = api.views.components.message ?? '';
          return m.includes(registry) && /line \d+/.test(m) ? m : undefined;
        });
        assert(/Open Registry File/.test(message), message);
        assert((await api.components.getChildren()).length === 0, 'no item fills the tree');
        assert(api.model.registryState === 'corrupt', `registryState ${api.model.registryState}`);
        return { message };
      } finally {
        fs.writeFileSync(registry, good);
        await waitFor('the registry again', () => api.views.components.message === undefined && api.components.components().length > 0);
      }
    },
  );

  await t.test('the badges: orphans on Hubs, stale locks on Stale Locks', async () => {
    const stale = api.locks.nodes().length;
    await waitFor('the Stale Locks badge', () => api.views.locks.badge?.value === stale);
    const orphans = api.hubs.hubNodes().filter((n) => n.hub.state === 'orphan').length;
    assert((api.views.hubs.badge?.value ?? 0) === orphans, `Hubs badge ${api.views.hubs.badge?.value}, ${orphans} orphans`);
    return { staleLocks: api.views.locks.badge?.value, orphans };
  });

  await t.test(
    'releasing a stale lock from the Stale Locks view (its inline action: the item, no selection) writes lock: null',
    async () => {
      const node = api.locks.nodes().find((n) => isLease(n) && n.entry.name === 'liquidhandler_1');
      assert(node, 'liquidhandler_1 is in Stale Locks');
      const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
      const inline = pkg.contributes.menus['view/item/context'].find(
        (m: { group?: string; when: string }) => m.group === 'inline' && m.when.includes('view == hubkeeper.staleLocks'),
      );
      assert(inline?.command === 'hubkeeper.locks.release', `the inline action is ${inline?.command}`);
      // An inline action passes the hovered item and no selection; the progress shows in the view.
      await vscode.commands.executeCommand(inline.command, node, undefined, { yes: true });
      assert(readRegistry().entries.liquidhandler_1.lock === null, 'lock is null on disk');
      await waitFor(
        'the item to leave Stale Locks',
        () => !api.locks.nodes().some((n) => isLease(n) && n.entry.name === 'liquidhandler_1'),
      );
    },
  );

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
    fs.writeFileSync(
      file,
      serializeHubEntry({ cwd: ws, name: 'bones-ws', hubUrl: hub.url, natsUrl: '', hubPid: hub.pid, startedAt: goTime(Date.now() + 1000) }),
      { mode: 0o600 },
    );
    const listed = await waitFor('the bones hub as running', () =>
      api.hubs.hubNodes().find((n) => n.hub.pid === hub.pid && n.hub.state === 'running'),
    );
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

  // Reaped from a terminal while the window runs: the window is asked, never signalled (reap.ts).
  // An async spawn, so this extension host keeps running and can react to the stop request.
  await t.test(
    "reaping this window's hub from the CLI asks the window: the extension host lives on, its hub stops, the status bar says so, and Restart Hub brings it back",
    async () => {
      const folderState = () => [...api.windowHubs.folders.values()][0]?.state;
      const lockDir = path.join(workspace, '.hubkeeper', 'hub.lock');
      const entry = entryFile('.hubkeeper', workspace);
      await waitFor('this window holding its hub', () => folderState() === 'holding' && fs.existsSync(lockDir) && fs.existsSync(entry));
      const reaper = spawn(process.execPath, [cli, 'hubs', 'reap', workspaceId(workspace), '--yes'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: process.env,
      });
      let output = '';
      reaper.stdout?.on('data', (d) => (output += d));
      reaper.stderr?.on('data', (d) => (output += d));
      const code = await new Promise<number | null>((resolve) => reaper.on('close', resolve));
      assert(code === 0, `hubs reap exit ${code}: ${output}`);
      assert(output.includes(`asked pid ${process.pid} to stop its hub`), output);
      await waitFor("the folder's hub stopped", () => folderState() === 'stopped');
      await waitFor('the status bar to say so', () => api.statusBar.text.startsWith('$(debug-stop)'));
      assert(!fs.existsSync(lockDir), `${lockDir} is still there`);
      assert(!fs.existsSync(entry), `${entry} is still there`);
      assert(alive(process.pid), 'the extension host is gone');
      const stoppedText = api.statusBar.text;
      await vscode.commands.executeCommand('hubkeeper.hub.restart');
      await waitFor('the hub again', () => folderState() === 'holding' && fs.existsSync(lockDir) && fs.existsSync(entry));
      return { cli: output.trim(), statusBar: stoppedText };
    },
  );

  await t.test('Copy Hub URL copies the address vscode.env.asExternalUri gives (this is a remote window)', async () => {
    const own = await waitFor("this window's hub", () => api.hubs.hubNodes().find((n) => n.isOwn && n.hub.hubUrl));
    const external = (await vscode.env.asExternalUri(vscode.Uri.parse(own.hub.hubUrl as string))).toString();
    await vscode.commands.executeCommand('hubkeeper.hubs.copyUrl', own);
    const copied = await vscode.env.clipboard.readText();
    assert(copied === external, `copied ${copied}, asExternalUri gives ${external}`);
    return { hubUrl: own.hub.hubUrl, copied };
  });

  await t.test('a crafted component name, holder host and hub name render as text in every tooltip (no raw ![ or ]( )', async () => {
    const name = '![x](https://evil.example/p.png)';
    const host = '[Open a terminal](command:workbench.action.terminal.new)';
    const doc = readRegistry();
    const lock = {
      ...doc.entries.liquidhandler_1?.lock,
      holder_host: host,
      holder_pid: 4242,
      holder_instance: '01JNQA3F5XG8E2D7W9R1C4HB6S',
      acquired_at: '2026-03-05T14:00:00Z',
      heartbeat_at: '2026-03-05T14:00:00Z',
      expires_at: '2026-03-05T14:00:30Z',
    };
    doc.entries[name] = {
      id: '01JNQ8Z6T9K3M2V7X4C5B8D0XS',
      component_type: 'node',
      created_at: '2026-03-05T14:00:00Z',
      last_seen: '2026-03-05T14:00:00Z',
      metadata: { note: '```\n![y](https://evil.example/q.png)' },
      lock,
      workcell_id: '<img src=https://evil.example/w.png>',
    };
    fs.writeFileSync(registry, JSON.stringify(doc, null, 2));
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'crafted-ws-'));
    const hubName = '![h](https://evil.example/h.png)';
    const file = entryFile('.bones', ws);
    fs.writeFileSync(
      file,
      serializeHubEntry({ cwd: ws, name: hubName, hubUrl: 'http://127.0.0.1:9', natsUrl: '', hubPid: 0, startedAt: goTime(Date.now()) }),
      { mode: 0o600 },
    );
    try {
      const node = await waitFor('the crafted component', () => api.components.components().find((n) => n.name === name));
      const stale = await waitFor('its stale lease', () => api.locks.nodes().find((n) => isLease(n) && n.entry.name === name));
      await api.model.refreshHubs();
      const hub = await waitFor('the crafted hub', () => api.hubs.hubNodes().find((n) => n.hub.name === hubName));
      const tooltips = [
        api.components.getTreeItem(node).tooltip,
        api.locks.getTreeItem(stale).tooltip,
        api.hubs.getTreeItem(hub).tooltip,
      ].map((t) => (typeof t === 'string' ? t : (t?.value ?? '')));
      // A fenced code block is literal text (the metadata JSON is one): drop each, closing it
      // exactly where Markdown does, so a fence that the text closed early leaves markup behind.
      const outsideCode = (md: string) => md.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1[ \t]*$/gm, '');
      for (const text of tooltips.map(outsideCode))
        assert(!text.includes('![') && !text.includes(']('), `raw markup in a tooltip: ${text}`);
      return { component: tooltips[0].split('\n')[0], hub: tooltips[2].split('\n')[0] };
    } finally {
      fs.rmSync(file, { force: true });
      fs.rmSync(ws, { recursive: true, force: true });
      const back = readRegistry();
      delete back.entries[name];
      fs.writeFileSync(registry, JSON.stringify(back, null, 2));
    }
  });

  await t.test('.vscode/settings.json aiming registryPath at another file, plus a claim, creates or modifies nothing there', async () => {
    const config = () => vscode.workspace.getConfiguration('hubkeeper');
    const dotfiles = path.join(path.dirname(workspace), 'dotfiles');
    fs.mkdirSync(dotfiles, { recursive: true });
    const claims = config().inspect('claims')?.workspaceValue;
    const ignored = (file: string) =>
      waitFor(
        `the ignored ${file}`,
        () =>
          (api.views.components.message ?? '').includes(JSON.stringify(file)) && api.claims().statuses.get('alias_probe')?.state === 'held',
      );
    try {
      // A file that does not exist: before the fix, the claim created it with the registry's JSON.
      const absent = path.join(dotfiles, '.bash_aliases');
      await config().update(
        'claims',
        [{ name: 'alias_probe', type: 'node' }, ...(claims as unknown[])],
        vscode.ConfigurationTarget.Workspace,
      );
      await config().update('registryPath', absent, vscode.ConfigurationTarget.Workspace);
      await ignored(absent);
      assert(fs.readdirSync(dotfiles).length === 0, `created: ${fs.readdirSync(dotfiles)}`);
      // A file that exists: neither changed nor joined by lock files.
      const present = path.join(dotfiles, '.profile');
      fs.writeFileSync(present, "alias ll='ls -l'\n");
      await config().update('registryPath', present, vscode.ConfigurationTarget.Workspace);
      await ignored(present);
      assert(fs.readFileSync(present, 'utf8') === "alias ll='ls -l'\n", 'modified');
      assert(JSON.stringify(fs.readdirSync(dotfiles)) === '[".profile"]', `beside it: ${fs.readdirSync(dotfiles)}`);
      assert(
        api.model.registry.path === registry && readRegistry().entries.alias_probe?.lock,
        'the claim went to the discovered registry instead',
      );
      return { message: api.views.components.message };
    } finally {
      await config().update('registryPath', undefined, vscode.ConfigurationTarget.Workspace);
      await config().update('claims', claims, vscode.ConfigurationTarget.Workspace);
      await waitFor(
        'the settings to settle',
        () =>
          api.views.components.message === undefined &&
          !api.claims().statuses.has('alias_probe') &&
          api.claims().statuses.get('claimed_arm')?.state === 'held',
      );
    }
  });

  await t.test('a new lease TTL replaces the lease holder: the claim is taken again by the new one, with the new TTL', async () => {
    const config = () => vscode.workspace.getConfiguration('hubkeeper');
    const ttl = (lock: { heartbeat_at: string; expires_at: string }) =>
      Math.round((Date.parse(lock.expires_at) - Date.parse(lock.heartbeat_at)) / 1000);
    const before = { claims: api.claims(), instance: readRegistry().entries.claimed_arm?.lock?.holder_instance };
    await config().update('leaseTtlSeconds', 8, vscode.ConfigurationTarget.Workspace);
    try {
      const lock = await waitFor('the claim with an 8 s lease', () => {
        const l = readRegistry().entries.claimed_arm?.lock;
        return l && ttl(l) === 8 && l.holder_instance !== before.instance ? l : undefined;
      });
      // The new holder's write lands on disk a moment before the new claims hear it is held.
      await waitFor(
        'the new claims hold it',
        () => api.claims() !== before.claims && api.claims().statuses.get('claimed_arm')?.state === 'held',
      );
      assert(
        api.model.registry.holder === api.model.leases.holder && api.model.leases.holder.ttlMs === 8000,
        'the registry writes with the new holder',
      );
      return { holderInstance: lock.holder_instance };
    } finally {
      await config().update('leaseTtlSeconds', 6, vscode.ConfigurationTarget.Workspace);
      await waitFor('the 6 s lease again', () => {
        const l = readRegistry().entries.claimed_arm?.lock;
        return l && ttl(l) === 6 && api.claims().statuses.get('claimed_arm')?.state === 'held';
      });
    }
  });

  await t.test('dropping a claim releases its lease on disk', async () => {
    await vscode.workspace.getConfiguration('hubkeeper').update('claims', [], vscode.ConfigurationTarget.Workspace);
    await waitFor('the lease release', () => readRegistry().entries.claimed_arm.lock === null);
  });

  await claimFollowerTests(t, api, readRegistry);
  await fleetViewTests(t, api);
  await labConnectionTests(t, api, { workspace, cli });

  await vscode.commands.executeCommand('workbench.view.extension.hubkeeper');
  await sleep(500);
  await t.finish();
}
