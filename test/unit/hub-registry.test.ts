import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { goCleanPath, workspaceId } from '../../src/core/hubs/workspace-id';
import { goString, goTime, parseHubEntry, serializeHubEntry } from '../../src/core/hubs/hub-entry';
import { readHubRegistry, registerIdleWorkspace, writeHubEntry } from '../../src/core/hubs/hub-registry';
import { defaultHubRoots, HubRoot, workspaceStateDir } from '../../src/core/hubs/hub-paths';
import { bonesLockState } from '../../src/core/hubs/hub-lock-state';
import { tempDir } from '../support/helpers';

/** The entry of formats.md §2, byte for byte as bones (Go json.MarshalIndent) writes it. */
const BONES_ENTRY = `{
  "cwd": "/home/ana/src/robot-cell",
  "name": "robot-cell",
  "hub_url": "http://127.0.0.1:43117",
  "nats_url": "nats://127.0.0.1:43118",
  "hub_pid": 81234,
  "started_at": "2026-03-05T14:00:00.123456789Z"
}`;

test('workspace ids match bones (formats.md vectors) and Go filepath.Clean', () => {
  assert.equal(workspaceId('/Users/dan/projects/foo'), '726a213943fe1d41');
  assert.equal(workspaceId('/Users/dan/projects/bar'), '45675b631d01125f');
  assert.equal(workspaceId('/Users/dan/projects/foo/'), '726a213943fe1d41');
  assert.equal(workspaceId('/Users//dan/./projects/x/../foo'), '726a213943fe1d41');
  const cases: [string, string][] = [
    ['', '.'],
    ['/', '/'],
    ['a/b/../..', '.'],
    ['../x/./y', '../x/y'],
    ['/../a', '/a'],
    ['//a//b/', '/a/b'],
    ['a/../../b', '../b'],
  ];
  for (const [input, want] of cases) assert.equal(goCleanPath(input), want, input);
});

test('bones entries are read and written back byte for byte', () => {
  const e = parseHubEntry(BONES_ENTRY, 'x.json');
  assert.deepEqual(e, {
    cwd: '/home/ana/src/robot-cell',
    name: 'robot-cell',
    hubUrl: 'http://127.0.0.1:43117',
    natsUrl: 'nats://127.0.0.1:43118',
    hubPid: 81234,
    startedAt: '2026-03-05T14:00:00.123456789Z',
  });
  assert.equal(serializeHubEntry(e), BONES_ENTRY);
  assert.equal(goString('a<b>&c"é\u2028'), '"a\\u003cb\\u003e\\u0026c\\"é\\u2028"');
  assert.equal(goTime(Date.UTC(2026, 2, 5, 14, 0, 0, 120)), '2026-03-05T14:00:00.12Z');
  assert.equal(goTime(Date.UTC(2026, 2, 5, 14, 0, 0, 0)), '2026-03-05T14:00:00Z');
});

test('entries are read the lenient way bones reads them, and rejected where bones rejects them', () => {
  const e = parseHubEntry('{"CWD": "/w", "Hub_PID": 7, "name": null, "extra": [1], "started_at": "2026-03-05T14:00:00+02:00"}', 'f.json');
  assert.equal(e.cwd, '/w');
  assert.equal(e.hubPid, 7);
  assert.equal(e.name, '');
  assert.throws(
    () => parseHubEntry('{"hub_pid": "7"}', 'f.json'),
    /^HubEntryError: f\.json: hub_pid: expected an integer, found a string$/,
  );
  assert.throws(() => parseHubEntry('{"hub_pid": 7.5}', 'f.json'), /hub_pid: expected an integer, found 7\.5/);
  assert.throws(() => parseHubEntry('{"started_at": "yesterday"}', 'f.json'), /started_at: not an RFC 3339 time/);
  assert.throws(() => parseHubEntry('{"cwd": ', 'f.json'), /f\.json: not valid JSON/);
});

function roots(home: string): HubRoot[] {
  return defaultHubRoots({ env: {}, home });
}

