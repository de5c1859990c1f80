import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ChildProcess } from 'node:child_process';
import { exited, FIXTURES, spawnNode, waitFor, waitForLine } from '../support/helpers';
import { SKIP_NO_REDIS, startRedis } from '../support/redis';
import { labTokenFile, Replica, startReplica, untilHealth } from '../support/lab';
import { makeStation, startAgent, Station, stationView } from '../support/fleet';
import { listProcesses } from '../../src/core/processes/process-table';

/**
 * One station agent per machine and user, whatever number of windows: real processes (the
 * window's AgentSeat, the real `hubkeeper agent`) sharing one HUBKEEPER_HOME, against a real
 * lab. The lab's view of the station (its agent's pid) is what says which one runs.
 */

describe("the windows' station agent seat", { skip: SKIP_NO_REDIS }, () => {
  let r1: Replica;
  let labToken: string;
  let st: Station;
  const windows: ChildProcess[] = [];
  const openWindow = (on: Station = st, env: NodeJS.ProcessEnv = {}) => {
    const child = spawnNode(path.join(FIXTURES, 'agent-seat-window.js'), [r1.url, on.tokenFile, on.name, on.registry], {
      env: { ...process.env, ...on.env, ...env },
    });
    windows.push(child);
    let out = '';
    child.stdout?.on('data', (c) => (out += c));
    return { child, out: () => out };
  };

  before(async () => {
    const redis = await startRedis();
    let tokenFile: string;
    ({ file: tokenFile, token: labToken } = labTokenFile());
    r1 = await startReplica({ redisUrl: redis.url, tokenFile });
    await untilHealth(r1.url, 200);
    st = await makeStation(r1.url, labToken, 'seat-station');
  });
  after(async () => {
    for (const w of windows) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  });

  test('two windows: one runs the agent, the other reads; the holder killed (-9), the other takes over', async () => {
    const first = openWindow();
    await waitForLine(first.child, /^incarnation /);
    const second = openWindow();
    await waitForLine(second.child, /^role reader/);
    const running = await waitFor(async () => (await stationView(r1.url, labToken, st.name))?.agent_pid, 'the agent in the lab');
    assert.equal(running, first.child.pid, "the first window's agent is the station's");
    assert.ok(!/role agent/.test(second.out()), 'the second window started no agent');

    first.child.kill('SIGKILL');
    await exited(first.child);
    await waitForLine(second.child, /^incarnation /);
    await waitFor(
      async () => (await stationView(r1.url, labToken, st.name))?.agent_pid === second.child.pid,
      "the second window's agent in the lab",
    );

    // A window closing cleanly hands over too; `hubkeeper agent` started now finds the seat taken.
    second.child.kill('SIGTERM');
    await exited(second.child);
    const third = openWindow();
    await waitForLine(third.child, /^incarnation /);
    const cli = await startAgent(st, [r1.url]);
    assert.match(cli.stderr(), /agent\.lock: held by a window \(pid \d+/);
    await cli.stop('SIGKILL');
  });

  test('the window whose lock is lost (its flock helper killed) stops its agent, then takes the free seat again', async () => {
    const lost = await makeStation(r1.url, labToken, 'seat-lost');
    const w = openWindow(lost);
    const first = (await waitForLine(w.child, /^incarnation /)).split(' ')[1];
    // The lock helper is this window's own perl child (flock-agent.ts): killed, the kernel drops the flock.
    const helper = await waitFor(
      () => listProcesses().find((p) => p.ppid === w.child.pid && p.argv[0]?.endsWith('perl')),
      "the window's flock helper",
    );
    process.kill(helper!.pid, 'SIGKILL');
    await waitFor(() => /lost the lock/.test(w.out()) && /role reader/.test(w.out()), 'the seat to notice and stop its agent');
    await waitFor(
      async () => (await stationView(r1.url, labToken, 'seat-lost'))?.incarnation !== first,
      'a new agent once it holds the lock again',
    );
    assert.match(w.out(), /role reader\nrole agent|role reader[\s\S]*role agent/);
  });

  test('where no flock tool exists (no perl, no flock(1) on PATH) the lock is not counted: the window only reads, said once', async () => {
    const bare = await makeStation(r1.url, labToken, 'seat-bare');
    const w = openWindow(bare, { PATH: '/nonexistent' });
    const role = await waitForLine(w.child, /^role (reader|agent)/);
    assert.equal(role.trim(), 'role reader', w.out());
    await waitFor(() => (w.out().match(/no flock tool/g) ?? []).length >= 1, 'the reason logged');
    assert.ok(!/incarnation /.test(w.out()), 'no agent started');
    assert.equal((w.out().match(/no flock tool/g) ?? []).length, 1, 'logged once');
  });
});
