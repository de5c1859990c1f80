import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseRedisUrl, reconnectDelay } from '../../src/core/lab/redis-connection';
import { labNameProblem, pathSegments } from '../../src/core/lab/lab-request';
import { LabKeys } from '../../src/core/lab/lab-keys';
import { hostName } from '../../src/core/processes/host-name';
import { runCli, tempDir } from '../support/helpers';

/** The lab's pure parts (URLs, paths, keys) and its CLI's usage errors; no Redis needed. */

describe('lab: Redis URLs', () => {
  test('host, port, db, user and password; TLS with rediss://', () => {
    assert.deepEqual(parseRedisUrl('redis://:s%40cret@10.0.0.5:6380/2'), {
      host: '10.0.0.5',
      port: 6380,
      tls: false,
      database: 2,
      username: undefined,
      password: 's@cret',
      display: 'redis://:***@10.0.0.5:6380/2',
    });
    assert.deepEqual(parseRedisUrl('rediss://lab:pw@redis.lab.example'), {
      host: 'redis.lab.example',
      port: 6379,
      tls: true,
      database: 0,
      username: 'lab',
      password: 'pw',
      display: 'rediss://lab:***@redis.lab.example',
    });
    assert.equal(parseRedisUrl('redis://[::1]:7000').host, '::1');
    assert.equal(parseRedisUrl('redis://127.0.0.1:6379', { HUBKEEPER_REDIS_PASSWORD: 'from-env' }).password, 'from-env');
    assert.equal(parseRedisUrl('redis://127.0.0.1:6379').password, undefined);
  });

  test('anything else is refused in one line that never shows the password', () => {
    for (const [url, why] of [
      ['http://:pw@h:1', /scheme must be redis/],
      ['redis://:pw@h:1/x', /database number/],
      ['redis://:pw@h:1/0?tls=1', /query strings/],
      ['redis//:pw@h:1', /not a URL/],
    ] as const) {
      assert.throws(
        () => parseRedisUrl(url),
        (err: Error) => why.test(err.message) && !err.message.includes(':pw@') && !err.message.includes('\n'),
        url,
      );
    }
  });

  test('reconnect backoff grows and is capped at 2 s', () => {
    for (let r = 0; r < 50; r++) assert.ok(reconnectDelay(r) <= 2000 && reconnectDelay(r) >= 25);
    assert.ok(reconnectDelay(30) >= 1000);
  });
});

describe('lab: paths, names and keys', () => {
  test('segments are percent-decoded one by one; dot segments and doubled slashes are refused', () => {
    assert.deepEqual(pathSegments('/registry/resolve/liquidhandler_1'), ['registry', 'resolve', 'liquidhandler_1']);
    assert.deepEqual(pathSegments('/registry/resolve/%C2%B5L%20pipette?x=1'), ['registry', 'resolve', 'µL pipette']);
    assert.deepEqual(pathSegments('/registry/resolve/a%2Fb'), ['registry', 'resolve', 'a/b']);
    for (const bad of ['registry', '/a/../b', '/a/./b', '//a', '/a//b', '/a b', '/a\\b', '/bad%zz', '/é'])
      assert.throws(() => pathSegments(bad), bad);
  });

  test('names: one segment, 1-256 characters, no control characters', () => {
    assert.equal(labNameProblem('x'.repeat(256)), undefined);
    assert.match(labNameProblem('x'.repeat(257)) ?? '', /at most 256/);
    assert.match(labNameProblem('a/b') ?? '', /one path segment/);
    assert.match(labNameProblem('') ?? '', /empty/);
    assert.match(labNameProblem('a\u202eb') ?? '', /control characters/);
  });

  test('every key of a fleet carries the fleet as a cluster hash tag, whatever the name', () => {
    const k = new LabKeys('cell-7');
    for (const key of [k.entry('a{b}c'), k.meta('x'), k.conflicts('x'), k.names, k.fences, k.tokens, k.station('pc'), k.replicas]) {
      assert.ok(key.startsWith('hk:{cell-7}:'), key);
    }
    assert.throws(() => new LabKeys('a}b'), /fleet/);
  });

  test('HUBKEEPER_HOSTNAME names the machine when set', () => {
    assert.equal(hostName({ HUBKEEPER_HOSTNAME: 'lab-pc-07' }), 'lab-pc-07');
    assert.ok(hostName({}).length > 0);
  });
});

describe('lab CLI: usage and connection errors', () => {
  test('exit 2 for usage, 1 with one line naming the URL when the lab is not there', async () => {
    const home = tempDir('hubkeeper-lab-cli-');
    const env = { HOME: home, HUBKEEPER_HOME: home, HUBKEEPER_LAB_URL: '' };
    const noRedis = await runCli(['lab', 'serve', '--listen', '127.0.0.1:0'], { env });
    assert.equal(noRedis.code, 2);
    assert.match(noRedis.stderr, /--redis URL is required/);
    const badListen = await runCli(['lab', 'serve', '--redis', 'redis://:p@127.0.0.1:1', '--listen', 'nowhere'], { env });
    assert.equal(badListen.code, 2);
    const noLab = await runCli(['lab', 'entries'], { env });
    assert.equal(noLab.code, 2);
    assert.match(noLab.stderr, /--lab URL is required/);
    const noToken = await runCli(['lab', 'entries', '--lab', 'http://127.0.0.1:1'], { env });
    assert.equal(noToken.code, 1);
    assert.equal(noToken.stderr.trim(), `hubkeeper: ${home}/lab.token: does not exist; cannot read the lab token from it`);
    assert.equal(
      (await runCli(['lab', 'serve', '--redis', 'redis://:p@127.0.0.1:1', '--listen', '127.0.0.1:0', '--fleet', 'bad{name}'], { env }))
        .code,
      2,
    );
    const group = await runCli(['lab', 'token'], { env });
    assert.equal(group.code, 2);
    assert.match(group.stdout, /lab token create STATION/);
    assert.doesNotMatch(group.stdout, /lab serve/);
  });
});
