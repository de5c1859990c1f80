import { before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli, waitFor } from '../support/helpers';
import { freePort, SKIP_NO_REDIS, startRedis, TestRedis } from '../support/redis';
import { healthOf, lab, labDir, labTokenFile, Replica, startReplica, untilHealth } from '../support/lab';
import { raw, request } from '../support/raw-http';

/**
 * Who may do what on a lab replica (a real one, on a real redis-server), and the hub endpoint's
 * request hygiene applied to it: Host/Origin, body cap, timeouts, strict paths. Also how
 * `lab serve` refuses to start: a Redis without a password, a token file others can read.
 */

const ID = '01ARZ3NDEKTSV4RRFFQ69G5FB0';

describe('lab registry: tokens and stations', { skip: SKIP_NO_REDIS }, () => {
  let redis: TestRedis;
  let r: Replica;
  let labToken: string;
  let tokenFile: string;
  let pcA: string;
  let pcB: string;
  const cli = (...args: string[]) => runCli(['lab', ...args, '--lab', r.url, '--token-file', tokenFile]);

  before(async () => {
    redis = await startRedis();
    ({ file: tokenFile, token: labToken } = labTokenFile());
    r = await startReplica({ redisUrl: redis.url, tokenFile });
    await untilHealth(r.url, 200);
    pcA = (await cli('token', 'create', 'pc-a')).stdout.trim();
    pcB = (await cli('token', 'create', 'pc-b')).stdout.trim();
    assert.match(pcA, /^hks_[0-9a-f]{64}$/);
  });

  test('no token, a wrong token, and a malformed header are refused with 401 on every registry route', async () => {
    const routes: [string, string, unknown?][] = [
      ['GET', '/registry/resolve/x'],
      ['GET', '/registry/entries'],
      ['POST', '/registry/entries/x', { id: ID, component_type: 'node' }],
      ['POST', '/registry/entries/x/lock', { holder_host: 'pc-a', holder_pid: 1, holder_instance: 'i' }],
      ['POST', '/registry/entries/x/unlock', { holder_instance: 'i' }],
      ['PUT', '/fleet/stations/pc-a/state', { state: {} }],
      ['GET', '/lab/status'],
      ['POST', '/lab/stations/pc-a/tokens'],
    ];
    for (const [method, route, body] of routes) {
      for (const [label, headers] of [
        ['none', {}],
        ['wrong', { Authorization: `Bearer ${'0'.repeat(64)}` }],
        ['lab token + 1', { Authorization: `Bearer ${labToken}0` }],
        ['Basic', { Authorization: `Basic ${labToken}` }],
      ] as const) {
        const res = await lab(r.url, method, route, undefined, body, headers);
        assert.equal(res.status, 401, `${label} ${method} ${route}`);
        assert.ok(!JSON.stringify(res.body).includes(labToken.slice(0, 16)), 'never echoes a token');
      }
    }
    assert.equal((await lab(r.url, 'GET', '/registry/resolve/x')).status, 401);
    assert.equal((await lab(r.url, 'GET', '/health')).status, 200, '/health needs no token');
    assert.equal(
      (await lab(r.url, 'POST', '/registry/entries/x', labToken, { id: ID, component_type: 'node' })).status,
      200,
      'nothing was written by the refused requests',
    );
  });

  test('a station token writes only its own data; the lab token may write anything', async () => {
    // Its own lock and state: fine.
    const own = await lab(r.url, 'POST', '/registry/entries/x/lock', pcA, { holder_host: 'pc-a', holder_pid: 5, holder_instance: 'a-1' });
    assert.equal(own.status, 200);
    assert.equal((await lab(r.url, 'PUT', '/fleet/stations/pc-a/state', pcA, { state: { leases: 3, v: 1.5 } })).status, 200);
    const state = await lab(r.url, 'GET', '/fleet/stations/pc-a/state', pcB);
    assert.deepEqual(state.body.state, { leases: 3, v: 1.5 }, 'any token may read');

    // Someone else's: refused with 403, and nothing changes.
    const refusals: [string, string, string, unknown][] = [
      ['state of another station', 'PUT', '/fleet/stations/pc-a/state', { state: { forged: true } }],
      ['lock in another host name', 'POST', '/registry/entries/x/lock', { holder_host: 'pc-a', holder_pid: 5, holder_instance: 'a-1' }],
      [
        'register with a lock in another host name',
        'POST',
        '/registry/entries/y',
        { id: ID, component_type: 'node', acquire_lock: true, lock_holder_host: 'pc-a', lock_holder_pid: 1, lock_holder_instance: 'b' },
      ],
      ["release of another station's lock", 'POST', '/registry/entries/x/unlock', { holder_instance: 'a-1' }],
      ['create a token', 'POST', '/lab/stations/pc-b/tokens', undefined],
      ['revoke a token', 'DELETE', '/lab/stations/pc-a/tokens', undefined],
    ];
    for (const [label, method, route, body] of refusals) {
      const res = await lab(r.url, method, route, pcB, body);
      assert.equal(res.status, 403, `${label}: ${JSON.stringify(res.body)}`);
      assert.equal(typeof res.body.error, 'string');
    }
    assert.deepEqual((await lab(r.url, 'GET', '/fleet/stations/pc-a/state', labToken)).body.state, { leases: 3, v: 1.5 });
    const entry = await lab(r.url, 'GET', '/registry/resolve/x', pcB);
    assert.equal(entry.body.lock.holder_instance, 'a-1', "pc-a's lock is still pc-a's");
    assert.equal((await lab(r.url, 'GET', '/registry/resolve/y', pcB)).status, 404);
    // The lab token may: release pc-a's lock, write any state.
    assert.equal((await lab(r.url, 'POST', '/registry/entries/x/unlock', labToken, { holder_instance: 'a-1' })).body.released, true);
    assert.equal((await lab(r.url, 'PUT', '/fleet/stations/pc-b/state', labToken, { state: {} })).status, 200);
  });

  test('a revoked station token is refused at once; the other stations are not affected', async () => {
    const extra = (await cli('token', 'create', 'pc-a')).stdout.trim();
    assert.equal((await lab(r.url, 'GET', '/registry/entries', extra)).status, 200);
    const revoked = await cli('token', 'revoke', 'pc-a', '--json');
    assert.deepEqual(JSON.parse(revoked.stdout), { station: 'pc-a', revoked: 2 });
    for (const t of [pcA, extra]) {
      const res = await lab(r.url, 'GET', '/registry/entries', t);
      assert.equal(res.status, 401);
      assert.equal(res.body.error, 'this station token was revoked');
    }
    assert.equal((await lab(r.url, 'GET', '/registry/entries', pcB)).status, 200);
    assert.equal((await cli('token', 'revoke', 'pc-a')).stdout.trim(), 'station pc-a had no live tokens');
  });

  test('Host, Origin, strict paths, body cap and timeouts, as for the hub endpoint', { timeout: 60_000 }, async () => {
    const host = `127.0.0.1:${r.port}`;
    const auth = `Authorization: Bearer ${labToken}`;
    for (const h of ['evil.example', `evil.example:${r.port}`, `127.0.0.1:${r.port + 1}`, `localhost.evil.example:${r.port}`]) {
      for (const target of ['/health', '/registry/entries']) {
        const res = await raw(r.port, request('GET', target, h, [auth]));
        assert.equal(res.status, 421, `Host ${h} ${target}`);
      }
    }
    assert.equal((await raw(r.port, request('GET', '/health', host, [`Host: evil.example`]))).status, 421, 'a second Host');
    for (const origin of ['http://evil.example', 'null', `http://127.0.0.1:${r.port + 1}`]) {
      assert.equal(
        (await raw(r.port, request('GET', '/registry/entries', host, [auth, `Origin: ${origin}`]))).status,
        403,
        `Origin ${origin}`,
      );
    }
    assert.equal(
      (await raw(r.port, request('GET', '/registry/entries', `localhost:${r.port}`, [auth, `Origin: http://localhost:${r.port}`]))).status,
      200,
    );

    const names: [string, RegExp][] = [
      ['/registry/resolve/a%2Fb', /one path segment/],
      [`/registry/resolve/${'n'.repeat(257)}`, /at most 256 characters/],
      ['/registry/resolve/bad%01name', /control characters/],
      ['/registry/resolve/bad%zz', /percent-encoding/],
      ['/registry/resolve/../entries', /malformed request path/],
      ['/registry//entries', /malformed request path/],
    ];
    for (const [target, why] of names) {
      const res = await raw(r.port, request('GET', target, host, [auth]));
      assert.equal(res.status, 400, target);
      assert.match(JSON.parse(res.body).error, why, target);
    }
    assert.equal(
      (await lab(r.url, 'GET', `/registry/resolve/${encodeURIComponent('µL pipette #1')}`, labToken)).status,
      404,
      'an encoded name is decoded, then looked up',
    );
    const spaced = await lab(
      r.url,
      'POST',
      `/registry/entries/${encodeURIComponent('µL pipette #1')}`,
      labToken,
      `{"id": "${ID}", "component_type": "module", "metadata": {"big": 12345678901234567890, "f": 200.0}}`,
    );
    assert.equal(spaced.status, 200);
    assert.equal(spaced.body.name, 'µL pipette #1');
    const rawMeta = await raw(r.port, request('GET', `/registry/resolve/${encodeURIComponent('µL pipette #1')}`, host, [auth]));
    assert.match(rawMeta.body, /"metadata":\{"big":12345678901234567890,"f":200\.0\}/, 'metadata numbers kept as sent');

    const big = JSON.stringify({ id: ID, component_type: 'node', metadata: { pad: 'x'.repeat(17 * 1024) } });
    const tooLarge = await raw(r.port, request('POST', '/registry/entries/x', host, [auth, 'Content-Type: application/json'], big));
    assert.equal(tooLarge.status, 413);
    assert.ok(tooLarge.closed);
    assert.equal((await lab(r.url, 'POST', '/registry/entries/x', labToken, '{"id": ')).status, 400, 'invalid JSON');
    assert.equal((await lab(r.url, 'POST', '/registry/entries/x', labToken, { id: 'nope', component_type: 'node' })).status, 400);
    assert.equal((await lab(r.url, 'POST', '/registry/entries/x', labToken, { id: ID, component_type: 'robot' })).status, 400);
    assert.equal((await lab(r.url, 'GET', '/registry/entries/x/lock', labToken)).status, 405);

    // A slowloris client is cut by the request timeout (5 s); the guard only stops a hang.
    const slow = await raw(r.port, `GET /health HTTP/1.1\r\nHost: ${host}\r\n`, { drip: 'X-a: b\r\n', dripMs: 300, guardMs: 30_000 });
    assert.ok(slow.closed, 'the server hung up on the slow client');
    assert.ok(slow.status === 408 || slow.status === 0, `408 or a plain close, got ${slow.status}`);
  });
});

