import * as path from 'node:path';
import { ensureTokenFile, MIN_TOKEN_LENGTH } from '../auth/token-file';

/**
 * The bearer token that guards a hub's HTTP API. It lives in `<stateDir>/hub.token`; the rules
 * for the file (owner only, no links, created atomically) are in ../auth/token-file.ts.
 */

export const HUB_TOKEN_FILE = 'hub.token';
export const MIN_HUB_TOKEN_LENGTH = MIN_TOKEN_LENGTH;
export { tokensEqual } from '../auth/token-file';

export function ensureHubToken(stateDir: string): Promise<string> {
  return ensureTokenFile(path.join(stateDir, HUB_TOKEN_FILE), 'the hub token');
}
