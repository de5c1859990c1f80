import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { tempDir } from '../support/helpers';
import { randomBytes } from 'node:crypto';
import { ensureHubToken, tokensEqual } from '../../src/core/hub-server/hub-token';
import { HubServer, HubServerOptions, startHubServer } from '../../src/core/hub-server/hub-server';

/** Real HTTP over loopback and real files. Deadlines below only stop a hang; nothing is timed. */

const POSIX = process.platform !== 'win32';
const HANG_GUARD_MS = 15_000;

// The shared helper makes each temp dir and removes it when the file's tests end.
const freshDir = () => tempDir('hubkeeper-hub-server-');

const servers: HubServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));
async function start(options: Partial<HubServerOptions> = {}): Promise<HubServer> {
  const server = await startHubServer({ token: randomBytes(32).toString('hex'), status: () => ({}), ...options });
  servers.push(server);
  return server;
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: () => unknown;
}

interface Call {
  method?: string;
  path?: string;
  headers?: http.OutgoingHttpHeaders;
  body?: string | Buffer;
  agent?: http.Agent;
}

/** One request; the reply counts even if the server hangs up right after sending it (413). */
function call(server: HubServer, { method = 'GET', path: p = '/', headers = {}, body, agent }: Call = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    // node:http sends no Content-Length for a GET body unless told, and then the body reads as garbage.
    if (body !== undefined && !headers['transfer-encoding'] && !headers['Transfer-Encoding']) {
      headers = { ...headers, 'Content-Length': Buffer.byteLength(body) };
    }
    const req = http.request({
      host: '127.0.0.1',
      port: server.port,
      method,
      path: p,
      headers,
      agent: agent ?? false,
      timeout: HANG_GUARD_MS,
    });
    req.on('timeout', () => req.destroy(new Error(`no reply to ${method} ${p}`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
    });
    req.end(body);
  });
}

/** Raw bytes over TCP, for requests node:http will not send; resolves with all the server wrote. */
function raw(server: HubServer, data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1', () => socket.write(data));
    let out = '';
    socket.setTimeout(HANG_GUARD_MS, () => socket.destroy(new Error('server never closed the connection')));
    socket.on('data', (c) => (out += c.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => resolve(out));
  });
}

describe('hub token file', { skip: !POSIX && 'POSIX permissions' }, () => {
  test('is created with mode 0600 in a new 0700 directory and then reused', async () => {
    const stateDir = path.join(freshDir(), 'nested', 'state');
    const token = await ensureHubToken(stateDir);
    assert.match(token, /^[0-9a-f]{64}$/);
    const file = path.join(stateDir, 'hub.token');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.statSync(stateDir).mode & 0o777, 0o700);
    assert.equal(await ensureHubToken(stateDir), token);
    assert.deepEqual(fs.readdirSync(stateDir), ['hub.token'], 'no temp file is left behind');
  });

  test('a token file readable by others is refused, naming the file', async () => {
    const stateDir = freshDir();
    const file = path.join(stateDir, 'hub.token');
    fs.writeFileSync(file, 'a'.repeat(64));
    fs.chmodSync(file, 0o644);
    await assert.rejects(ensureHubToken(stateDir), (err: Error) => {
      assert.ok(err.message.includes(file), err.message);
      assert.match(err.message, /0644 are too wide/);
      return true;
    });
    fs.chmodSync(file, 0o640);
    await assert.rejects(ensureHubToken(stateDir), /0640 are too wide/);
    assert.equal(fs.readFileSync(file, 'utf8'), 'a'.repeat(64), 'the file is left as it was');
  });

  test('a symlinked token file is refused even when its target is private', async () => {
    const stateDir = freshDir();
    const target = path.join(freshDir(), 'elsewhere.token');
    fs.writeFileSync(target, 'b'.repeat(64), { mode: 0o600 });
    fs.symlinkSync(target, path.join(stateDir, 'hub.token'));
    await assert.rejects(ensureHubToken(stateDir), /hub\.token: is a symbolic link/);
  });

  test('an empty, short or non-file token is refused', async () => {
    const stateDir = freshDir();
    const file = path.join(stateDir, 'hub.token');
    fs.writeFileSync(file, '\n', { mode: 0o600 });
    await assert.rejects(ensureHubToken(stateDir), /is empty/);
    fs.writeFileSync(file, 'short\n');
    await assert.rejects(ensureHubToken(stateDir), /shorter than 32/);
    fs.rmSync(file);
    fs.mkdirSync(file, { mode: 0o700 });
    await assert.rejects(ensureHubToken(stateDir), /is not a regular file/);
  });

  test('tokensEqual compares content, whatever the lengths', () => {
    assert.equal(tokensEqual('x'.repeat(64), 'x'.repeat(64)), true);
    assert.equal(tokensEqual('x'.repeat(64), 'y'.repeat(64)), false);
    assert.equal(tokensEqual('x'.repeat(64), 'x'.repeat(63)), false);
    assert.equal(tokensEqual('', ''), true);
  });
});

