import * as fs from 'node:fs';
import * as path from 'node:path';
import { HubkeeperError } from '../core/errors/hubkeeper-error';

/**
 * What dist/cli.js gets for `@redis/client` (an esbuild alias, esbuild.mjs): the client lives in
 * dist/redis-client.js beside the CLI and is loaded on the first connection. The Redis client is
 * two thirds of the CLI's size; the CLI inside the VSIX leaves it out so the VSIX stays small, and
 * its lab commands say so in one line. The npm package (`npm pack`) ships both files.
 */

type RedisModule = typeof import('@redis/client');

let loaded: RedisModule | undefined;

function load(): RedisModule {
  if (loaded) return loaded;
  const file = path.join(__dirname, 'redis-client.js');
  if (!fs.existsSync(file))
    throw new HubkeeperError(
      `${file}: missing; the CLI inside the VS Code extension has no Redis client for the lab commands, install the CLI package (npm pack, then npm install -g hubkeeper-<version>.tgz)`,
      'refused',
      file,
    );
  // A path only known at run time: esbuild leaves this require alone.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded = require(file) as RedisModule;
  return loaded;
}

export const createClient = ((...args: Parameters<RedisModule['createClient']>) =>
  load().createClient(...args)) as RedisModule['createClient'];
