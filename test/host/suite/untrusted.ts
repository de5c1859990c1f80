import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HubkeeperApi } from '../../../src/extension/extension';
import { workspaceId } from '../../../src/core/hubs/workspace-id';
import { untrustedRefusal, writeCommandTitles } from '../../../src/extension/command-titles';
import { assert, MiniRunner, waitFor } from './mini-runner';

/**
 * Hubkeeper in a folder that is NOT trusted (Workspace Trust on, the folder never trusted): the
 * fixture is a repository someone else wrote (test/host/fixture.ts, hostile), with its own
 * .madsci/registry.json, a claim and a registryPath aimed at a shell start-up file. Read-only
 * first; then the harness trusts the folder through the real Workspace Trust editor and the
 * extension must become the normal one without a reload.
 */

const workspace = process.env.HUBKEEPER_TEST_WORKSPACE as string;
const repoRegistry = process.env.HUBKEEPER_TEST_REGISTRY as string;
const bait = process.env.HUBKEEPER_TEST_BAIT as string;
const phaseFile = process.env.HUBKEEPER_TEST_PHASE as string;
const homeRegistry = path.join(os.homedir(), '.madsci', 'registry.json');
const hubLock = path.join(workspace, '.hubkeeper', 'hub.lock');
const hubEntry = path.join(os.homedir(), '.hubkeeper', 'workspaces', `${workspaceId(workspace)}.json`);
const journalFile = path.join(os.homedir(), '.hubkeeper', 'journal', 'leases.jsonl');
const HOME_REGISTRY = JSON.stringify(
  {
    version: 1,
    created_at: '2026-03-05T14:00:00Z',
    updated_at: '2026-03-05T14:00:00Z',
    entries: {
      home_probe: {
        id: '01JNQ8Z6T9K3M2V7X4C5B8D0HP',
        component_type: 'node',
        created_at: '2026-03-05T14:00:00Z',
        last_seen: '2026-03-05T14:00:00Z',
        metadata: {},
        lock: null,
        workcell_id: null,
      },
    },
  },
  null,
  2,
);