describe('hub server', () => {
  let server: HubServer;
  let token: string;
  let statusCalls = 0;
  const auth = () => ({ Authorization: `Bearer ${token}` });
  before(async () => {
    token = await ensureHubToken(freshDir());
    server = await start({ token, status: async () => ({ workspace: 'ws-1', calls: ++statusCalls }) });
  });

  test('listens on 127.0.0.1 and /health answers without auth', async () => {
    assert.equal(server.url, `http://127.0.0.1:${server.port}`);
    const r = await call(server, { path: '/health' });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json(), { ok: true });
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    const head = await call(server, { method: 'HEAD', path: '/health' });
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    assert.deepEqual((await call(server, { path: '/' })).json(), { service: 'hubkeeper-hub' });
  });

  test('/v1/status needs the bearer token', async () => {
    const ok = await call(server, { path: '/v1/status', headers: auth() });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json(), { workspace: 'ws-1', calls: statusCalls });
    const missing = await call(server, { path: '/v1/status' });
    assert.equal(missing.status, 401);
    assert.match(String(missing.headers['www-authenticate']), /^Bearer/);
    assert.ok((missing.json() as { error: string }).error);
    assert.equal((await call(server, { path: '/v1/status', headers: { Authorization: `Basic ${token}` } })).status, 401);
    const wrong = await call(server, { path: '/v1/status', headers: { Authorization: `Bearer ${'0'.repeat(64)}` } });
    assert.equal(wrong.status, 403);
    assert.ok(!wrong.text.includes(token));
    assert.equal((await call(server, { path: '/v1/status', headers: { Authorization: `Bearer ${token}0` } })).status, 403);
    assert.equal((await call(server, { path: '/v1/status', headers: { Authorization: `Bearer ${token.slice(0, 10)}` } })).status, 403);
  });

  test('a foreign Host header is refused, even on /health (DNS rebinding)', async () => {
    for (const host of [
      `evil.example:${server.port}`,
      `127.0.0.1:${server.port + 1}`,
      '127.0.0.1',
      `127.0.0.1.evil.example:${server.port}`,
    ]) {
      const r = await call(server, { path: '/health', headers: { Host: host } });
      assert.equal(r.status, 421, host);
      assert.ok((r.json() as { error: string }).error);
    }
    assert.equal((await call(server, { path: '/v1/status', headers: { ...auth(), Host: `evil.example:${server.port}` } })).status, 421);
    for (const host of [`localhost:${server.port}`, `[::1]:${server.port}`]) {
      assert.equal((await call(server, { path: '/health', headers: { Host: host } })).status, 200, host);
    }
    const twice = await raw(
      server,
      `GET /health HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nHost: evil.example\r\nConnection: close\r\n\r\n`,
    );
    assert.match(twice, /^HTTP\/1\.1 421 /);
    const none = await raw(server, 'GET /health HTTP/1.0\r\n\r\n');
    assert.match(none, /^HTTP\/1\.1 421 /);
  });

  test('a foreign Origin is refused; our own origin is fine', async () => {
    for (const origin of ['http://evil.example', 'null', `http://127.0.0.1:${server.port + 1}`, `https://127.0.0.1:${server.port}`]) {
      assert.equal((await call(server, { path: '/health', headers: { Origin: origin } })).status, 403, origin);
      assert.equal((await call(server, { path: '/v1/status', headers: { ...auth(), Origin: origin } })).status, 403, origin);
    }
    assert.equal((await call(server, { path: '/health', headers: { Origin: `http://localhost:${server.port}` } })).status, 200);
    assert.equal(
      (await call(server, { path: '/v1/status', headers: { ...auth(), Origin: `http://127.0.0.1:${server.port}` } })).status,
      200,
    );
  });

  test('wrong methods get 405 with Allow, unknown paths 404', async () => {
    const post = await call(server, { method: 'POST', path: '/health' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
    assert.equal((await call(server, { method: 'DELETE', path: '/v1/status', headers: auth() })).status, 405);
    for (const p of ['/nope', '/v1', '/v1/status/', '/health/', '/v2/status', '/__proto__', '/constructor']) {
      const r = await call(server, { path: p, headers: auth() });
      assert.equal(r.status, 404, p);
      assert.deepEqual(r.json(), { error: 'not found' });
    }
  });

  test('odd and traversing paths never reach the status handler', async () => {
    const attempts = [
      '/v1/../v1/status',
      '/v1/./status',
      '/./v1/status',
      '//v1/status',
      '/v1//status',
      '//health',
      '/%2e%2e/v1/status',
      '/v1/%2E%2E/v1/status',
      '/v1%2fstatus',
      '/v1/status%00',
      '/v1\\status',
      '/v1/status/..',
      '/health/../v1/status',
      `http://127.0.0.1:${server.port}/v1/status`,
      'http://evil/health',
    ];
    const before = statusCalls;
    for (const p of attempts) {
      for (const headers of [{}, auth()]) {
        const r = await call(server, { path: p, headers });
        assert.ok(r.status === 400 || r.status === 404, `${p} gave ${r.status}`);
        assert.ok((r.json() as { error: string }).error, p);
      }
    }
    assert.equal(statusCalls, before, 'status() was never called');
    assert.equal((await call(server, { path: '/v1/status?verbose=1', headers: auth() })).status, 200, 'a query string is ignored');
  });

  test('200 concurrent /health requests all succeed', async () => {
    const replies = await Promise.all(Array.from({ length: 200 }, () => call(server, { path: '/health' })));
    assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([200]));
  });

  test('malformed requests get a JSON 400', async () => {
    const out = await raw(server, 'THIS IS NOT HTTP\r\n\r\n');
    assert.match(out, /^HTTP\/1\.1 400 /);
    assert.match(out, /Content-Type: application\/json; charset=utf-8/);
    assert.ok(out.endsWith('{"error":"bad request"}'));
  });
});

