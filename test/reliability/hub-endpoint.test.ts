import { after, describe, test } from 'node:test';
import { Raw, raw, request } from '../support/raw-http';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { tempDir } from '../support/helpers';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ensureHubToken, tokensEqual } from '../../src/core/hub-server/hub-token';
import { HubServer, HubServerOptions, startHubServer } from '../../src/core/hub-server/hub-server';
import { figure, scaled } from './profile';

/**
 * Hostile requests to the hub endpoint (issue 7): real HTTP over loopback, raw TCP where node:http
 * would refuse to send the bytes, real files. Every deadline below only stops a hang; timings are
 * printed as figures and never asserted tightly, because test machines are noisy.
 */

const POSIX = process.platform !== 'win32';
const HANG_GUARD_MS = 15_000;
const STRAY_TOKEN_CHARS = /[0-9a-f]{64}/;

// The shared helper makes each temp dir and removes it when the file's tests end.
const freshDir = () => tempDir('hubkeeper-hub-endpoint-');
const tmpRoot = freshDir();

const servers: HubServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

/** A server whose status() counts its calls, so a test can prove it was never reached. */
async function start(options: Partial<HubServerOptions> = {}) {
  const token = options.token ?? randomBytes(32).toString('hex');
  const counter = { calls: 0 };
  const server = await startHubServer({ token, status: () => ({ calls: ++counter.calls }), ...options });
  servers.push(server);
  return { server, token, port: server.port, counter, host: `127.0.0.1:${server.port}` };
}

const ms = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e6;
const round = (n: number, digits = 1) => Number(n.toFixed(digits));
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** One request through node:http; the reply counts even if the server hangs up right after it (413). */
function call(
  port: number,
  method: string,
  target: string,
  headers: http.OutgoingHttpHeaders = {},
  agent?: http.Agent,
  body?: Buffer,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: target, headers, agent: agent ?? false, timeout: HANG_GUARD_MS });
    req.on('timeout', () => req.destroy(new Error(`no reply to ${method} ${target}`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.end(body);
  });
}

function jsonError(body: string): string {
  const parsed = JSON.parse(body) as { error?: unknown };
  assert.equal(typeof parsed.error, 'string', body);
  return parsed.error as string;
}

