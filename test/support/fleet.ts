import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChildProcess, spawn } from 'node:child_process';
import { CLI, exited, runCli, track, waitForLine } from './helpers';
import { lab, labDir } from './lab';

/**
 * Simulated stations for the fleet tests: each has its own HOME (hub roots, ~/.hubkeeper), its
 * own registry.json, its own station name (HUBKEEPER_HOSTNAME) and its own station token, and
 * runs the real `hubkeeper agent` as a child process.
 */

export interface Station {
  name: string;
  home: string;
  registry: string;
  tokenFile: string;
  token: string;
  env: NodeJS.ProcessEnv;
  /** Runs the CLI as this station (its HOME, registry and host name). */
  cli(...args: string[]): ReturnType<typeof runCli>;
}

export async function makeStation(labUrl: string, labToken: string, name: string): Promise<Station> {
  const home = labDir(`st-${name}-`);
  const registry = path.join(home, 'lab', '.madsci', 'registry.json');
  fs.mkdirSync(path.dirname(registry), { recursive: true });
  const made = await lab(labUrl, 'POST', `/lab/stations/${encodeURIComponent(name)}/tokens`, labToken);
  if (made.status !== 201) throw new Error(`token for ${name}: ${JSON.stringify(made.body)}`);
  const tokenFile = path.join(home, 'station.token');
  fs.writeFileSync(tokenFile, `${made.body.token}\n`, { mode: 0o600 });
  const env = {
    HOME: home,
    HUBKEEPER_HOME: path.join(home, '.hubkeeper'),
    HUBKEEPER_HOSTNAME: name,
    HUBKEEPER_REGISTRY_PATH: registry,
    HUBKEEPER_LAB_URL: labUrl,
    HUBKEEPER_LAB_TOKEN_FILE: tokenFile,
  };
  return { name, home, registry, tokenFile, token: made.body.token, env, cli: (...args) => runCli(args, { env, cwd: home }) };
}

export interface Agent {
  child: ChildProcess;
  incarnation: string;
  epoch: number;
  stderr(): string;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startAgent(st: Station, urls: string[], extra: string[] = []): Promise<Agent> {
  const child = track(
    spawn(process.execPath, [CLI, 'agent', '--lab', urls.join(','), '--token-file', st.tokenFile, ...extra], {
      cwd: st.home,
      env: { ...process.env, NO_COLOR: '1', ...st.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let stderr = '';
  child.stderr?.on('data', (c) => (stderr += c));
  const line = await waitForLine(child, /incarnation \S+ \(epoch \d+\)/);
  const m = /incarnation (\S+) \(epoch (\d+)\)/.exec(line) as RegExpExecArray;
  return {
    child,
    incarnation: m[1],
    epoch: Number(m[2]),
    stderr: () => stderr,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited(child);
    },
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function stationView(url: string, token: string, station: string): Promise<any> {
  const res = await lab(url, 'GET', `/fleet/stations/${encodeURIComponent(station)}`, token);
  return res.status === 200 ? res.body : undefined;
}
