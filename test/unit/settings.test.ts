import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_HEARTBEAT_MS, DEFAULT_LEASE_TTL_MS, DEFAULT_PROBE_INTERVAL_MS, DEFAULT_REAP_GRACE_MS } from '../../src/core/defaults';
import { defaultHubRoots } from '../../src/core/hubs/hub-paths';
import { readSettings, SettingsSource } from '../../src/extension/settings';
import { english } from '../../src/extension/translate';
import { ROOT } from '../support/helpers';

/**
 * The extension's settings as VS Code hands them over: package.json's defaults where nothing is
 * set (the way WorkspaceConfiguration.get answers), the user's values over them. No editor.
 */

const properties: Record<string, { default?: unknown }> = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).contributes
  .configuration.properties;

function configuration(user: Record<string, unknown> = {}): SettingsSource {
  const key = (k: string) => `hubkeeper.${k}`;
  return {
    get: <T>(k: string) => (k in user ? user[k] : properties[key(k)]?.default) as T,
    inspect: <T>(k: string) => ({ globalValue: user[k] as T }),
  };
}

test('with HUBKEEPER_HOME set, the Hubs view reads the root this window registers its own hub in', () => {
  const home = '/home/ana';
  const env = { HUBKEEPER_HOME: '/srv/hubkeeper-home' };
  // The window's hub session registers in defaultHubRoots(env)[0] (core/hubs/hub-session.ts).
  const settings = readSettings(configuration(), true, english, { env, home });
  assert.deepEqual(settings.hubRoots, defaultHubRoots({ env, home }));
  assert.equal(settings.hubRoots[0].dir, '/srv/hubkeeper-home');
});

test("a list in hubkeeper.workspaceRegistries replaces the defaults; a .bones directory is read with bones' rules", () => {
  const home = '/home/ana';
  const settings = readSettings(
    configuration({ workspaceRegistries: ['~/lab/.bones/workspaces', '/srv/hubs/workspaces'] }),
    true,
    english,
    {
      env: {},
      home,
    },
  );
  assert.deepEqual(settings.hubRoots, [
    { kind: 'bones', dir: '/home/ana/lab/.bones' },
    { kind: 'hubkeeper', dir: '/srv/hubs' },
  ]);
});

test("package.json's defaults are core's defaults, and a value of the wrong type falls back to them", () => {
  for (const source of [
    configuration(),
    configuration({ leaseTtlSeconds: 'x', heartbeatIntervalSeconds: null, probeIntervalSeconds: {}, reapGraceSeconds: [] }),
  ]) {
    const s = readSettings(source, true, english, { env: {}, home: '/home/ana' });
    assert.equal(s.leaseTtlMs, DEFAULT_LEASE_TTL_MS);
    assert.equal(s.heartbeatMs, DEFAULT_HEARTBEAT_MS);
    assert.equal(s.probeIntervalMs, DEFAULT_PROBE_INTERVAL_MS);
    assert.equal(s.reapGraceMs, DEFAULT_REAP_GRACE_MS);
  }
});
