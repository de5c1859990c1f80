import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChildProcess, spawn } from 'node:child_process';
import { directoryProblem, linkProblem, TRUST_GROUP_WRITABLE_HINT, User } from '../../src/core/fs/write-safety';
import { RegistryFile } from '../../src/core/registry/registry-file';
import { RegistryError } from '../../src/core/registry/errors';
import { emptyDocument } from '../../src/core/registry/types';
import { listProcesses } from '../../src/core/processes/process-table';
import { CLI, CliResult, exited, runCli, tempDir, track, waitFor, waitForLine, which } from '../support/helpers';
import { MADSCI_EXAMPLE } from '../support/samples';
import { figure } from './profile';

/**
 * Hostile registry links (the "hostile files" family): a registry.json that is, or becomes, a
 * symlink or lives in a directory someone else can write. The attack: another local user who can
 * write `.madsci/` swaps registry.json for a link (or the link for a file) while holding MADSci's
 * flock, and a victim's write then lands in a file of the attacker's choosing, e.g. ~/.bashrc.
 * Every case runs the real CLI (dist/cli.js) or the real RegistryFile on real files, with a real
 * second process (util-linux flock) holding the flock. A fake `bashrc` in the temp dir is the
 * decoy; after each refused write it must be byte for byte what it was, and so must the registry.
 *
 * Figure: cases, writes refused with the exact one-line reason, files checked unchanged after a
 * refusal, writes that had to succeed and did, failures.
 */

const tally = { cases: 0, refused: 0, unchanged: 0, accepted: 0, failed: 0 };
after(() =>
  figure('hostile-registry-links', {
    cases: tally.cases,
    refused_exactly: tally.refused,
    files_unchanged: tally.unchanged,
    safe_writes_done: tally.accepted,
    failed: tally.failed,
  }),
);

const ROOT_ONLY = process.getuid?.() !== 0 && 'needs root to give files to another user (uid 65534)';
const NO_FLOCK = (!which('flock') || !which('perl')) && 'needs util-linux flock(1) and perl (the lock helper whose wait the test observes)';
const UID = process.getuid?.() ?? -1;
const BASHRC = 'export PATH="$HOME/bin:$PATH"\nalias ll="ls -l"\n';
const OTHER_REGISTRY = '{"entries": {}}';

function hostile(name: string, run: () => Promise<void>, skip: string | false = false): void {
  test(name, { skip }, async () => {
    tally.cases++;
    try {
      await run();
    } catch (err) {
      tally.failed++;
      throw err;
    }
  });
}

/** A lab: `<dir>/lab/.madsci/registry.json` (null: no file) and the decoy `<dir>/home/bashrc`, all ours. */
function lab(registryContent: string | null = MADSCI_EXAMPLE) {
  const dir = fs.realpathSync(tempDir('hubkeeper-links-'));
  const madsci = path.join(dir, 'lab', '.madsci');
  const home = path.join(dir, 'home');
  fs.mkdirSync(madsci, { recursive: true, mode: 0o755 });
  fs.mkdirSync(home, { mode: 0o755 });
  const registry = path.join(madsci, 'registry.json');
  const decoy = path.join(home, 'bashrc');
  fs.writeFileSync(decoy, BASHRC);
  if (registryContent !== null) fs.writeFileSync(registry, registryContent);
  return { dir, madsci, home, registry, decoy };
}

/** What is at `file`, without following a link. */
function fingerprint(file: string): string {
  const st = fs.lstatSync(file);
  return st.isSymbolicLink() ? `link -> ${fs.readlinkSync(file)}` : `file ${fs.readFileSync(file).toString('base64')}`;
}

function assertUnchanged(before: Record<string, string>): void {
  for (const [file, print] of Object.entries(before)) {
    assert.equal(fingerprint(file), print, `${file} changed`);
    tally.unchanged++;
  }
}

const snapshot = (...files: string[]) => Object.fromEntries(files.map((f) => [f, fingerprint(f)]));

