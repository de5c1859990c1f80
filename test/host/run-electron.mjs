#!/usr/bin/env node
// The same host suite with @vscode/test-electron, for machines that can download VS Code (these
// CI machines cannot: `npm test` uses test/host/run.mjs with code-server instead).
// usage: npm run build && npm run compile-tests && node test/host/run-electron.mjs
import path from 'node:path';
import fs from 'node:fs';
import { runTests } from '@vscode/test-electron';
import { ROOT } from '../../scripts/code-server.mjs';

const { createHostFixture } = await import(path.join(ROOT, 'out/test/host/fixture.js'));
const { workspace, registry } = createHostFixture();
try {
  await runTests({
    version: '1.100.3',
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: path.join(ROOT, 'out/test/host/suite/index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: {
      HUBKEEPER_TEST_WORKSPACE: workspace,
      HUBKEEPER_TEST_REGISTRY: registry,
      HUBKEEPER_TEST_FIXTURES: path.join(ROOT, 'out/test/fixtures'),
    },
  });
} catch (err) {
  console.error(`host tests failed: ${err}`);
  process.exitCode = 1;
} finally {
  fs.rmSync(path.dirname(workspace), { recursive: true, force: true });
}