describe('hub endpoint: bearer token', () => {
  test('missing, wrong, wrong-length, odd-scheme and odd-whitespace tokens get exact answers', async () => {
    const { port, token, counter, host } = await start();
    const flip = (c: string) => (c === '0' ? '1' : '0');
    // [label, Authorization header lines (raw, so tabs, repeats and odd spacing go out as written), expected status]
    const cases: [string, string[], number][] = [
      ['missing', [], 401],
      ['empty value', ['Authorization: '], 401],
      ['scheme only', ['Authorization: Bearer'], 401],
      ['scheme and space only', ['Authorization: Bearer    '], 401],
      ['token without a scheme', [`Authorization: ${token}`], 401],
      ['Basic scheme', [`Authorization: Basic ${token}`], 401],
      ['Token scheme', [`Authorization: Token ${token}`], 401],
      ['Bearer with a tab', [`Authorization: Bearer\t${token}`], 401],
      ['Bearer and no separator', [`Authorization: Bearer${token}`], 401],
      ['token split by a space', [`Authorization: Bearer ${token.slice(0, 32)} ${token.slice(32)}`], 401],
      ['token then garbage', [`Authorization: Bearer ${token} extra`], 401],
      ['two headers, both right', [`Authorization: Bearer ${token}`, `Authorization: Bearer ${token}`], 401],
      ['right then wrong header', [`Authorization: Bearer ${token}`, 'Authorization: Bearer x'], 401],
      ['wrong, same length', [`Authorization: Bearer ${'0'.repeat(64)}`], 403],
      ['last char wrong', [`Authorization: Bearer ${token.slice(0, 63)}${flip(token[63])}`], 403],
      ['first char wrong', [`Authorization: Bearer ${flip(token[0])}${token.slice(1)}`], 403],
      ['one char short', [`Authorization: Bearer ${token.slice(0, 63)}`], 403],
      ['one char long', [`Authorization: Bearer ${token}0`], 403],
      ['half the token', [`Authorization: Bearer ${token.slice(0, 32)}`], 403],
      ['one char', ['Authorization: Bearer x'], 403],
      ['4000 chars', [`Authorization: Bearer ${token.repeat(62)}${token.slice(0, 32)}`], 403],
      ['upper-cased token', [`Authorization: Bearer ${token.toUpperCase()}`], 403],
      ['quoted token', [`Authorization: Bearer "${token}"`], 403],
      ['token with a comma', [`Authorization: Bearer ${token},`], 403],
      ['token as a query parameter', [], 401],
      ['token as a cookie', [`Cookie: token=${token}`], 401],
      // RFC 9110 §11.1: the scheme is case-insensitive and 1*SP separates it; Node trims outer whitespace.
      ['lowercase scheme', [`Authorization: bearer ${token}`], 200],
      ['uppercase scheme', [`Authorization: BEARER ${token}`], 200],
      ['two spaces', [`Authorization: Bearer  ${token}`], 200],
      ['trailing spaces', [`Authorization: Bearer ${token}   `], 200],
      ['leading spaces', [`Authorization:    Bearer ${token}`], 200],
      ['right token', [`Authorization: Bearer ${token}`], 200],
    ];
    const tally: Record<number, number> = {};
    for (const [label, headers, expected] of cases) {
      const target = label === 'token as a query parameter' ? `/v1/status?token=${token}&access_token=${token}` : '/v1/status';
      const before = counter.calls;
      const r = await raw(port, request('GET', target, host, headers));
      assert.equal(r.status, expected, `${label}: ${r.text.split('\r\n')[0]}`);
      tally[r.status] = (tally[r.status] ?? 0) + 1;
      assert.equal(counter.calls, before + (expected === 200 ? 1 : 0), `${label}: status() calls`);
      if (expected === 200) {
        assert.deepEqual(JSON.parse(r.body), { calls: counter.calls }, label);
        continue;
      }
      const error = jsonError(r.body);
      assert.equal(error, expected === 401 ? 'bearer token required' : 'invalid token', label);
      assert.ok(!STRAY_TOKEN_CHARS.test(r.text), `${label}: the reply never echoes a token`);
      if (expected === 401) assert.match(r.text, /\r\nWWW-Authenticate: Bearer realm="hubkeeper-hub"\r\n/, label);
    }
    figure('hub-endpoint token variants', { variants: cases.length, ok_200: tally[200], refused_401: tally[401], refused_403: tally[403] });
  });

  test('timing attack: the comparison is constant-time by construction; medians are printed, not asserted', async () => {
    // By construction: tokensEqual compares SHA-256 digests with crypto.timingSafeEqual. That
    // function throws on buffers of different lengths, so answers without a throw for any pair of
    // lengths show it is comparing the fixed-length digests, never the tokens byte by byte.
    const t = randomBytes(32).toString('hex');
    assert.equal(tokensEqual(t, t), true);
    assert.equal(tokensEqual(t, `${t}`.split('').join('')), true, 'equal content in a different string object');
    for (const other of [t.slice(0, 63), `${t}0`, t.slice(0, 1), '', t.repeat(100), t.toUpperCase(), `${t.slice(0, 63)}\u00e9`]) {
      assert.equal(tokensEqual(t, other), false, `length ${other.length}`);
      assert.equal(tokensEqual(other, t), false, `length ${other.length}, swapped`);
    }
    assert.equal(tokensEqual('', ''), true);

    const { port, token, counter } = await start();
    const flip = (c: string) => (c === '0' ? '1' : '0');
    const prefix = `${token.slice(0, 63)}${flip(token[63])}`; // 63 of 64 characters right
    const first = `${flip(token[0])}${token.slice(1)}`; // wrong at the very first character
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const each = scaled(2000, 300);
    const times: Record<'prefix' | 'first', number[]> = { prefix: [], first: [] };
    try {
      for (let i = 0; i < 100; i++) await call(port, 'GET', '/v1/status', { Authorization: `Bearer ${first}` }, agent); // warm-up
      for (let i = 0; i < each; i++) {
        // Interleaved, and alternating which goes first, so drift in the machine hits both alike.
        const order: ('prefix' | 'first')[] = i % 2 === 0 ? ['prefix', 'first'] : ['first', 'prefix'];
        for (const kind of order) {
          const started = process.hrtime.bigint();
          const r = await call(port, 'GET', '/v1/status', { Authorization: `Bearer ${kind === 'prefix' ? prefix : first}` }, agent);
          times[kind].push(ms(started));
          assert.equal(r.status, 403);
        }
      }
    } finally {
      agent.destroy();
    }
    assert.equal(counter.calls, 0);

    // The comparison alone, without the HTTP noise around it.
    const direct = (candidate: string) => {
      const batches: number[] = [];
      for (let b = 0; b < 50; b++) {
        const started = process.hrtime.bigint();
        for (let i = 0; i < scaled(2000, 400); i++) tokensEqual(candidate, token);
        batches.push((ms(started) * 1e6) / scaled(2000, 400));
      }
      return percentile(batches, 50);
    };
    const [http50prefix, http50first] = [percentile(times.prefix, 50) * 1000, percentile(times.first, 50) * 1000];
    const [directPrefix, directFirst] = [direct(prefix), direct(first)];
    figure('hub-endpoint token timing', {
      requests_each: each,
      http_median_prefix_us: round(http50prefix),
      http_median_first_char_us: round(http50first),
      http_ratio: round(http50prefix / http50first, 3),
      compare_median_prefix_ns: round(directPrefix),
      compare_median_first_char_ns: round(directFirst),
      compare_ratio: round(directPrefix / directFirst, 3),
    });
  });
});

