import * as os from 'node:os';
import * as vscode from 'vscode';
import { LocalJournal } from '../../../src/core/journal/journal-file';
import type { HubkeeperApi } from '../../../src/extension/extension';
import { assert, MiniRunner, waitFor } from './mini-runner';

/**
 * What follows the main suite's claim (claimed_arm, taken and dropped by the tests before): the
 * window's lease journal has its bar, and the Get Started walkthrough's keys follow it. Runs after
 * "dropping a claim releases its lease on disk".
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function claimFollowerTests(t: MiniRunner, api: HubkeeperApi, readRegistry: () => any): Promise<void> {
  await t.test("the window's lease journal has the claim's bar: acquired and released by this window's holder", async () => {
    const journal = new LocalJournal({ env: { env: process.env, home: os.homedir() } });
    const mine = async () =>
      (await journal.events({ sinceMs: 0, untilMs: Number.MAX_SAFE_INTEGER })).filter(
        (e) => e.subject.name === 'claimed_arm' && e.holder?.pid === process.pid,
      );
    const kinds = await waitFor('acquired and released in the journal', async () => {
      const k = (await mine()).map((e) => e.kind);
      return k.includes('acquired') && k[k.length - 1] === 'released' ? k : undefined;
    });
    return { file: journal.file, kinds: kinds.join(',') };
  });
  // The Get Started walkthrough's steps complete on these keys (package.json onContext:…).
  await t.test(
    'the walkthrough context keys follow the state: registry found; a claim held, dropped, claimed again by the command',
    async () => {
      const config = () => vscode.workspace.getConfiguration('hubkeeper');
      assert(api.walkthrough.value('registryFound') === true, 'the fixture registry is found');
      await waitFor('claimHeld false after the claim was dropped', () => api.walkthrough.value('claimHeld') === false);
      // Claim Component for This Workspace…, scripted: a bad claim is refused, a good one lands in the workspace's setting.
      const claim = (c: unknown) => vscode.commands.executeCommand('hubkeeper.components.claim', undefined, undefined, { claim: c });
      await claim({ name: '', type: 'node' });
      assert(JSON.stringify(config().inspect('claims')?.workspaceValue) === '[]', 'an empty name is not claimed');
      await claim({ name: 'claimed_arm', type: 'node' });
      const written = JSON.stringify(config().inspect('claims')?.workspaceValue);
      assert(written === '[{"name":"claimed_arm","type":"node"}]', `the workspace's hubkeeper.claims: ${written}`);
      await waitFor('claimHeld true with the claim taken again', () => api.walkthrough.value('claimHeld') === true);
      assert(readRegistry().entries.claimed_arm.lock?.holder_pid === process.pid, 'and the registry says this window holds it');
      await config().update('claims', [], vscode.ConfigurationTarget.Workspace);
      await waitFor('claimHeld false with the claim dropped again', () => api.walkthrough.value('claimHeld') === false);
    },
  );
}
