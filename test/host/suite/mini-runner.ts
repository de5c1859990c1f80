import * as fs from 'node:fs';

/**
 * A tiny runner for tests inside the extension host. Results go to $VSCODE_HOST_TEST_RESULTS (the
 * code-server harness reads them; the host's exit code is not trustworthy there), and a failure
 * also rejects run(), which is what @vscode/test-electron looks at.
 */

export interface Detail {
  name: string;
  ok: boolean;
  ms: number;
  info?: unknown;
  error?: string;
}

export class MiniRunner {
  readonly details: Detail[] = [];
  readonly startedAt = Date.now();

  async test(name: string, fn: () => Promise<unknown> | unknown): Promise<void> {
    const t0 = Date.now();
    try {
      const info = await fn();
      this.details.push({ name, ok: true, ms: Date.now() - t0, info: info ?? undefined });
      process.stdout.write(`ok   ${name}\n`);
    } catch (e) {
      const error = String((e as Error)?.stack ?? e);
      this.details.push({ name, ok: false, ms: Date.now() - t0, error });
      process.stdout.write(`FAIL ${name}\n${error}\n`);
    }
  }

  async finish(): Promise<void> {
    const failed = this.details.filter((d) => !d.ok).length;
    const passed = this.details.length - failed;
    const out = process.env.VSCODE_HOST_TEST_RESULTS;
    if (out) {
      fs.writeFileSync(out, JSON.stringify({ passed, failed, startedAt: this.startedAt, details: this.details }, null, 2));
      // Let the harness take its screenshot of the live workbench before the host exits.
      const ack = process.env.VSCODE_HOST_TEST_ACK;
      for (let i = 0; ack && i < 300 && !fs.existsSync(ack); i++) await sleep(100);
    }
    if (failed > 0) throw new Error(`${failed} host test(s) failed`);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}
