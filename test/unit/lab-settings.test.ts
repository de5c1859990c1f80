import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { isLoopback, labSecretKey, parseLabUrls } from '../../src/core/fleet/lab-url';
import { readLabSettings, SettingsSource } from '../../src/extension/settings';

/** hubkeeper.lab.*: only the user's own values count, and the URL rules of Connect to Lab. */

function source(user: Record<string, unknown>, workspace: Record<string, unknown> = {}): SettingsSource {
  return {
    get: <T>(k: string) => (workspace[k] ?? user[k]) as T,
    inspect: <T>(k: string) => ({ globalValue: user[k] as T, workspaceValue: workspace[k] as T }),
  };
}

test("a repository's settings choose no lab, token file, station or remote permission", () => {
  const hostile = {
    'lab.url': 'https://attacker.example',
    'lab.tokenFile': '~/.ssh/id_ed25519',
    'lab.station': 'other-station',
    'lab.allowRemote': ['reap', 'release', 'adopt'],
  };
  const s = readLabSettings(source({}, hostile), { HUBKEEPER_HOSTNAME: 'this-host' }, '/home/u');
  assert.deepEqual(s, { url: '', tokenFile: undefined, station: 'this-host', allowRemote: [], problems: [] });
  const mine = readLabSettings(
    source({
      'lab.url': ' https://lab:8790 ',
      'lab.tokenFile': '~/lab.token',
      'lab.station': 'bench-1',
      'lab.allowRemote': ['reap', 'rm', 'reap'],
    }),
    {},
    '/home/u',
  );
  assert.equal(mine.url, 'https://lab:8790');
  assert.equal(mine.tokenFile, '/home/u/lab.token');
  assert.equal(mine.station, 'bench-1');
  assert.deepEqual(mine.allowRemote, ['reap']);
  assert.match(mine.problems.join('\n'), /"rm" is not one of release, reap, adopt/);
  const bad = readLabSettings(source({ 'lab.station': '<b>x</b>' }), { HUBKEEPER_HOSTNAME: 'h' }, '/home/u');
  assert.equal(bad.station, 'h');
  assert.match(bad.problems[0], /hubkeeper\.lab\.station .* is not used/);
});

test('lab URLs: http(s) only, no credentials, plain http to another host flagged, replicas by comma', () => {
  const ok = parseLabUrls('https://a:8790, http://127.0.0.1:8791/ignored/path');
  assert.ok('urls' in ok);
  assert.deepEqual(
    ok.urls.map((u) => u.href),
    ['https://a:8790/', 'http://127.0.0.1:8791/'],
  );
  assert.deepEqual(ok.cleartextHosts, []);
  const clear = parseLabUrls('http://lab.example:8790,http://[::1]:1');
  assert.ok('urls' in clear && clear.cleartextHosts.join() === 'lab.example:8790');
  for (const [text, why] of [
    ['', /no lab URL/],
    ['ftp://lab', /http:\/\/ or https:\/\//],
    ['https://user:pw@lab', /no user or password/],
    ['not a url', /is not a URL/],
    ['javascript:alert(1)', /http:\/\/ or https:\/\//],
  ] as const) {
    const r = parseLabUrls(text);
    assert.ok('problem' in r && why.test(r.problem), `${text}: ${JSON.stringify(r)}`);
  }
  assert.ok(isLoopback('localhost') && isLoopback('127.1.2.3') && isLoopback('[::1]') && !isLoopback('127.0.0.1.evil.com'));
  assert.equal(labSecretKey(new URL('https://lab:8790/x')), 'hubkeeper.lab.token:https://lab:8790');
});
