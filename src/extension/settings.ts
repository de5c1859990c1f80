import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_HEARTBEAT_MS, DEFAULT_LEASE_TTL_MS, DEFAULT_PROBE_INTERVAL_MS, DEFAULT_REAP_GRACE_MS } from '../core/defaults';
import { defaultHubRoots, HubEnv, HubRoot } from '../core/hubs/hub-paths';
import { expandHome } from '../core/registry/discovery';
import { workspaceRegistryPathProblem } from '../core/registry/registry-name';
import { ComponentType, isComponentType } from '../core/registry/types';
import { Translate } from './translate';
import { REMOTE_KINDS, RemoteKind } from '../core/lab/fleet-store';
import { stationProblem } from '../core/lab/lab-keys';
import { hostName } from '../core/processes/host-name';

/**
 * The `hubkeeper.*` settings, read fresh each time (changes apply without a reload). No vscode
 * import: the caller passes the configuration (vscode.workspace.getConfiguration('hubkeeper')),
 * so the unit tests read package.json's defaults through the same code. The ignored registryPath
 * is shown in the Components view, so it is said through `t` (translate.ts); the bad claims go to
 * the log only, in English like every log line.
 */

/** What is read of a vscode.WorkspaceConfiguration. */
export interface SettingsSource {
  get<T>(key: string): T | undefined;
  inspect<T>(key: string): { globalValue?: T; workspaceValue?: T; workspaceFolderValue?: T } | undefined;
}

export interface Claim {
  name: string;
  type: ComponentType;
  metadata?: Record<string, unknown>;
}

export interface Settings {
  registryPath?: string;
  /** Write registries in directories writable by one of the user's groups (machine scope only). */
  trustGroupWritable: boolean;
  /** A registryPath from workspace or folder settings that is not used, and why (log and view). */
  registryPathProblem?: string;
  claims: Claim[];
  /** Claims that are not usable, with why (shown in the log). */
  badClaims: string[];
  leaseTtlMs: number;
  heartbeatMs: number;
  hubRoots: HubRoot[];
  hubEnabled: boolean;
  probeIntervalMs: number;
  reapGraceMs: number;
  statusBarEnabled: boolean;
  lab: LabSettings;
}

/** `hubkeeper.lab.*`: all machine scope, read from the user's own settings only (never a workspace's). */
export interface LabSettings {
  /** The URL text as set (empty: no lab); parsed by core/fleet/lab-url.ts. */
  url: string;
  tokenFile?: string;
  station: string;
  allowRemote: RemoteKind[];
  /** Values that are not used, with why (logged). */
  problems: string[];
}

/** `trusted`: whether the workspace is trusted; an untrusted one's settings never choose a file. */
export function readSettings(
  c: SettingsSource,
  trusted: boolean,
  t: Translate,
  hubEnv: HubEnv = { env: process.env, home: os.homedir() },
): Settings {
  const home = hubEnv.home ?? os.homedir();
  const claims: Claim[] = [];
  const badClaims: string[] = [];
  const rawClaims = c.get<unknown>('claims');
  if (rawClaims !== undefined && !Array.isArray(rawClaims))
    badClaims.push('hubkeeper.claims must be a list of {"name", "type"} objects; ignored');
  for (const raw of Array.isArray(rawClaims) ? rawClaims : []) {
    const claim = raw as Partial<Claim> | null;
    if (!claim || typeof claim.name !== 'string' || !isComponentType(claim.type))
      badClaims.push(
        `hubkeeper.claims: ${JSON.stringify(raw)} needs a "name" and a "type" (node, module, manager, experiment or workcell)`,
      );
    else claims.push({ name: claim.name, type: claim.type, metadata: claim.metadata });
  }
  // A hand-edited settings.json can hold anything: a value of the wrong type falls back to the default.
  const num = (key: string, fallback: number) => {
    const v = c.get<unknown>(key);
    return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
  };
  // The same bounds as package.json's minimum/maximum, which the settings editor shows but a file need not obey.
  const ttl = bounded(num('leaseTtlSeconds', DEFAULT_LEASE_TTL_MS / 1000), 3, 3600);
  const beat = Math.max(1, Math.min(num('heartbeatIntervalSeconds', DEFAULT_HEARTBEAT_MS / 1000), 600, ttl / 2));
  const { registryPath, registryPathProblem } = readRegistryPath(c, trusted, home, t);
  // Empty (the default) or unusable: the roots the CLI and this window's own hub use, which
  // honour HUBKEEPER_HOME; a list replaces them.
  const rawRoots = c.get<unknown>('workspaceRegistries');
  const listed = Array.isArray(rawRoots) && rawRoots.every((r) => typeof r === 'string') ? (rawRoots as string[]) : [];
  return {
    // Only the user's own settings count, never a workspace's (also declared "scope": "machine").
    trustGroupWritable: c.inspect<unknown>('registry.trustGroupWritable')?.globalValue === true,
    registryPath,
    registryPathProblem,
    claims,
    badClaims,
    leaseTtlMs: ttl * 1000,
    heartbeatMs: beat * 1000,
    hubRoots: listed.length ? listed.map((d) => rootOf(d, home)) : defaultHubRoots(hubEnv),
    hubEnabled: c.get<unknown>('hub.enabled') !== false,
    probeIntervalMs: bounded(num('probeIntervalSeconds', DEFAULT_PROBE_INTERVAL_MS / 1000), 2, 3600) * 1000,
    reapGraceMs: bounded(num('reapGraceSeconds', DEFAULT_REAP_GRACE_MS / 1000), 0, 60) * 1000,
    statusBarEnabled: c.get<unknown>('statusBar.enabled') !== false,
    lab: readLabSettings(c, hubEnv.env, home),
  };
}