export async function run(): Promise<void> {
  const t = new MiniRunner();
  let api!: HubkeeperApi;
  const repoBytes = fs.readFileSync(repoRegistry, 'utf8');
  const baitDir = path.dirname(bait);

  await t.test('activates in Restricted Mode (vscode.workspace.isTrusted is false)', async () => {
    assert(!vscode.workspace.isTrusted, 'the folder must open untrusted');
    const ext = vscode.extensions.getExtension<HubkeeperApi>('hubkeeper.hubkeeper');
    assert(ext, 'extension hubkeeper.hubkeeper is not installed');
    api = await waitFor('activation', async () => (ext.isActive ? ext.exports : undefined));
    await api.ready;
  });

  await t.test('no hub: no .hubkeeper/hub.lock, no hub entry, nothing held', async () => {
    await api.model.refreshHubs();
    assert(!fs.existsSync(path.join(workspace, '.hubkeeper')), `${path.join(workspace, '.hubkeeper')} exists`);
    assert(!fs.existsSync(hubEntry), `${hubEntry} exists`);
    assert(!fs.existsSync(journalFile), `${journalFile} exists: an untrusted window journals nothing`);
    assert(api.windowHubs.folders.size === 0, `window hubs: ${[...api.windowHubs.folders.values()].map((f) => f.state)}`);
    assert(api.statusBar.text.startsWith('$(shield)'), `status bar ${api.statusBar.text}`);
  });

  await t.test("the repository's own .madsci/registry.json is not used; the user's ~/.madsci/registry.json is", async () => {
    assert(
      api.model.discovered.source === 'home' && api.model.registry.path === homeRegistry,
      `registry ${api.model.registry.path} (${api.model.discovered.reason})`,
    );
    await vscode.commands.executeCommand('workbench.view.extension.hubkeeper');
    // Written after start-up: the watcher waits in $HOME for .madsci to appear.
    fs.mkdirSync(path.dirname(homeRegistry), { recursive: true });
    fs.writeFileSync(homeRegistry, HOME_REGISTRY);
    const names = await waitFor('the home registry in the view', () => {
      const n = api.components.components().map((c) => c.name);
      return n.includes('home_probe') ? n : undefined;
    });
    assert(!names.includes('liquidhandler_1'), `the repository's entries are shown: ${names}`);
  });

  await t.test('the claim in .vscode/settings.json is not taken, and registryPath is not followed', async () => {
    assert(api.claims().statuses.size === 0, `claims: ${[...api.claims().statuses.keys()]}`);
    assert(fs.readFileSync(repoRegistry, 'utf8') === repoBytes, 'the repository registry was written');
    assert(fs.readFileSync(homeRegistry, 'utf8') === HOME_REGISTRY, 'the home registry was written');
    assert(fs.readdirSync(baitDir).length === 0, `${baitDir} has ${fs.readdirSync(baitDir)}`);
  });

  await t.test('every write command refuses with one line and changes nothing', async () => {
    const exported = path.join(path.dirname(workspace), 'import-source.json');
    fs.writeFileSync(exported, HOME_REGISTRY);
    const said: Record<string, unknown> = {};
    for (const [id, title] of Object.entries(writeCommandTitles(vscode.l10n.t))) {
      said[id] = await vscode.commands.executeCommand(id, undefined, undefined, {
        yes: true,
        newName: 'renamed',
        olderThanDays: 0,
        file: exported,
        mode: 'replace',
      });
      assert(said[id] === untrustedRefusal(title, vscode.l10n.t), `${id} answered ${JSON.stringify(said[id])}`);
    }
    fs.rmSync(exported);
    assert(fs.readFileSync(homeRegistry, 'utf8') === HOME_REGISTRY, 'the home registry was written');
    assert(fs.readFileSync(repoRegistry, 'utf8') === repoBytes, 'the repository registry was written');
    assert(!fs.existsSync(hubLock), 'a hub started');
    return { example: said['hubkeeper.hubs.reap'] };
  });

  await t.test('the views say why they are read-only and how to trust', async () => {
    for (const [name, view] of Object.entries(api.views)) {
      assert(/not trusted/.test(view.message ?? '') && /Manage Workspace Trust/.test(view.message ?? ''), `${name}: ${view.message}`);
    }
    return { message: api.views.hubs.message };
  });

  // The harness now checks the command palette and trusts the folder in the Workspace Trust editor.
  fs.writeFileSync(phaseFile, 'untrusted checks done');

  await t.test('trusting the folder starts the hub and takes the claim, without a reload', async () => {
    await waitFor('the workspace to be trusted', () => vscode.workspace.isTrusted, 90_000);
    await waitFor('the hub lock', () => fs.existsSync(hubLock));
    await waitFor('the hub entry', () => fs.existsSync(hubEntry));
    await waitFor('the lease journal, once trusted', () => fs.existsSync(journalFile));
    assert(
      api.model.discovered.source === 'walk-up' && api.model.registry.path === repoRegistry,
      `registry now ${api.model.registry.path}`,
    );
    const lock = await waitFor(
      'the claim in the repository registry',
      () => JSON.parse(fs.readFileSync(repoRegistry, 'utf8')).entries.claimed_arm?.lock,
    );
    assert(lock.holder_pid === process.pid, `holder_pid ${lock.holder_pid}`);
    assert(api.views.hubs.message === undefined && api.views.locks.message === undefined, `messages: ${api.views.hubs.message}`);
    assert(await waitFor('the status bar', () => api.statusBar.text.startsWith('$(broadcast)')), api.statusBar.text);
  });

  await t.test(
    'once trusted, the repository registryPath aimed at a shell start-up file is ignored: nothing created beside it',
    async () => {
      assert(!fs.existsSync(bait), `${bait} was created`);
      assert(fs.readdirSync(baitDir).length === 0, `beside it now: ${fs.readdirSync(baitDir)}`);
      const message = api.views.components.message ?? '';
      assert(message.includes('hubkeeper.registryPath') && message.includes('is ignored'), `components message: ${message}`);
      return { message };
    },
  );

  await t.finish();
}
