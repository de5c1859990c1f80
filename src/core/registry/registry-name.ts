import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Which files may be treated as a component registry. A registry path can come from a place the
 * user does not control (a repository's `.vscode/settings.json`), and a write creates the file
 * with content chosen by whoever names the components: so a registry is only ever created under
 * the name MADSci uses, and a path chosen by a workspace must already be such a file.
 */

export const REGISTRY_FILE_NAME = 'registry.json';

export function hasRegistryName(file: string): boolean {
  return path.basename(file) === REGISTRY_FILE_NAME;
}

/**
 * Why a registry path that came from workspace or folder settings is not used, or undefined when
 * it may be: it must be an existing regular file named registry.json, and so must the file it
 * resolves to through symlinks (the one that would be written).
 */
export function workspaceRegistryPathProblem(file: string): string | undefined {
  if (!hasRegistryName(file)) return `its name is not ${REGISTRY_FILE_NAME}`;
  let real: string;
  try {
    real = fs.realpathSync(file);
    if (!fs.statSync(real).isFile()) return 'it is not a regular file';
  } catch {
    return 'no such file (a workspace may only point at an existing registry)';
  }
  if (!hasRegistryName(real)) return `it is a link to ${real}, whose name is not ${REGISTRY_FILE_NAME}`;
  return undefined;
}
