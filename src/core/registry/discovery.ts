import * as path from 'node:path';
import * as fs from 'node:fs';

/**
 * Which registry.json to use, exactly as MADSci finds it (formats.md §1), plus Hubkeeper's own
 * `HUBKEEPER_REGISTRY_PATH`. A pure function of its inputs: it only asks `kindOf` about paths and
 * never creates anything, so a viewer can call it freely.
 */

export type PathKind = 'file' | 'dir' | 'other' | 'missing';

export interface DiscoveryInputs {
  explicit?: string;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  home: string;
  kindOf?: (p: string) => PathKind;
  /**
   * Search the folder and its parents for `.madsci/` and a git root (default true). False where
   * the folder's own files must not choose the registry (an untrusted workspace): then only the
   * explicit path, the environment and `~/.madsci/registry.json` count.
   */
  walkUp?: boolean;
}

export type DiscoverySource = 'explicit' | 'HUBKEEPER_REGISTRY_PATH' | 'MADSCI_REGISTRY_PATH' | 'walk-up' | 'git-root' | 'home';

export interface DiscoveredRegistry {
  path: string;
  source: DiscoverySource;
  /** One sentence a person can read: why this file. */
  reason: string;
  /** Directories examined during the walk-up, in order. */
  searched: string[];
}

const MAX_WALK = 11;

export function discoverRegistryPath(inputs: DiscoveryInputs): DiscoveredRegistry {
  const { env, home } = inputs;
  const kindOf = inputs.kindOf ?? statKind;
  const resolveUser = (p: string, base: string) => path.resolve(base, expandHome(p, home));

  if (inputs.explicit) {
    const p = resolveUser(inputs.explicit, inputs.cwd);
    return { path: p, source: 'explicit', reason: 'given explicitly', searched: [] };
  }
  for (const name of ['HUBKEEPER_REGISTRY_PATH', 'MADSCI_REGISTRY_PATH'] as const) {
    const value = env[name];
    if (value) return { path: resolveUser(value, inputs.cwd), source: name, reason: `from $${name}`, searched: [] };
  }

  const homeDir = path.resolve(home);
  if (inputs.walkUp === false) {
    return {
      path: path.join(homeDir, '.madsci', 'registry.json'),
      source: 'home',
      reason: "walk-up discovery is off (the folder's own .madsci/ is not used); using the home directory",
      searched: [],
    };
  }
  const start = env.MADSCI_SETTINGS_DIR ? resolveUser(env.MADSCI_SETTINGS_DIR, inputs.cwd) : path.resolve(inputs.cwd);
  const searched: string[] = [];
  let gitRoot: string | undefined;
  let dir = start;
  while (searched.length < MAX_WALK) {
    searched.push(dir);
    if (kindOf(path.join(dir, '.madsci')) === 'dir') {
      return {
        path: path.join(dir, '.madsci', 'registry.json'),
        source: 'walk-up',
        reason: `first .madsci/ directory found walking up from ${start}`,
        searched,
      };
    }
    if (gitRoot === undefined) {
      const git = kindOf(path.join(dir, '.git'));
      if (git === 'dir' || git === 'file') gitRoot = dir;
    }
    const parent = path.dirname(dir);
    if (dir === homeDir || parent === dir) break;
    dir = parent;
  }
  if (gitRoot !== undefined) {
    return {
      path: path.join(gitRoot, '.madsci', 'registry.json'),
      source: 'git-root',
      reason: `no .madsci/ found walking up from ${start}; using the git root ${gitRoot}`,
      searched,
    };
  }
  return {
    path: path.join(homeDir, '.madsci', 'registry.json'),
    source: 'home',
    reason: `no .madsci/ or git root found walking up from ${start}; using the home directory`,
    searched,
  };
}

export function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return path.join(home, p.slice(2));
  return p;
}

function statKind(p: string): PathKind {
  try {
    const st = fs.statSync(p);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
  } catch {
    return 'missing';
  }
}