describe('lab serve: refusals at start, and Redis coming later', { skip: SKIP_NO_REDIS }, () => {
  test('a Redis URL without a password is refused in one line unless --insecure-redis', async () => {
    const open = await startRedis({ password: '' });
    const { file } = labTokenFile();
    const refused = await runCli(['lab', 'serve', '--redis', open.url, '--listen', '127.0.0.1:0', '--token-file', file]);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
    assert.match(refused.stderr, new RegExp(`^hubkeeper: redis://127\\.0\\.0\\.1:${open.port}: no password given .*--insecure-redis`));
    const r = await startReplica({ redisUrl: open.url, tokenFile: file, extra: ['--insecure-redis'] });
    await untilHealth(r.url, 200);
    await r.kill();
  });

  test('a token file others can read is refused, naming the file; a missing one is created 0600', async () => {
    const dir = labDir('perm-');
    const { file } = labTokenFile(dir);
    fs.chmodSync(file, 0o644);
    const res = await runCli(['lab', 'serve', '--redis', 'redis://:pw@127.0.0.1:1', '--listen', '127.0.0.1:0', '--token-file', file]);
    assert.equal(res.code, 1);
    assert.equal(
      res.stderr.trim(),
      `hubkeeper: ${file}: permissions 0644 are too wide; the token file must be readable by its owner only (chmod 600)`,
    );
    const fresh = path.join(dir, 'new', 'lab.token');
    const r = await startReplica({ redisUrl: 'redis://:pw@127.0.0.1:1', tokenFile: fresh });
    assert.equal(fs.statSync(fresh).mode & 0o777, 0o600);
    await r.kill();
  });

  test('started before Redis: /health is 503, then 200 once Redis is up, without a restart', async () => {
    const port = await freePort();
    const password = 'later-password-0123456789';
    const { file, token } = labTokenFile();
    const r = await startReplica({ redisUrl: `redis://:${password}@127.0.0.1:${port}`, tokenFile: file });
    assert.equal(await healthOf(r.url), 503);
    assert.equal((await lab(r.url, 'GET', '/registry/entries', token)).status, 503);
    await startRedis({ port, password });
    await untilHealth(r.url, 200);
    await waitFor(async () => (await lab(r.url, 'GET', '/registry/entries', token)).status === 200, 'registry calls to work');
    await r.kill();
  });
});
