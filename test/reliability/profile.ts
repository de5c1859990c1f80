/**
 * How hard the reliability suite pushes. `npm run test:reliability` runs the full profile;
 * `npm test` runs a bounded one (HUBKEEPER_RELIABILITY=quick) so every CI run still exercises
 * each fault. Every test prints its figure with `figure()`.
 */
export const FULL = process.env.HUBKEEPER_RELIABILITY !== 'quick';

export function scaled(full: number, quick: number): number {
  return FULL ? full : quick;
}

export function figure(name: string, values: Record<string, string | number>): void {
  const text = Object.entries(values)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  process.stdout.write(`FIGURE ${name}: ${text}\n`);
}
