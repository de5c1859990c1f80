import * as fs from 'node:fs';
import * as path from 'node:path';
import { RegistryError } from './errors';
import { ioError } from './io-errors';

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

/**
 * A new registry is only ever a file named registry.json, checked before any directory or lock
 * file is made: `target` (the registry path, or the file its links lead to) must exist already or
 * have that name. Throws the one-line refusal naming `registryPath`.
 */
export async function refuseForeignCreation(registryPath: string, target: string): Promise<void> {
  if (hasRegistryName(target)) return;
  try {
    await fs.promises.lstat(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(registryPath, 'cannot read the registry', err);
    const via = target === registryPath ? '' : ` (the link's target ${target})`;
    throw new RegistryError(
      `${registryPath}: not created${via}: a new registry must be a file named ${REGISTRY_FILE_NAME}`,
      'invalid-argument',
      registryPath,
    );
  }
}
