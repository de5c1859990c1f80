import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';

/**
 * How a benchmark that starts servers ends, whatever happens: the failure reported, every child it
 * started killed, its temp directory removed, and the process ended (a Redis client or a server
 * socket left open must not keep `npm run bench` waiting).
 */
export function runBench(label: string, main: () => Promise<void>, cleanup: { children: ChildProcess[]; dir: string }): void {
  main()
    .catch((err) => {
      console.error(`${label} bench failed: ${err?.stack ?? err}`);
      process.exitCode = 1;
    })
    .finally(() => {
      for (const c of cleanup.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      setTimeout(() => {
        fs.rmSync(cleanup.dir, { recursive: true, force: true });
        process.exit();
      }, 300);
    });
}