describe('hub server limits and shutdown', () => {
  test('an oversized body gets 413, declared or chunked; a small one is tolerated', async () => {
    const server = await start({ maxBodyBytes: 1024 });
    const big = 'x'.repeat(4096);
    const declared = await call(server, { method: 'GET', path: '/health', body: big });
    assert.equal(declared.status, 413);
    assert.equal(declared.headers.connection, 'close');
    const chunked = await call(server, { method: 'GET', path: '/health', body: big, headers: { 'Transfer-Encoding': 'chunked' } });
    assert.equal(chunked.status, 413);
    assert.equal((await call(server, { method: 'GET', path: '/health', body: 'x'.repeat(100) })).status, 200);
  });

  test('a failing status() gives a 500 that does not leak the reason', async () => {
    const lines: string[] = [];
    const token = randomBytes(32).toString('hex');
    const server = await start({ token, status: () => Promise.reject(new Error('secret detail')), log: (l) => lines.push(l) });
    const r = await call(server, { path: '/v1/status', headers: { Authorization: `Bearer ${token}` } });
    assert.equal(r.status, 500);
    assert.ok(!r.text.includes('secret detail'));
    assert.ok(lines.some((l) => l.includes('secret detail')));
  });

  test('a slow client is cut off by the request timeout', async () => {
    const server = await start({ requestTimeoutMs: 200 });
    const out = await raw(server, `GET /health HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n`); // headers never finish
    assert.match(out, /^HTTP\/1\.1 408 /);
  });

  test('a weak token is refused at start', async () => {
    await assert.rejects(startHubServer({ token: 'short', status: () => null }), /at least 32/);
    await assert.rejects(startHubServer({ token: '', status: () => null }), /at least 32/);
  });

  test('close() resolves while keep-alive and half-sent connections are open', { timeout: HANG_GUARD_MS }, async () => {
    // A long request timeout, so only close() itself can end these connections.
    const server = await startHubServer({ token: randomBytes(32).toString('hex'), status: () => ({}), requestTimeoutMs: 120_000 });
    const agent = new http.Agent({ keepAlive: true });
    const first = await call(server, { path: '/health', agent });
    assert.equal(first.status, 200);
    assert.notEqual(first.headers.connection, 'close');
    const idle = net.connect(server.port, '127.0.0.1');
    const half = net.connect(server.port, '127.0.0.1', () => half.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n`));
    const closed = (s: net.Socket) =>
      new Promise<void>((resolve) => {
        s.on('error', () => undefined);
        s.once('close', () => resolve());
      });
    const bothClosed = Promise.all([closed(idle), closed(half)]);
    await new Promise<void>((resolve) => half.once('connect', () => setImmediate(resolve)));
    await server.close();
    await bothClosed;
    await server.close(); // a second close is harmless
    agent.destroy();
    await assert.rejects(call(server, { path: '/health' }), /ECONNREFUSED/);
  });
});
