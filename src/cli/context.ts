import * as os from 'node:os';
import { ComponentRegistry } from '../core/registry/component-registry';
import { DiscoveredRegistry, discoverRegistryPath } from '../core/registry/discovery';
import { defaultHubRoots, HubEnv, HubRoot } from '../core/hubs/hub-paths';
import { ReadHubsOptions } from '../core/overview/hubs-state';
import { Output } from './output';

/** What every command gets: where to write, how (human or JSON), and how to find the registry. */
export interface CliContext {
  out: Output;
  json: boolean;
  registryOption?: string;
  /** `--trust-group-writable`: write registries in directories of one of the user's groups. */
  trustGroupWritable?: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  home: string;
}

export function discover(ctx: CliContext): DiscoveredRegistry {
  return discoverRegistryPath({ explicit: ctx.registryOption, env: ctx.env, cwd: ctx.cwd, home: ctx.home || os.homedir() });
}

export function openRegistry(ctx: CliContext): ComponentRegistry {
  return new ComponentRegistry(discover(ctx).path, { trustGroupWritable: trustsGroupWritable(ctx) });
}

/** The flag, or HUBKEEPER_TRUST_GROUP_WRITABLE=1 (for scripts and services that cannot pass it). */
export function trustsGroupWritable(ctx: CliContext): boolean {
  return ctx.trustGroupWritable === true || ctx.env.HUBKEEPER_TRUST_GROUP_WRITABLE === '1';
}

export function hubEnv(ctx: CliContext): HubEnv {
  return { env: ctx.env, home: ctx.home };
}

export function hubRoots(ctx: CliContext): HubRoot[] {
  return defaultHubRoots(hubEnv(ctx));
}

/** What the CLI reads hubs with: this user's roots, and the working directory as its own folder. */
export function hubsOptions(ctx: CliContext): ReadHubsOptions {
  return { roots: hubRoots(ctx), env: hubEnv(ctx), folders: [ctx.cwd] };
}

export function printJson(ctx: CliContext, value: unknown): void {
  ctx.out.out(JSON.stringify(value, null, 2));
}