describe('hub endpoint: Host and Origin (DNS rebinding, cross-site requests)', () => {
  test('foreign Host headers are refused with 421; ours are accepted', async () => {
    const { port, token, counter, host } = await start();
    const P = port;
    const refused = [
      'evil.example',
      `evil.example:${P}`,
      `127.0.0.1.evil.example:${P}`,
      `localhost.evil.example:${P}`,
      `evil.example:${P}@127.0.0.1:${P}`,
      `127.0.0.1:${P + 1}`,
      `127.0.0.1:${P - 1}`,
      `localhost:${P + 1}`,
      '127.0.0.1',
      'localhost',
      `127.0.0.1:0${P}`,
      `127.0.0.1:${P}.`,
      `localhost.:${P}`,
      `127.0.0.2:${P}`,
      `0.0.0.0:${P}`,
      `127.1:${P}`,
      `2130706433:${P}`,
      `0x7f000001:${P}`,
      `user@127.0.0.1:${P}`,
      '[::1]',
      `[::1]:${P + 1}`,
      `::1:${P}`,
      `[0:0:0:0:0:0:0:1]:${P}`,
      `[::ffff:127.0.0.1]:${P}`,
      `[::ffff:7f00:1]:${P}`,
      `[fe80::1%25lo]:${P}`,
      '',
    ];
    const allowed = [host, `localhost:${P}`, `LocalHost:${P}`, `[::1]:${P}`];
    for (const h of refused) {
      for (const [target, extra] of [
        ['/health', []],
        ['/v1/status', [`Authorization: Bearer ${token}`]],
      ] as [string, string[]][]) {
        const r = await raw(port, request('GET', target, h, extra));
        assert.equal(r.status, 421, `Host ${JSON.stringify(h)} on ${target}`);
        assert.equal(jsonError(r.body), 'unexpected Host header');
      }
    }
    const dup = await raw(port, request('GET', '/health', host, [`Host: evil.example:${P}`]));
    assert.equal(dup.status, 421, 'a second Host header');
    const dupSame = await raw(port, request('GET', '/health', host, [`Host: ${host}`]));
    assert.equal(dupSame.status, 421, 'even a repeat of the right one');
    // A 33rd header is dropped from req.headers by maxHeadersCount; it must not hide a second Host.
    const filler = Array.from({ length: 40 }, (_, i) => `X-Filler-${i}: 1`);
    assert.equal(
      (await raw(port, request('GET', '/health', host, [...filler, `Host: evil.example:${P}`]))).status,
      421,
      'Host hidden behind 40 headers',
    );
    const http10 = await raw(port, request('GET', '/health', undefined, [], '', 'HTTP/1.0'));
    assert.equal(http10.status, 421, 'no Host with HTTP/1.0');
    // HTTP/1.1 without Host: Node itself answers 400 (requireHostHeader) before our handler runs.
    const http11 = await raw(port, request('GET', '/health', undefined));
    assert.equal(http11.status, 400, 'no Host with HTTP/1.1');
    assert.equal(counter.calls, 0, 'status() was never reached with a foreign Host');

    for (const h of allowed) {
      assert.equal((await raw(port, request('GET', '/health', h))).status, 200, `Host ${h}`);
      assert.equal(
        (await raw(port, request('GET', '/v1/status', h, [`Authorization: Bearer ${token}`]))).status,
        200,
        `Host ${h} with token`,
      );
    }
    assert.equal(counter.calls, allowed.length);
    figure('hub-endpoint host', {
      foreign_hosts: refused.length,
      refused_421: refused.length * 2 + 4, // both routes, plus two repeats, one hidden, one HTTP/1.0 without Host
      no_host_http11_400: 1,
      allowed_hosts: allowed.length,
      status_calls_when_refused: 0,
    });
  });

  test('foreign Origin headers are refused with 403; our own origins are accepted; no CORS grant ever', async () => {
    const { port, token, counter, host } = await start();
    const P = port;
    const auth = `Authorization: Bearer ${token}`;
    const refused = [
      'http://evil.example',
      `http://evil.example:${P}`,
      'null',
      `https://127.0.0.1:${P}`,
      `http://127.0.0.1:${P + 1}`,
      'http://127.0.0.1',
      'http://localhost',
      `https://localhost:${P}`,
      `http://127.0.0.1.evil.example:${P}`,
      `http://127.0.0.1:${P}/`,
      `HTTP://127.0.0.1:${P}`,
      `http://[::1]:${P}`,
      `http://127.0.0.1:${P}, http://evil.example`,
      `http://127.0.0.1:${P}.`,
      'file://',
      '',
    ];
    const allowed = [`http://127.0.0.1:${P}`, `http://localhost:${P}`];
    let answers = 0;
    const check = (r: Raw, expected: number, label: string) => {
      answers++;
      assert.equal(r.status, expected, label);
      assert.doesNotMatch(r.text, /Access-Control-Allow/i, `${label}: no CORS headers`);
    };
    for (const origin of refused) {
      check(await raw(port, request('GET', '/health', host, [`Origin: ${origin}`])), 403, `Origin ${JSON.stringify(origin)}`);
      const status = await raw(port, request('GET', '/v1/status', host, [`Origin: ${origin}`, auth]));
      check(status, 403, `Origin ${JSON.stringify(origin)} with the token`);
      assert.equal(jsonError(status.body), 'cross-origin requests are not allowed');
    }
    // Repeated Origin headers: refused even when each is one of ours.
    check(
      await raw(port, request('GET', '/health', host, [`Origin: ${allowed[0]}`, 'Origin: http://evil.example'])),
      403,
      'ours then evil',
    );
    check(await raw(port, request('GET', '/health', host, [`Origin: ${allowed[0]}`, `Origin: ${allowed[0]}`])), 403, 'ours twice');
    const filler = Array.from({ length: 40 }, (_, i) => `X-Filler-${i}: 1`);
    check(
      await raw(port, request('GET', '/health', host, [...filler, 'Origin: http://evil.example'])),
      403,
      'Origin hidden behind 40 headers',
    );
    // A CORS preflight from a web page: the Origin check answers first, and grants nothing.
    const preflight = [
      'Origin: http://evil.example',
      'Access-Control-Request-Method: GET',
      'Access-Control-Request-Headers: authorization',
    ];
    check(await raw(port, request('OPTIONS', '/v1/status', host, preflight)), 403, 'preflight from a web page');
    assert.equal(counter.calls, 0, 'status() was never reached cross-origin');

    for (const origin of allowed) {
      check(await raw(port, request('GET', '/health', host, [`Origin: ${origin}`])), 200, `Origin ${origin}`);
      check(await raw(port, request('GET', '/v1/status', host, [`Origin: ${origin}`, auth])), 200, `Origin ${origin} with the token`);
    }
    check(await raw(port, request('GET', '/health', host)), 200, 'no Origin at all');
    assert.equal(counter.calls, allowed.length);
    figure('hub-endpoint origin', {
      refused_origins: refused.length + 4,
      allowed_origins: allowed.length,
      answers_checked: answers,
      cors_grants: 0,
    });
  });
});

