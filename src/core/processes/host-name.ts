import * as os from 'node:os';

/**
 * This machine's name as the lab knows it: `HUBKEEPER_HOSTNAME` when set (simulated machines in
 * tests, a container whose hostname is random), else the OS's. MADSci records `hostname()` as
 * `holder_host`, so a station's name must be what its MADSci processes report.
 */
export function hostName(env: NodeJS.ProcessEnv = process.env): string {
  const given = env.HUBKEEPER_HOSTNAME?.trim();
  return given ? given : os.hostname();
}
