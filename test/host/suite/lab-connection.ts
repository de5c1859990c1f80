import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import * as vscode from 'vscode';
import type { HubkeeperApi } from '../../../src/extension/extension';
import { freePort, get } from './host-http';
import { assert, MiniRunner, sleep, waitFor } from './mini-runner';

/**
 * The window's lab connection in the real editor: a lab URL where nothing listens (one log line,
 * no error, the local views unaffected), and Connect to Lab… against a real lab on a private
 * redis-server (the token goes to SecretStorage, never into settings), which is then killed and
 * started again: the connection and the Fleet view's message go reconnecting, then connected. The feed's reconnects
 * against killed replicas and a restarted Redis: test/lab/fleet-feed.test.ts.
 */
export async function labConnectionTests(t: MiniRunner, api: HubkeeperApi, env: { workspace: string; cli: string }): Promise<void> {
  const { workspace, cli } = env;
  await t.test('a lab URL where nothing listens: one log line, reconnecting, the local views unaffected, no error', async () => {
    const port = await freePort();
    const tokenFile = path.join(path.dirname(workspace), 'lab-host-test.token');
    fs.writeFileSync(tokenFile, `${'a1'.repeat(32)}\n`, { mode: 0o600 });
    const config = () => vscode.workspace.getConfiguration('hubkeeper');
    const lab = api.windowLab;
    const logged = lab.recentLog.length;
    const entriesBefore = api.model.state.components.entries.length;
    await config().update('lab.tokenFile', tokenFile, vscode.ConfigurationTarget.Global);
    await config().update('lab.url', `http://127.0.0.1:${port}`, vscode.ConfigurationTarget.Global);
    try {
      const c = await waitFor('reconnecting', () => (lab.connection.kind === 'reconnecting' ? lab.connection : undefined));
      await sleep(4000); // several backoff periods: spam would show here
      const lines = lab.recentLog.slice(logged);
      const feedLines = lines.filter((l) => l.line.startsWith(`lab http://127.0.0.1:${port}:`));
      assert(feedLines.length === 1, `the feed logged ${feedLines.length} lines: ${JSON.stringify(lines)}`);
      assert(!lines.some((l) => l.level === 'error'), `no error: ${JSON.stringify(lines)}`);
      assert(lab.connection.kind === 'reconnecting', `still reconnecting: ${JSON.stringify(lab.connection)}`);
      await vscode.commands.executeCommand('hubkeeper.refresh');
      assert(api.model.state.components.entries.length === entriesBefore, 'the local registry is read as before');
      assert(api.windowHubs.folders.size > 0 && [...api.windowHubs.folders.values()].every((f) => f.state === 'holding'), 'the hub runs');
      return { reason: c.reason, lines: lines.map((l) => l.line) };
    } finally {
      await config().update('lab.url', undefined, vscode.ConfigurationTarget.Global);
      await config().update('lab.tokenFile', undefined, vscode.ConfigurationTarget.Global);
      await waitFor('not configured', () => lab.connection.kind === 'not-configured');
    }
  });

  await t.test(
    'Connect to Lab: a wrong token is refused in one line; the right one goes to SecretStorage, the URL to user settings',
    async () => {
      const port = await freePort();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hubkeeper-host-lab-'));
      const password = 'p'.repeat(32);
      const token = 'b2'.repeat(32);
      const tokenFile = path.join(dir, 'lab.token');
      fs.writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
      const redis = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--requirepass', password],
        {
          stdio: 'ignore',
        },
      );
      // A fixed port, so the lab can be killed and started again where the window knows it.
      const labPort = await freePort();
      const url = `http://127.0.0.1:${labPort}`;
      const serve = () =>
        spawn(
          process.execPath,
          [
            cli,
            'lab',
            'serve',
            '--redis',
            `redis://:${password}@127.0.0.1:${port}`,
            '--listen',
            `127.0.0.1:${labPort}`,
            '--token-file',
            tokenFile,
          ],
          { stdio: 'ignore' },
        );
      let server = serve();
      const config = () => vscode.workspace.getConfiguration('hubkeeper');
      try {
        await waitFor('the lab answers', async () => (await get(`${url}/health`)) === 200);
        const wrong = (await vscode.commands.executeCommand('hubkeeper.lab.connect', undefined, undefined, {
          url,
          token: 'c3'.repeat(32),
        })) as string;
        assert(/refused the token \(HTTP 401/.test(wrong) && !wrong.includes('\n'), `one line: ${wrong}`);
        assert(!config().inspect('lab.url')?.globalValue, 'a refused connection keeps nothing');
        const done = (await vscode.commands.executeCommand('hubkeeper.lab.connect', undefined, undefined, { url, token })) as string;
        assert(/^Connected to the lab at /.test(done), done);
        assert(config().inspect('lab.url')?.globalValue === new URL(url).origin, 'the URL is in the user settings');
        const every = JSON.stringify(['url', 'tokenFile', 'station', 'allowRemote'].map((k) => config().inspect(`lab.${k}`)));
        assert(!every.includes(token), 'the token is in no setting');
        await waitFor('connected', () => api.windowLab.connection.kind === 'connected');
        await waitFor('the fleet snapshot', () => api.windowLab.feed?.snapshot);
        assert(api.windowLab.client() !== undefined, 'a client for remote actions');
        // Reconnect: the lab goes away (kill -9) and comes back on the same address.
        server.kill('SIGKILL');
        const away = await waitFor('reconnecting', () =>
          api.windowLab.connection.kind === 'reconnecting' ? api.windowLab.connection : undefined,
        );
        await waitFor(`the Fleet view says so`, () => /^Reconnecting to /.test(api.views.fleet.message ?? '') || undefined).catch((err) => {
          throw new Error(
            `${err.message}: the message is ${JSON.stringify(api.views.fleet.message)}, the provider's ${JSON.stringify(api.fleet.message)}, connection ${JSON.stringify(api.windowLab.connection)}`,
          );
        });
        server = serve();
        await waitFor('connected again', () => api.windowLab.connection.kind === 'connected');
        await waitFor('the Fleet view says connected', () => /^Connected to /.test(api.views.fleet.message ?? '') || undefined);
        const off = (await vscode.commands.executeCommand('hubkeeper.lab.disconnect')) as string;
        assert(/token for .* was removed/.test(off), off);
        await waitFor('no token now', () => api.windowLab.connection.kind === 'refused');
        return { connected: done, refused: wrong, whileAway: away.reason, disconnected: off };
      } finally {
        await config().update('lab.url', undefined, vscode.ConfigurationTarget.Global);
        await waitFor('not configured', () => api.windowLab.connection.kind === 'not-configured');
        server.kill('SIGKILL');
        redis.kill('SIGKILL');
      }
    },
  );
}