describe('hub endpoint: bodies and slow clients', () => {
  test('oversized bodies, declared or chunked, get 413 and the connection is closed', async () => {
    const cap = 1024;
    const { port, counter, host, token } = await start({ maxBodyBytes: cap });
    const health = (extra: string[]) => `GET /health HTTP/1.1\r\nHost: ${host}\r\n${extra.map((l) => `${l}\r\n`).join('')}\r\n`;
    const next = `GET /v1/status HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\n\r\n`; // pipelined after the body

    const atCap = await raw(port, health([`Content-Length: ${cap}`, 'Connection: close']) + 'x'.repeat(cap));
    assert.equal(atCap.status, 200, 'a body of exactly the cap is read and ignored');

    const declared = await raw(port, health([`Content-Length: ${cap + 1}`]) + 'x'.repeat(cap + 1) + next);
    const declaredNoBody = await raw(port, health([`Content-Length: ${100 * 1024 * 1024}`])); // sends nothing of the 100 MB
    const chunk = (n: number) => `${n.toString(16)}\r\nx${'x'.repeat(n - 1)}\r\n`;
    const chunked = await raw(
      port,
      health(['Transfer-Encoding: chunked']) + chunk(cap / 2) + chunk(cap / 2) + chunk(1) + '0\r\n\r\n' + next,
    );
    const chunkedOpen = await raw(port, health(['Transfer-Encoding: chunked']) + chunk(cap + 1)); // never terminated
    for (const [label, r] of [
      ['declared', declared],
      ['declared 100 MB, not sent', declaredNoBody],
      ['chunked', chunked],
      ['chunked, unterminated', chunkedOpen],
    ] as [string, Raw][]) {
      assert.equal(r.status, 413, label);
      assert.equal(jsonError(r.body), 'request body too large', label);
      assert.match(r.text, /\r\nConnection: close\r\n/, label);
      assert.ok(r.closed, `${label}: the server closed the connection`);
      assert.equal(r.responses, 1, `${label}: the pipelined request after the body is never answered`);
    }
    // Node's parser refuses a Content-Length it cannot represent before our handler sees it.
    const absurd = await raw(port, health(['Content-Length: 99999999999999999999999']));
    assert.equal(absurd.status, 400);
    assert.ok(absurd.closed);

    // The same through node:http with a big body, as a real client would send it.
    const big = Buffer.alloc(1024 * 1024, 120);
    const viaHttp = await call(port, 'POST', '/health', { 'Content-Length': big.length }, undefined, big);
    const viaHttpChunked = await call(port, 'GET', '/health', { 'Transfer-Encoding': 'chunked' }, undefined, big);
    for (const r of [viaHttp, viaHttpChunked]) {
      assert.equal(r.status, 413);
      assert.equal(r.headers.connection, 'close');
    }
    assert.equal(counter.calls, 0, 'the pipelined status request never ran');
    figure('hub-endpoint oversized body', {
      cap_bytes: cap,
      declared_close_ms: round(declared.ms),
      declared_unsent_close_ms: round(declaredNoBody.ms),
      chunked_close_ms: round(chunked.ms),
      chunked_unterminated_close_ms: round(chunkedOpen.ms),
      http_client_1MiB: `${viaHttp.status}/${viaHttpChunked.status}`,
    });
  });

  test('slowloris headers, slow bodies and idle connections are cut by the request timeout', { timeout: 60_000 }, async () => {
    const timeoutMs = 1000;
    const { port, counter, host } = await start({ requestTimeoutMs: timeoutMs });
    // Node checks its timeouts every connectionsCheckingInterval (500 ms here), so a cut comes
    // between timeoutMs and timeoutMs + 500; the bound below is far looser, only to catch a hang.
    const bound = 4 * timeoutMs;
    const guardMs = 10_000;
    const requestLine = `GET /health HTTP/1.1\r\nHost: ${host}\r\n`;
    const [headersFromZero, headers, body, chunked, idle] = await Promise.all([
      raw(port, '', { drip: `${requestLine}X-Pad: ${'a'.repeat(200)}`, dripMs: 200, guardMs }), // even the request line one byte at a time
      raw(port, `${requestLine}X-Pad: `, { drip: 'a', dripMs: 200, guardMs }), // headers that never end
      raw(port, `${requestLine}Content-Length: 1000\r\n\r\n`, { drip: 'x', dripMs: 200, guardMs }), // body one byte per 200 ms
      raw(port, `${requestLine}Transfer-Encoding: chunked\r\n\r\n`, { drip: '1\r\nx\r\n', dripMs: 200, guardMs }),
      raw(port, '', { guardMs }), // connects and says nothing
    ]);
    const cases: [string, Raw, number[]][] = [
      // Headers still incomplete: Node's clientError path, answered 408 before the hang-up.
      ['headers from the first byte', headersFromZero, [408]],
      ['headers never ending', headers, [408]],
      ['idle connection', idle, [408]],
      // Headers done, body slow: a response is under way on that socket, so it is simply cut.
      ['slow body', body, [0]],
      ['slow chunked body', chunked, [0]],
    ];
    for (const [label, r, statuses] of cases) {
      assert.ok(r.closed, `${label}: the server never cut the connection (hang guard fired after ${round(r.ms)} ms)`);
      assert.ok(statuses.includes(r.status), `${label}: ${r.text.split('\r\n')[0] || '(nothing)'}`);
      if (r.status === 408) assert.equal(jsonError(r.body), 'request timeout', label);
      assert.ok(r.ms >= timeoutMs * 0.9, `${label}: cut after ${round(r.ms)} ms, before the timeout`);
      assert.ok(r.ms < bound, `${label}: cut only after ${round(r.ms)} ms`);
    }
    assert.equal(counter.calls, 0);
    figure('hub-endpoint slow clients', {
      request_timeout_ms: timeoutMs,
      slowloris_from_zero_cut_ms: round(headersFromZero.ms, 0),
      slowloris_headers_cut_ms: round(headers.ms, 0),
      slow_body_cut_ms: round(body.ms, 0),
      slow_chunked_cut_ms: round(chunked.ms, 0),
      idle_cut_ms: round(idle.ms, 0),
    });
  });
});