test('the registry lists both roots, folds legacy files into one workspace, and reports unreadable files without deleting them', async () => {
  const home = tempDir();
  const [own, bones] = roots(home);
  const dir = path.join(bones.dir, 'workspaces');
  fs.mkdirSync(dir, { recursive: true });
  const id = workspaceId('/home/ana/src/robot-cell');
  fs.writeFileSync(path.join(dir, `${id}.json`), BONES_ENTRY);
  fs.writeFileSync(path.join(dir, `${id}-81234.json`), BONES_ENTRY.replace('81234', '1'));
  fs.writeFileSync(path.join(dir, `${id}.json.tmp.abc123`), '{"half');
  fs.writeFileSync(path.join(dir, 'ffffffffffffffff.json'), '{"hub_pid": "x"}');
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'ignored');
  await writeHubEntry(own, { cwd: '/w/mine', name: 'mine', hubUrl: '', natsUrl: '', hubPid: 0, startedAt: '2026-03-05T14:00:00Z' });
  const { records, unreadable } = await readHubRegistry(roots(home), () => false);
  assert.deepEqual(
    records.map((r) => [r.root.kind, r.id, r.entry.hubPid]).sort(),
    [
      ['bones', id, 81234],
      ['hubkeeper', workspaceId('/w/mine'), 0],
    ].sort(),
  );
  assert.equal(records.find((r) => r.id === id)?.files.length, 2);
  assert.deepEqual(
    unreadable.map((u) => [path.basename(u.file), u.problem]),
    [['ffffffffffffffff.json', 'hub_pid: expected an integer, found a string']],
  );
  assert.ok(fs.existsSync(path.join(dir, 'ffffffffffffffff.json')), 'unreadable files are kept');
  const mode = fs.statSync(path.join(own.dir, 'workspaces', `${workspaceId('/w/mine')}.json`)).mode & 0o777;
  assert.equal(mode, 0o600);
});

test('a legacy-only workspace shows once; writing it replaces the legacy files by <id>.json', async () => {
  const home = tempDir();
  const [, bones] = roots(home);
  const dir = path.join(bones.dir, 'workspaces');
  fs.mkdirSync(dir, { recursive: true });
  const id = workspaceId('/home/ana/src/robot-cell');
  fs.writeFileSync(path.join(dir, `${id}-111.json`), BONES_ENTRY.replace('81234', '111'));
  fs.writeFileSync(path.join(dir, `${id}-222.json`), BONES_ENTRY.replace('81234', '222'));
  const { records } = await readHubRegistry([bones], (pid) => pid === 222);
  assert.equal(records.length, 1);
  assert.equal(records[0].entry.hubPid, 222, 'the legacy file whose hub runs wins');
  await writeHubEntry(bones, records[0].entry);
  assert.deepEqual(fs.readdirSync(dir), [`${id}.json`]);
});

test('idle registration writes hub_pid 0 but never overwrites a hub-written entry', async () => {
  const home = tempDir();
  const [own] = roots(home);
  await registerIdleWorkspace(own, '/w/a', 'a');
  const file = path.join(own.dir, 'workspaces', `${workspaceId('/w/a')}.json`);
  assert.match(fs.readFileSync(file, 'utf8'), /"hub_url": "",\n {2}"nats_url": "",\n {2}"hub_pid": 0,/);
  await writeHubEntry(own, {
    cwd: '/w/a',
    name: 'a',
    hubUrl: 'http://127.0.0.1:1',
    natsUrl: '',
    hubPid: 42,
    startedAt: '2026-03-05T14:00:00Z',
  });
  await registerIdleWorkspace(own, '/w/a', 'renamed');
  assert.match(fs.readFileSync(file, 'utf8'), /"hub_pid": 42/);
});

test('HUBKEEPER_HOME, HUBKEEPER_DIR and BONES_DIR move the state', () => {
  assert.equal(defaultHubRoots({ env: { HUBKEEPER_HOME: '~/hk' }, home: '/h' })[0].dir, '/h/hk');
  assert.equal(workspaceStateDir('/w', 'bones', { env: { BONES_DIR: '/var/bones' }, home: '/h' }), '/var/bones');
  assert.equal(workspaceStateDir('/w', 'hubkeeper', { env: { HUBKEEPER_DIR: '.hk' }, home: '/h' }), '/w/.hk');
  assert.equal(workspaceStateDir('/w', 'hubkeeper', { env: {}, home: '/h' }), '/w/.hubkeeper');
});

test("bones' hub lock read side: free, held by a live pid, stale when the pid is dead or recycled", async () => {
  const ws = tempDir();
  const state = path.join(ws, '.bones');
  fs.mkdirSync(state);
  assert.equal((await bonesLockState(state)).state, 'free');
  fs.writeFileSync(path.join(state, 'hub.lock'), '');
  fs.writeFileSync(path.join(state, 'hub.lock.pid'), `${process.pid}\n`);
  assert.equal((await bonesLockState(state)).state, 'held');
  fs.writeFileSync(path.join(state, 'hub.lock.pid'), `${2 ** 22 + 7}\n`);
  assert.deepEqual(await bonesLockState(state).then((s) => [s.state, s.evidence]), ['stale', `holder pid ${2 ** 22 + 7} is not running`]);
  fs.writeFileSync(path.join(state, 'hub.lock.pid'), `${process.pid}\n`);
  const past = new Date(Date.now() - 3600_000);
  fs.utimesSync(path.join(state, 'hub.lock.pid'), past, past); // written before this process started
  assert.match((await bonesLockState(state)).evidence, /now belongs to a process that started at .*, after it was recorded/);
});