/** The CLI, not trusting group-writable directories unless told (whatever this shell has set). */
function cli(registry: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCli(['--registry', registry, ...args], { env: { HUBKEEPER_TRUST_GROUP_WRITABLE: '', ...env } });
}

const RESOLVE = ['components', 'resolve', 'victim_node', '--type', 'node', '--no-lock'];

function assertRefused(r: CliResult, line: string): void {
  assert.equal(r.stderr, `hubkeeper: ${line}\n`, 'one line naming the file and why');
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '', 'no id printed');
  tally.refused++;
}

async function assertResolves(registry: string, r: CliResult, readBack: string = registry): Promise<void> {
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  assert.equal((await cli(readBack, ['components', 'lookup', 'victim_node'])).stdout.trim(), id, 'the entry is in the file');
  tally.accepted++;
}

/**
 * Runs the victim CLI while a second process holds MADSci's flock on registry.json.lock; once the
 * victim waits for that flock (its lock helper for that file runs), the holder runs `swap` (sh)
 * and releases. Resolves with the victim's result.
 */
async function victimWhileSwapped(registry: string, swap: string, env: NodeJS.ProcessEnv): Promise<CliResult> {
  const lockFile = `${registry}.lock`;
  const holder = track(
    spawn('flock', ['--exclusive', lockFile, 'sh', '-c', `echo locked; read go; ${swap}; echo swapped; read done`], {
      cwd: path.dirname(registry),
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  await waitForLine(holder, 'locked');
  const victim = track(
    spawn(process.execPath, [CLI, '--registry', registry, ...RESOLVE], {
      env: { ...process.env, NO_COLOR: '1', HUBKEEPER_TRUST_GROUP_WRITABLE: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const result = collect(victim);
  await waitFor(
    () => listProcesses().some((p) => p.ppid === victim.pid && p.argv.includes(lockFile)),
    "the victim to wait for MADSci's flock",
  );
  holder.stdin?.write('\n');
  await waitForLine(holder, 'swapped');
  assert.equal(victim.exitCode, null, 'the victim is still waiting for the flock while the path is swapped');
  holder.stdin?.end('\n');
  assert.equal((await exited(holder)).code, 0);
  return result;
}

function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c) => (stdout += c));
  child.stderr?.on('data', (c) => (stderr += c));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const changedWaiting = (registry: string, was: string, now: string) =>
  `${registry}: changed while waiting for the registry lock (it was ${was}, now it is ${now}); nothing was written`;

// --- paths swapped while MADSci's flock is held ------------------------------------------------

hostile(
  'the repro: registry.json -> bashrc, swapped for a valid registry file under the flock; the victim writes nothing',
  async () => {
    const { registry, decoy } = lab(null);
    fs.symlinkSync(decoy, registry);
    const r = await victimWhileSwapped(registry, 'printf "%s" "$REG" > registry.json.new && mv registry.json.new registry.json', {
      REG: OTHER_REGISTRY,
    });
    assertRefused(r, changedWaiting(registry, `a symbolic link to ${decoy}`, 'a regular file'));
    assert.equal(fs.readFileSync(decoy, 'utf8'), BASHRC, 'bashrc is byte for byte what it was');
    assertUnchanged(snapshot(decoy, registry));
    assert.equal(fs.readFileSync(registry, 'utf8'), OTHER_REGISTRY, "the attacker's file is not written either");
  },
  NO_FLOCK,
);

hostile(
  'a registry file swapped for a link to another JSON file under the flock: refused, the link not replaced',
  async () => {
    const { registry, home } = lab();
    const decoy = path.join(home, 'settings.json');
    fs.writeFileSync(decoy, OTHER_REGISTRY); // valid JSON: nothing but the swap check stops the write
    const r = await victimWhileSwapped(registry, 'ln -s "$DECOY" registry.json.new && mv registry.json.new registry.json', {
      DECOY: decoy,
    });
    assertRefused(r, changedWaiting(registry, 'a regular file', `a symbolic link to ${decoy}`));
    assertUnchanged({ [registry]: `link -> ${decoy}`, [decoy]: `file ${Buffer.from(OTHER_REGISTRY).toString('base64')}` });
  },
  NO_FLOCK,
);

hostile(
  'a link re-aimed at another file under the flock: refused, both files unchanged',
  async () => {
    const { registry, home, decoy } = lab(null);
    const mine = path.join(home, 'registry.json');
    fs.writeFileSync(mine, MADSCI_EXAMPLE);
    fs.symlinkSync(mine, registry);
    fs.writeFileSync(decoy, OTHER_REGISTRY);
    const before = snapshot(mine, decoy);
    const r = await victimWhileSwapped(registry, 'ln -s "$DECOY" registry.json.new && mv registry.json.new registry.json', {
      DECOY: decoy,
    });
    assertRefused(r, changedWaiting(registry, `a symbolic link to ${mine}`, `a symbolic link to ${decoy}`));
    assertUnchanged(before);
  },
  NO_FLOCK,
);

// --- the file read is the file written ---------------------------------------------------------

hostile('the file replaced between the read and the rename (by a writer ignoring the locks): refused, its content kept', async () => {
  const { registry } = lab();
  const reg = new RegistryFile(registry, { tornReadRetryMs: 0 });
  const replaced = () => {
    fs.writeFileSync(`${registry}.theirs`, OTHER_REGISTRY);
    fs.renameSync(`${registry}.theirs`, registry);
  };
  await assert.rejects(
    reg.update((doc, now) => (replaced(), { doc: doc ?? emptyDocument(now), result: undefined })),
    (e: unknown) =>
      e instanceof RegistryError &&
      e.message ===
        `${registry}: changed while it was being updated (${registry} is no longer the file that was read); nothing was written`,
  );
  tally.refused++;
  assert.equal(fs.readFileSync(registry, 'utf8'), OTHER_REGISTRY);
  tally.unchanged++;
  assert.deepEqual(
    fs.readdirSync(path.dirname(registry)).filter((f) => f.includes('tmp')),
    [],
    'the temp file is removed',
  );
});

hostile('the file replaced by a link between the read and the rename: refused, the link and its target kept', async () => {
  const { registry, decoy } = lab();
  const reg = new RegistryFile(registry, { tornReadRetryMs: 0 });
  const swap = () => {
    fs.symlinkSync(decoy, `${registry}.theirs`);
    fs.renameSync(`${registry}.theirs`, registry);
  };
  await assert.rejects(
    reg.update((doc, now) => (swap(), { doc: doc ?? emptyDocument(now), result: undefined })),
    (e: unknown) =>
      e instanceof RegistryError &&
      e.message ===
        `${registry}: changed while it was being updated (it was a regular file, now it is a symbolic link to ${decoy}); nothing was written`,
  );
  tally.refused++;
  assertUnchanged({ [registry]: `link -> ${decoy}`, [decoy]: `file ${Buffer.from(BASHRC).toString('base64')}` });
});

// --- dangling links ----------------------------------------------------------------------------

hostile('a dangling link: refused, nothing created where it points', async () => {
  const { registry, home } = lab(null);
  const target = path.join(home, 'registry.json');
  fs.symlinkSync(target, registry);
  assertRefused(
    await cli(registry, RESOLVE),
    `${registry} is a symbolic link to ${target}, which does not exist; refusing to create a file through it`,
  );
  assert.deepEqual(fs.readdirSync(home), ['bashrc'], 'nothing created in the directory it points into');
});

hostile('a dangling link into a missing directory: refused, no directory created', async () => {
  const { registry, home } = lab(null);
  const target = path.join(home, 'new', 'dir', 'registry.json');
  fs.symlinkSync(target, registry);
  assertRefused(
    await cli(registry, RESOLVE),
    `${registry} is a symbolic link to ${target}, which does not exist; refusing to create a file through it`,
  );
  assert.deepEqual(fs.readdirSync(home), ['bashrc']);
});

// --- directories others can write --------------------------------------------------------------

for (const mode of [0o777, 0o1777]) {
  const octal = mode.toString(8).padStart(4, '0');
  hostile(`a registry directory with mode ${octal}: the write is refused, reads still work and flag it`, async () => {
    const { registry, madsci } = lab();
    fs.chmodSync(madsci, mode);
    const before = snapshot(registry);
    const reason = `${registry}: refusing to write: the directory ${madsci} is writable by every user (mode ${octal}), who could swap the file for a symbolic link`;
    assertRefused(await cli(registry, RESOLVE), reason);
    assertRefused(await cli(registry, RESOLVE, { HUBKEEPER_TRUST_GROUP_WRITABLE: '1' }), reason);
    assertUnchanged(before);
    const list = await cli(registry, ['components', 'list', '--include-stale']);
    assert.equal(list.code, 0);
    assert.match(list.stdout, /^liquidhandler_1 +node /m, 'the entries still show');
    assert.equal(list.stderr, `warning: ${reason} (reading it still works)\n`);
    assert.equal(JSON.parse((await cli(registry, ['components', 'list', '--json'])).stdout).write_refused, reason);
    assert.equal(JSON.parse((await cli(registry, ['status', '--json'])).stdout).registry.write_refused, reason);
  });
}

hostile(
  'a group-writable (0775) registry directory: refused without the opt-in, written with --trust-group-writable or HUBKEEPER_TRUST_GROUP_WRITABLE=1',
  async () => {
    const { registry, madsci } = lab();
    fs.chmodSync(madsci, 0o775);
    const before = snapshot(registry);
    const gid = fs.statSync(madsci).gid; // ours: the group it was created with
    assertRefused(
      await cli(registry, RESOLVE),
      `${registry}: refusing to write: the directory ${madsci} is writable by group ${gid} (mode 0775); ${TRUST_GROUP_WRITABLE_HINT}`,
    );
    assertUnchanged(before);
    await assertResolves(registry, await cli(registry, ['--trust-group-writable', ...RESOLVE]));
    await assertResolves(registry, await cli(registry, RESOLVE, { HUBKEEPER_TRUST_GROUP_WRITABLE: '1' }));
  },
);

hostile(
  "a directory writable by a group that is not the user's: refused even with the opt-in",
  async () => {
    const { registry, madsci } = lab();
    fs.chownSync(madsci, UID, 65534);
    fs.chmodSync(madsci, 0o775);
    const before = snapshot(registry);
    assertRefused(
      await cli(registry, ['--trust-group-writable', ...RESOLVE]),
      `${registry}: refusing to write: the directory ${madsci} is writable by group 65534, which is not one of yours (mode 0775)`,
    );
    assertUnchanged(before);
  },
  ROOT_ONLY,
);

// --- other users' links and directories --------------------------------------------------------

hostile(
  'a registry directory owned by another user: refused',
  async () => {
    const { registry, madsci } = lab();
    fs.chownSync(madsci, 65534, 65534);
    const before = snapshot(registry);
    assertRefused(
      await cli(registry, RESOLVE),
      `${registry}: refusing to write: the directory ${madsci} is owned by uid 65534, not by you (uid ${UID}) or root`,
    );
    assertUnchanged(before);
  },
  ROOT_ONLY,
);

hostile(
  'a registry link owned by another user (pointing at our own file): refused',
  async () => {
    const { registry, home } = lab(null);
    const mine = path.join(home, 'registry.json');
    fs.writeFileSync(mine, MADSCI_EXAMPLE);
    fs.symlinkSync(mine, registry);
    fs.lchownSync(registry, 65534, 65534);
    const before = snapshot(registry, mine);
    assertRefused(
      await cli(registry, RESOLVE),
      `${registry}: refusing to write: the symbolic link ${registry} is owned by uid 65534, not by you (uid ${UID}) or root`,
    );
    assertUnchanged(before);
  },
  ROOT_ONLY,
);

hostile(
  "our link into another user's directory: refused",
  async () => {
    const { dir, registry } = lab(null);
    const theirs = path.join(dir, 'theirs');
    fs.mkdirSync(theirs, { mode: 0o755 });
    fs.writeFileSync(path.join(theirs, 'registry.json'), MADSCI_EXAMPLE);
    fs.chownSync(theirs, 65534, 65534);
    fs.symlinkSync(path.join(theirs, 'registry.json'), registry);
    const before = snapshot(registry, path.join(theirs, 'registry.json'));
    assertRefused(
      await cli(registry, RESOLVE),
      `${registry}: refusing to write: the directory ${theirs} is owned by uid 65534, not by you (uid ${UID}) or root`,
    );
    assertUnchanged(before);
  },
  ROOT_ONLY,
);

// --- what must keep working --------------------------------------------------------------------

hostile('our own link in our own directory to our own file: written at the target, the link kept', async () => {
  const { dir, registry } = lab(null);
  const real = path.join(dir, 'shared', 'registry.json');
  fs.mkdirSync(path.dirname(real), { mode: 0o755 });
  fs.writeFileSync(real, MADSCI_EXAMPLE);
  fs.symlinkSync('../../shared/registry.json', registry);
  await assertResolves(registry, await cli(registry, RESOLVE), real);
  assert.equal(fs.readlinkSync(registry), '../../shared/registry.json', 'the link is still a link, pointing where it did');
});

hostile('a registry in a symlinked directory (.madsci -> elsewhere): written, without waiting on its own lock twice', async () => {
  const { dir } = lab(null);
  const shared = path.join(dir, 'shared-madsci');
  fs.mkdirSync(shared, { mode: 0o755 });
  fs.writeFileSync(path.join(shared, 'registry.json'), MADSCI_EXAMPLE);
  fs.symlinkSync(shared, path.join(dir, 'lab', 'linked'));
  const registry = path.join(dir, 'lab', 'linked', 'registry.json');
  await assertResolves(registry, await cli(registry, RESOLVE), path.join(shared, 'registry.json'));
});

// --- the rule itself ---------------------------------------------------------------------------

test('the directory rule: own or root-owned, writable by no one else; group only when opted in and ours', () => {
  // Pure rule on stat-shaped values: the uids and groups of another user cannot be taken here.
  const user: User = { uid: 1000, gids: [1000, 27] };
  const dir = (uid: number, gid: number, mode: number) => ({ uid, gid, mode: 0o040000 | mode }) as fs.Stats;
  const cases: [string, fs.Stats, boolean, string | undefined][] = [
    ['own 0755', dir(1000, 1000, 0o755), false, undefined],
    ['root-owned 0755 (/etc-like)', dir(0, 0, 0o755), false, undefined],
    [
      'root-owned 1777 (/tmp itself)',
      dir(0, 0, 0o1777),
      false,
      'the directory d is writable by every user (mode 1777), who could swap the file for a symbolic link',
    ],
    [
      'root-owned 0775, group not ours',
      dir(0, 50, 0o775),
      true,
      'the directory d is writable by group 50, which is not one of yours (mode 0775)',
    ],
    ['own 0775, our group, opted in', dir(1000, 27, 0o775), true, undefined],
    [
      'own 0775, our group, not opted in',
      dir(1000, 27, 0o775),
      false,
      `the directory d is writable by group 27 (mode 0775); ${TRUST_GROUP_WRITABLE_HINT}`,
    ],
    ['another user 0755', dir(1001, 1001, 0o755), false, 'the directory d is owned by uid 1001, not by you (uid 1000) or root'],
  ];
  for (const [what, st, trust, expected] of cases)
    assert.equal(directoryProblem('d', st, user, { trustGroupWritable: trust }), expected, what);
  assert.equal(linkProblem('l', { uid: 0 } as fs.Stats, user), undefined, 'root-owned link');
  assert.equal(
    linkProblem('l', { uid: 1001 } as fs.Stats, user),
    'the symbolic link l is owned by uid 1001, not by you (uid 1000) or root',
  );
});