describe('hub endpoint: paths and methods', () => {
  test('path traversal and odd targets never reach /v1/status, with or without the token', async () => {
    const { port, token, counter, host } = await start();
    const P = port;
    // [target, expected status]: 400 = refused as malformed (ours or Node's parser), 404 = no such route,
    // 431 = the request line is over the 8 KiB header limit.
    const targets: [string, number][] = [
      ['/v1/../v1/status', 400],
      ['/v1/./status', 400],
      ['/./v1/status', 400],
      ['/v1/status/.', 400],
      ['/v1/status/..', 400],
      ['/v1/status/../status', 400],
      ['/health/../v1/status', 400],
      ['/../v1/status', 400],
      ['/../../../../etc/passwd', 400],
      ['//v1/status', 400],
      ['/v1//status', 400],
      ['///v1/status', 400],
      ['//health/../v1/status', 400],
      [`//127.0.0.1:${P}/v1/status`, 400],
      ['/%2e%2e/v1/status', 400],
      ['/v1/%2E%2E/v1/status', 400],
      ['/%2e/v1/status', 400],
      ['/.%2e/v1/status', 400],
      ['/v1%2fstatus', 400],
      ['/v1%2Fstatus', 400],
      ['/%2fv1/status', 400],
      ['/v1/status%00', 400],
      ['/v1/status%20', 400],
      ['/%76%31/status', 400],
      ['/v1/st%61tus', 400],
      ['/v1/status%2f', 400],
      ['%2fv1%2fstatus', 400],
      ['/%252e%252e/v1/status', 400],
      ['/%c0%ae%c0%ae/v1/status', 400],
      ['/v1\\status', 400],
      ['\\v1\\status', 400],
      ['/v1/status\\', 400],
      ['/v1\\..\\v1\\status', 400],
      ['/..\\v1/status', 400],
      [`http://127.0.0.1:${P}/v1/status`, 400],
      [`HTTP://127.0.0.1:${P}/v1/status`, 400],
      ['http://evil.example/v1/status', 400],
      [`127.0.0.1:${P}`, 400],
      ['*', 400],
      ['/v1/status;jsessionid=1', 400],
      ['/v1/status#x', 400],
      ['/V1/Status', 404],
      ['/v1/status/', 404],
      ['/v1/status.json', 404],
      ['/v1/status~', 404],
      ['/v1', 404],
      ['/__proto__', 404],
      [`/v1/${'../'.repeat(2000)}v1/status`, 400],
      [`/${'a/'.repeat(3000)}`, 404],
      [`/${'a'.repeat(100_000)}`, 431],
      [`/v1/status?${'a'.repeat(100_000)}`, 431],
    ];
    const seen: Record<number, number> = {};
    for (const [target, expected] of targets) {
      for (const extra of [[], [`Authorization: Bearer ${token}`]]) {
        const r = await raw(port, request('GET', target, host, extra));
        const label = `${target.length > 60 ? `${target.slice(0, 40)}... (${target.length} chars)` : target} ${extra.length ? 'with' : 'without'} token`;
        assert.equal(r.status, expected, `${label}: ${r.text.split('\r\n')[0]}`);
        assert.ok(jsonError(r.body), label);
        seen[r.status] = (seen[r.status] ?? 0) + 1;
      }
    }
    // Bytes node:http will not send: raw UTF-8 and control characters in the target.
    for (const bytes of [
      Buffer.from(`GET /v1/st\u00e4tus HTTP/1.1\r\nHost: ${host}\r\n\r\n`, 'utf8'),
      Buffer.from(`GET /v1/status\x01 HTTP/1.1\r\nHost: ${host}\r\n\r\n`, 'latin1'),
    ]) {
      const r = await raw(port, bytes);
      assert.equal(r.status, 400);
      seen[400]++;
    }
    assert.equal(counter.calls, 0, 'status() was never called');
    // Control: the one real route still works, and a query string is ignored.
    assert.equal((await raw(port, request('GET', '/v1/status?x=/../..%2f', host, [`Authorization: Bearer ${token}`]))).status, 200);
    assert.equal((await raw(port, request('GET', '/v1/status?x=/../..%2f', host))).status, 401);
    assert.equal(counter.calls, 1);
    figure('hub-endpoint paths', {
      targets: targets.length + 2,
      requests: targets.length * 2 + 2,
      answered_400: seen[400],
      answered_404: seen[404],
      answered_431: seen[431],
      status_200: 0,
      status_calls: 0,
    });
  });

  test('methods other than GET and HEAD get 405 with Allow; CONNECT is hung up on; never 200', async () => {
    const { port, token, counter, host } = await start();
    const methods = ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE'];
    let answered = 0;
    for (const method of methods) {
      for (const target of ['/', '/health', '/v1/status']) {
        for (const headers of [{}, { Authorization: `Bearer ${token}` }]) {
          const r = await call(port, method, target, headers);
          assert.equal(r.status, 405, `${method} ${target}`);
          assert.equal(r.headers.allow, 'GET, HEAD', `${method} ${target}`);
          assert.equal(jsonError(r.text), 'method not allowed');
          answered++;
        }
      }
    }
    // Methods Node's parser does not know never get as far as the handler.
    for (const method of ['FOO', 'PROPFIND2', 'get']) {
      const r = await raw(port, request(method, '/health', host));
      assert.equal(r.status, 400, method);
    }
    // CONNECT: with no 'connect' listener Node destroys the socket without a word. Not an answer
    // we write, but never a 200 and never a tunnel.
    const connects = await Promise.all([
      raw(port, `CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n`),
      raw(port, `CONNECT /v1/status HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\n\r\n`),
      raw(port, `CONNECT ${host} HTTP/1.1\r\nHost: ${host}\r\n\r\nGET /health HTTP/1.1\r\nHost: ${host}\r\n\r\n`),
    ]);
    for (const r of connects) {
      assert.ok(r.closed, 'CONNECT: the server hung up');
      assert.equal(r.text, '', 'CONNECT: nothing was sent back, in particular no 200 and no tunnel');
    }
    // An upgrade request is just a GET to us: no 101, and the token is still required.
    const upgrade = await raw(port, request('GET', '/v1/status', host, ['Upgrade: websocket', 'Connection: Upgrade']));
    assert.equal(upgrade.status, 401);
    const head = await raw(port, request('HEAD', '/v1/status', host));
    assert.equal(head.status, 401);
    assert.equal(head.body, '');
    assert.equal(counter.calls, 0);
    figure('hub-endpoint methods', {
      methods: methods.length + 4,
      answered_405: answered,
      unknown_400: 3,
      connect_hung_up: connects.length,
      status_200: 0,
    });
  });
});

