import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ChildProcess } from 'node:child_process';
import { exited, FIXTURES, spawnNode, waitFor, waitForLine } from '../support/helpers';
import { SKIP_NO_REDIS, startRedis } from '../support/redis';
import { labTokenFile, Replica, startReplica, untilHealth } from '../support/lab';
import { makeStation, startAgent, Station, stationView } from '../support/fleet';

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
  const openWindow = () => {
    const child = spawnNode(path.join(FIXTURES, 'agent-seat-window.js'), [r1.url, st.tokenFile, st.name, st.registry], {
      env: { ...process.env, ...st.env },
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
});