/**
 * Only the user's value (`inspect().globalValue`) counts: a repository's .vscode/settings.json
 * must not choose where the token is sent, which file is read as a token, or what other machines
 * may do here. package.json declares them "machine" too; this holds even if a value gets through.
 */
export function readLabSettings(c: SettingsSource, env: Readonly<Record<string, string | undefined>>, home: string): LabSettings {
  const user = (key: string) => c.inspect<unknown>(`lab.${key}`)?.globalValue;
  const problems: string[] = [];
  const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const tokenFile = str(user('tokenFile'));
  let station = str(user('station'));
  if (station && stationProblem(station)) {
    problems.push(`hubkeeper.lab.station ${JSON.stringify(station.slice(0, 80))} is not used: ${stationProblem(station)}`);
    station = '';
  }
  const rawAllow = user('allowRemote');
  const allowRemote = (Array.isArray(rawAllow) ? rawAllow : []).filter((k): k is RemoteKind => {
    const ok = (REMOTE_KINDS as readonly unknown[]).includes(k);
    if (!ok) problems.push(`hubkeeper.lab.allowRemote: ${JSON.stringify(k)} is not one of ${REMOTE_KINDS.join(', ')}; ignored`);
    return ok;
  });
  return {
    url: str(user('url')),
    tokenFile: tokenFile ? path.resolve(expandHome(tokenFile, home)) : undefined,
    station: station || hostName(env as NodeJS.ProcessEnv),
    allowRemote: [...new Set(allowRemote)],
    problems,
  };
}

/**
 * `hubkeeper.registryPath`, by where its value came from (`inspect()`). A value from the user's
 * (or the remote machine's) settings is the user's choice. One from workspace or folder settings
 * came with the repository: it may only name an existing registry.json, so it cannot make a claim
 * create or overwrite some other file (`~/.bash_aliases`); otherwise it is ignored and the user's
 * value (or discovery) applies. An untrusted workspace's value is ignored altogether.
 */
function readRegistryPath(
  c: SettingsSource,
  trusted: boolean,
  home: string,
  t: Translate,
): { registryPath?: string; registryPathProblem?: string } {
  const info = c.inspect<unknown>('registryPath');
  const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const resolve = (p: string) => (p ? path.resolve(expandHome(p, home)) : undefined);
  const user = resolve(text(info?.globalValue));
  const fromWorkspace = text(info?.workspaceFolderValue) || text(info?.workspaceValue);
  if (!fromWorkspace) return { registryPath: user };
  const candidate = resolve(fromWorkspace) as string;
  const problem = trusted ? workspaceRegistryPathProblem(candidate) : t('this workspace is not trusted');
  if (!problem) return { registryPath: candidate };
  return {
    registryPath: user,
    registryPathProblem: t(
      "hubkeeper.registryPath {0} from this workspace's settings is ignored: {1}",
      JSON.stringify(fromWorkspace),
      problem,
    ),
  };
}

function bounded(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** `~/.bones/workspaces` → the root `~/.bones`, read with bones' rules; any other → Hubkeeper's. */
function rootOf(dir: string, home: string): HubRoot {
  const abs = path.resolve(expandHome(dir, home));
  const root = path.basename(abs) === 'workspaces' ? path.dirname(abs) : abs;
  return { kind: path.basename(root) === '.bones' ? 'bones' : 'hubkeeper', dir: root };
}