/** Open descriptors of this process, where the platform shows them. */
function openFds(): number | undefined {
  try {
    return fs.readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}

/** The soft limit on open files, from /proc (Linux); undefined elsewhere. */
function fdLimit(): number | undefined {
  try {
    const line = /^Max open files\s+(\d+|unlimited)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'))?.[1];
    return line === undefined || line === 'unlimited' ? undefined : Number(line);
  } catch {
    return undefined;
  }
}

/** Linux's count of connections dropped because a listen queue was full (all processes). */
function listenOverflows(): number | undefined {
  try {
    const [names, values] = fs
      .readFileSync('/proc/net/netstat', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('TcpExt:'));
    const i = names.split(' ').indexOf('ListenOverflows');
    return i > 0 ? Number(values.split(' ')[i]) : undefined;
  } catch {
    return undefined;
  }
}

describe('hub endpoint: flood', () => {
  test(
    `${scaled(1000, 200)} concurrent connections: the server stays up and /health answers during the flood`,
    { timeout: 120_000 },
    async () => {
      // A long request timeout so the held connections outlive every phase; close() ends them.
      // The cap on connections is lifted here (it has its own test): this measures the server under load.
      const { port, host } = await start({ requestTimeoutMs: 120_000, maxConnections: 10_000 });
      const fdsBefore = openFds() ?? 0;
      const overflowsBefore = listenOverflows();
      const limit = fdLimit();
      const concurrency = 50;
      // Client and server end both live in this process: two descriptors per held connection and
      // per request in flight. Under a low `ulimit -n` the flood shrinks rather than hit EMFILE.
      const wanted = scaled(1000, 200);
      const held = limit === undefined ? wanted : Math.min(wanted, Math.floor((limit - fdsBefore - 4 * concurrency - 100) / 2));
      assert.ok(held >= 100, `too few descriptors for a flood (limit ${limit})`);
      const requests = scaled(1000, 200);

      const sockets: net.Socket[] = [];
      const replies: string[] = [];
      const errors: string[] = [];
      try {
        for (let i = 0; i < held; i += 100) {
          await Promise.all(
            Array.from(
              { length: Math.min(100, held - i) },
              () =>
                new Promise<void>((resolve) => {
                  const socket = net.connect(port, '127.0.0.1');
                  const index = sockets.push(socket) - 1;
                  replies[index] = '';
                  socket.on('data', (c: Buffer) => (replies[index] += c.toString('latin1')));
                  socket.on('error', (err: NodeJS.ErrnoException) => {
                    errors.push(err.code ?? err.message);
                    resolve();
                  });
                  // Keep-alive and never finished: the blank line that ends the headers is held back.
                  socket.once('connect', () =>
                    socket.write(`GET /health HTTP/1.1\r\nHost: ${host}\r\nX-Flood: ${index}\r\n`, () => resolve()),
                  );
                }),
            ),
          );
          // Client and server share this event loop, and Node accepts about one connection per loop
          // turn: without this wait the batches outrun accept(), the listen backlog (511) overflows
          // and dropped SYNs come back a second later, which measures this test, not the server.
          const deadline = Date.now() + HANG_GUARD_MS;
          while ((openFds() ?? Infinity) < fdsBefore + 2 * sockets.length && Date.now() < deadline)
            await new Promise((r) => setTimeout(r, 5));
        }
        assert.deepEqual(errors, [], 'every held connection opened');
        const fdsPeakHeld = openFds() ?? 0;

        // Real /health requests while every held connection stays open.
        const latencies: number[] = [];
        const statuses = new Map<number, number>();
        let nextRequest = 0;
        const worker = async () => {
          while (nextRequest < requests) {
            nextRequest++;
            const started = process.hrtime.bigint();
            const r = await call(port, 'GET', '/health');
            latencies.push(ms(started));
            statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          }
        };
        // And a sequential probe, one request at a time, as a client polling the hub would.
        const probes: number[] = [];
        const probe = async () => {
          for (let i = 0; i < scaled(100, 30); i++) {
            const started = process.hrtime.bigint();
            const r = await call(port, 'GET', '/health');
            probes.push(ms(started));
            assert.equal(r.status, 200);
          }
        };
        await Promise.all([...Array.from({ length: concurrency }, worker), probe()]);
        assert.deepEqual([...statuses], [[200, requests]], 'every /health during the flood answered 200');
        const stillOpen = sockets.filter((s) => !s.destroyed && s.readable).length;
        assert.equal(stillOpen, held, 'the held connections are all still open');
        assert.ok(Math.max(...latencies, ...probes) < 5000, `a /health request took ${round(Math.max(...latencies, ...probes))} ms`);

        // Finish every held request: each one is answered, so the server kept all of them in step.
        const started = process.hrtime.bigint();
        await Promise.all(
          sockets.map(
            (socket, i) =>
              new Promise<void>((resolve, reject) => {
                const done = () => /^HTTP\/1\.1 200 /.test(replies[i]) && /\{"ok":true\}$/.test(replies[i]);
                if (done()) return resolve();
                const guard = setTimeout(
                  () => reject(new Error(`held connection ${i} never answered: ${JSON.stringify(replies[i])}`)),
                  HANG_GUARD_MS,
                );
                socket.on('data', () => {
                  if (!done()) return;
                  clearTimeout(guard);
                  resolve();
                });
                socket.write('\r\n');
              }),
          ),
        );
        const finishMs = ms(started);
        assert.deepEqual(errors, []);

        for (const socket of sockets) socket.destroy();
        // The server side of each connection goes away too: no descriptor leaks.
        const deadline = Date.now() + HANG_GUARD_MS;
        while ((openFds() ?? 0) > fdsBefore + 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        const fdsAfter = openFds() ?? 0;
        assert.ok(fdsAfter <= fdsBefore + 10, `descriptors: ${fdsBefore} before, ${fdsAfter} after`);
        assert.equal((await call(port, 'GET', '/health')).status, 200, 'still up after the flood');

        figure('hub-endpoint flood', {
          held_connections: held,
          health_requests: requests,
          concurrency,
          health_p50_ms: round(percentile(latencies, 50), 2),
          health_p99_ms: round(percentile(latencies, 99), 2),
          health_max_ms: round(Math.max(...latencies), 2),
          probe_p50_ms: round(percentile(probes, 50), 2),
          probe_p99_ms: round(percentile(probes, 99), 2),
          held_answered: held,
          held_finish_ms: round(finishMs, 0),
          fds_before: fdsBefore,
          fds_with_flood: fdsPeakHeld,
          fds_after: fdsAfter,
          fd_limit: limit ?? 'unknown',
          listen_overflows_system_wide: overflowsBefore === undefined ? 'unknown' : (listenOverflows() ?? 0) - overflowsBefore,
        });
      } finally {
        for (const socket of sockets) socket.destroy();
      }
    },
  );
});

describe('hub endpoint: token file', { skip: !POSIX && 'POSIX permissions and ownership' }, () => {
  const refusedNamingFile = async (stateDir: string, pattern: RegExp) => {
    const file = path.join(stateDir, 'hub.token');
    await assert.rejects(ensureHubToken(stateDir), (err: Error) => {
      assert.ok(err.message.includes(file), `the message names the file: ${err.message}`);
      assert.match(err.message, pattern);
      return true;
    });
  };
  let cases = 0;
  let refused = 0;
  after(() => figure('hub-endpoint token file', { cases, refused, accepted: cases - refused }));

  test('a new token file is 0600 in a 0700 directory whatever the umask, and is then reused', async () => {
    const previous = process.umask(0);
    let token: string;
    const stateDir = path.join(freshDir(), 'state');
    try {
      token = await ensureHubToken(stateDir);
    } finally {
      process.umask(previous);
    }
    const file = path.join(stateDir, 'hub.token');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.statSync(stateDir).mode & 0o777, 0o700);
    assert.equal(fs.readFileSync(file, 'utf8'), `${token}\n`);
    assert.equal(await ensureHubToken(stateDir), token);
    cases += 2;
    figure('hub-endpoint token file created', { mode: '0600', dir_mode: '0700', umask_during_create: '0000', reused: 'yes' });
  });

  test('modes wider than 0600 are refused naming the file; owner-only modes are accepted', async () => {
    const token = randomBytes(32).toString('hex');
    const wide = [0o640, 0o644, 0o666, 0o660, 0o604, 0o620, 0o602, 0o610, 0o601, 0o777];
    for (const mode of wide) {
      const stateDir = freshDir();
      const file = path.join(stateDir, 'hub.token');
      fs.writeFileSync(file, `${token}\n`);
      fs.chmodSync(file, mode);
      const octal = mode.toString(8).padStart(4, '0');
      await refusedNamingFile(stateDir, new RegExp(`permissions ${octal} are too wide.*chmod 600`));
      assert.equal(fs.statSync(file).mode & 0o777, mode, 'the mode is left as it was (no silent repair)');
      assert.equal(fs.readFileSync(file, 'utf8'), `${token}\n`, 'the file is left as it was');
      cases++;
      refused++;
    }
    for (const mode of [0o600, 0o400, 0o700]) {
      const stateDir = freshDir();
      const file = path.join(stateDir, 'hub.token');
      fs.writeFileSync(file, `${token}\n`);
      fs.chmodSync(file, mode);
      assert.equal(await ensureHubToken(stateDir), token, mode.toString(8));
      cases++;
    }
    figure('hub-endpoint token file modes', { refused_modes: wide.map((m) => m.toString(8)).join(','), accepted_modes: '600,400,700' });
  });

  test('a symlink, a directory, a FIFO or an oversized file at the token path is refused', async () => {
    const token = randomBytes(32).toString('hex');
    const target = path.join(freshDir(), 'elsewhere.token');
    fs.writeFileSync(target, `${token}\n`, { mode: 0o600 });

    const linked = freshDir();
    fs.symlinkSync(target, path.join(linked, 'hub.token'));
    await refusedNamingFile(linked, /is a symbolic link/);
    const dangling = freshDir();
    fs.symlinkSync(path.join(tmpRoot, 'does-not-exist'), path.join(dangling, 'hub.token'));
    await refusedNamingFile(dangling, /is a symbolic link/);
    assert.ok(!fs.existsSync(path.join(tmpRoot, 'does-not-exist')), 'nothing was created through the dangling link');
    const toDir = freshDir();
    fs.symlinkSync(freshDir(), path.join(toDir, 'hub.token'));
    await refusedNamingFile(toDir, /is a symbolic link/);
    assert.equal(fs.readFileSync(target, 'utf8'), `${token}\n`, 'the link target is untouched');

    const dir = freshDir();
    fs.mkdirSync(path.join(dir, 'hub.token'), { mode: 0o700 });
    await refusedNamingFile(dir, /is not a regular file/);

    const big = freshDir();
    fs.writeFileSync(path.join(big, 'hub.token'), `${token}\n`.repeat(100), { mode: 0o600 });
    await refusedNamingFile(big, /is larger than 4096 bytes/);
    cases += 5;
    refused += 5;

    let fifo = 'skipped (no mkfifo)';
    const fifoDir = freshDir();
    try {
      execFileSync('mkfifo', ['-m', '600', path.join(fifoDir, 'hub.token')], { stdio: 'ignore' });
      fifo = 'refused';
    } catch {
      /* no mkfifo on this machine */
    }
    if (fifo === 'refused') {
      await refusedNamingFile(fifoDir, /is not a regular file/); // and does not block on open
      cases++;
      refused++;
    }
    figure('hub-endpoint token file types', {
      symlink: 'refused',
      dangling_symlink: 'refused',
      symlink_to_dir: 'refused',
      directory: 'refused',
      oversized: 'refused',
      fifo,
    });
  });

  const root = POSIX && process.getuid?.() === 0;
  test(
    'a token file owned by another user is refused',
    { skip: !root && 'needs root to chown the file to another user (uid 65534)' },
    async () => {
      const stateDir = freshDir();
      const file = path.join(stateDir, 'hub.token');
      const token = randomBytes(32).toString('hex');
      fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
      fs.chownSync(file, 65534, 65534);
      await refusedNamingFile(stateDir, /is owned by uid 65534, not by this user \(uid 0\)/);
      assert.equal(fs.statSync(file).uid, 65534, 'ownership is left as it was');
      cases++;
      refused++;
      figure('hub-endpoint token file owner', { foreign_uid: 65534, result: 'refused' });
    },
  );
});
