import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { HubRoot } from '../core/hubs/hub-paths';
import { expandHome } from '../core/registry/discovery';
import { ComponentType, isComponentType } from '../core/registry/types';

/** The `hubkeeper.*` settings, read fresh each time (changes apply without a reload). */

export interface Claim {
  name: string;
  type: ComponentType;
  metadata?: Record<string, unknown>;
}

export interface Settings {
  registryPath?: string;
  /** Write registries in directories writable by one of the user's groups (machine scope only). */
  trustGroupWritable: boolean;
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
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('hubkeeper');
  const home = os.homedir();
  const claims: Claim[] = [];
  const badClaims: string[] = [];
  const rawClaims = c.get<unknown>('claims');
  if (rawClaims !== undefined && !Array.isArray(rawClaims)) badClaims.push('hubkeeper.claims must be a list of {"name", "type"} objects; ignored');
  for (const raw of Array.isArray(rawClaims) ? rawClaims : []) {
    const claim = raw as Partial<Claim> | null;
    if (!claim || typeof claim.name !== 'string' || !isComponentType(claim.type)) badClaims.push(`hubkeeper.claims: ${JSON.stringify(raw)} needs a "name" and a "type" (node, module, manager, experiment or workcell)`);
    else claims.push({ name: claim.name, type: claim.type, metadata: claim.metadata });
  }
  // A hand-edited settings.json can hold anything: a value of the wrong type falls back to the default.
  const num = (key: string, fallback: number) => {
    const v = c.get<unknown>(key);
    return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
  };
  const ttl = Math.max(3, num('leaseTtlSeconds', 30));
  const beat = Math.max(1, Math.min(num('heartbeatIntervalSeconds', 10), ttl / 2));
  const rawPath = c.get<unknown>('registryPath');
  const registryPath = typeof rawPath === 'string' ? rawPath.trim() : '';
  const rawRoots = c.get<unknown>('workspaceRegistries');
  const roots = Array.isArray(rawRoots) && rawRoots.every((r) => typeof r === 'string') ? (rawRoots as string[]) : ['~/.hubkeeper/workspaces', '~/.bones/workspaces'];
  return {
    registryPath: registryPath ? path.resolve(expandHome(registryPath, home)) : undefined,
    // Only the user's own settings count, never a workspace's (also declared "scope": "machine").
    trustGroupWritable: c.inspect<unknown>('registry.trustGroupWritable')?.globalValue === true,
    claims,
    badClaims,
    leaseTtlMs: ttl * 1000,
    heartbeatMs: beat * 1000,
    hubRoots: roots.map((d) => rootOf(d, home)),
    hubEnabled: c.get<unknown>('hub.enabled') !== false,
    probeIntervalMs: Math.max(2, num('probeIntervalSeconds', 10)) * 1000,
    reapGraceMs: Math.max(0, num('reapGraceSeconds', 2)) * 1000,
    statusBarEnabled: c.get<unknown>('statusBar.enabled') !== false,
  };
}

/** `~/.bones/workspaces` → the root `~/.bones`, read with bones' rules; any other → Hubkeeper's. */
function rootOf(dir: string, home: string): HubRoot {
  const abs = path.resolve(expandHome(dir, home));
  const root = path.basename(abs) === 'workspaces' ? path.dirname(abs) : abs;
  return { kind: path.basename(root) === '.bones' ? 'bones' : 'hubkeeper', dir: root };
}
