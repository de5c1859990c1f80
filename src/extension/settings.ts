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
  for (const raw of c.get<unknown[]>('claims') ?? []) {
    const claim = raw as Partial<Claim> | null;
    if (!claim || typeof claim.name !== 'string' || !isComponentType(claim.type)) badClaims.push(`hubkeeper.claims: ${JSON.stringify(raw)} needs a "name" and a "type" (node, module, manager, experiment or workcell)`);
    else claims.push({ name: claim.name, type: claim.type, metadata: claim.metadata });
  }
  const ttl = Math.max(3, c.get<number>('leaseTtlSeconds') ?? 30);
  const beat = Math.max(1, Math.min(c.get<number>('heartbeatIntervalSeconds') ?? 10, ttl / 2));
  const registryPath = (c.get<string>('registryPath') ?? '').trim();
  return {
    registryPath: registryPath ? path.resolve(expandHome(registryPath, home)) : undefined,
    claims,
    badClaims,
    leaseTtlMs: ttl * 1000,
    heartbeatMs: beat * 1000,
    hubRoots: (c.get<string[]>('workspaceRegistries') ?? ['~/.hubkeeper/workspaces', '~/.bones/workspaces']).map((d) => rootOf(d, home)),
    hubEnabled: c.get<boolean>('hub.enabled') ?? true,
    probeIntervalMs: Math.max(2, c.get<number>('probeIntervalSeconds') ?? 10) * 1000,
    reapGraceMs: Math.max(0, c.get<number>('reapGraceSeconds') ?? 2) * 1000,
    statusBarEnabled: c.get<boolean>('statusBar.enabled') ?? true,
  };
}

/** `~/.bones/workspaces` → the root `~/.bones`, read with bones' rules; any other → Hubkeeper's. */
function rootOf(dir: string, home: string): HubRoot {
  const abs = path.resolve(expandHome(dir, home));
  const root = path.basename(abs) === 'workspaces' ? path.dirname(abs) : abs;
  return { kind: path.basename(root) === '.bones' ? 'bones' : 'hubkeeper', dir: root };
}
