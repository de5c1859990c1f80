#!/usr/bin/env node
// `npm run test:host`: the extension's integration tests inside a real VS Code (code-server
// 4.100.3 = VS Code 1.100.3, driven by headless Chromium). Installs the editor into
// .vscode-test/ once (cached), builds a fixture workspace in a temp dir (a MADSci-format registry
// and the workspace's settings), then runs test/host/suite inside the extension host.
// Where VS Code can be downloaded, the same suite runs with @vscode/test-electron:
// `node test/host/run-electron.mjs`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cache = path.join(root, '.vscode-test', 'code-server-4.100.3');
const results = path.join(root, 'test-results');
const t0 = Date.now();
const say = (m) => console.log(`[test:host +${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);

say('installing code-server if not cached');
const install = spawnSync('bash', [path.join(root, 'test/host/install-code-server.sh'), cache], { stdio: 'inherit' });
if (install.status !== 0) process.exit(install.status ?? 1);

const { workspace, registry } = await import(path.join(root, 'out/test/host/fixture.js')).then((m) => m.createHostFixture());
fs.mkdirSync(results, { recursive: true });
say(`fixture workspace ${workspace}`);
const run = spawnSync(
  process.execPath,
  [
    path.join(root, 'test/host/run-host-tests.mjs'),
    cache,
    root,
    path.join(root, 'out/test/host/suite/index.js'),
    workspace,
    path.join(results, 'host-results.json'),
    path.join(results, 'host-workbench.png'),
    '--timeout=240',
  ],
  { stdio: 'inherit', env: { ...process.env, HUBKEEPER_TEST_WORKSPACE: workspace, HUBKEEPER_TEST_REGISTRY: registry, HUBKEEPER_TEST_FIXTURES: path.join(root, 'out/test/fixtures') } },
);
fs.rmSync(path.dirname(workspace), { recursive: true, force: true });
process.exit(run.status ?? 1);
