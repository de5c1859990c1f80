import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MADSCI_EXAMPLE } from '../support/samples';

/**
 * The workspace the host tests open: a lab folder with a MADSci-format registry (the formats.md
 * example plus a few entries) and workspace settings that claim one component with a short TTL,
 * so heartbeats are observable within the test's time.
 *
 * `hostile`: the same folder as a repository someone else wrote, for the untrusted run: its
 * settings also point hubkeeper.registryPath at `dotfiles/.bash_aliases` beside it (which must
 * never be created), and the folder is opened untrusted.
 */
export function createHostFixture({ hostile = false } = {}): { workspace: string; registry: string; bait: string } {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'hubkeeper-host-'));
  const workspace = path.join(base, hostile ? 'cloned-repo' : 'robot-cell');
  const registry = path.join(workspace, '.madsci', 'registry.json');
  const bait = path.join(base, 'dotfiles', '.bash_aliases');
  fs.mkdirSync(path.dirname(bait));
  fs.mkdirSync(path.dirname(registry), { recursive: true });
  fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  fs.writeFileSync(registry, MADSCI_EXAMPLE);
  fs.writeFileSync(
    path.join(workspace, '.vscode', 'settings.json'),
    JSON.stringify(
      {
        'hubkeeper.claims': [{ name: 'claimed_arm', type: 'node', metadata: { module_name: 'pf400' } }],
        'hubkeeper.leaseTtlSeconds': 6,
        'hubkeeper.heartbeatIntervalSeconds': 1,
        'hubkeeper.probeIntervalSeconds': 2,
        'hubkeeper.reapGraceSeconds': 1,
        ...(hostile ? { 'hubkeeper.registryPath': bait } : {}),
      },
      null,
      2,
    ),
  );
  return { workspace, registry, bait };
}
