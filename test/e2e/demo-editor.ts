import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Workbench } from './workbench';

/**
 * The set-up every UI test file shares: the demo lab of `npm start` (scripts/demo-lab.mjs, with its
 * lab part on Redis when asked), a real VS Code (code-server) with its password and Workspace
 * Trust on, headless Chromium logged in as a person does, the demo folder trusted. close() keeps
 * the extension's and the editor's logs next to the screenshots in test-results/e2e/ and stops
 * every process the lab started.
 */

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const RESULTS = path.join(ROOT, 'test-results', 'e2e');

type Server = { home: string; tmpRoot: string; stop(): Promise<void>; base: string; port: number; password: string };
interface DemoLabShape {
  dir: string;
  home: string;
  workspace: string;
  fleet?: { settings: Record<string, unknown>; stationHomes: Record<string, string> };
  stop(): Promise<void>;
}

export interface DemoEditorOptions<L> {
  /** Prefix of this file's logs and screenshots ('' for none). */
  name: string;
  /** Add the lab part (a lab replica, two simulated stations) with this lease handover interval. */
  fleet?: { handoverMs: number };
  /** Changes to the demo before the editor opens it. */
  prepare?: (lab: L) => void;
}

export interface DemoEditor<L> {
  lab: L;
  page: Page;
  wb: Workbench;
  /** The page's console, for a failing test's log. */
  consoleLines: string[];
  /** A screenshot and the console log under `name` (prefixed). */
  save(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function openDemoEditor<L extends DemoLabShape>(o: DemoEditorOptions<L>): Promise<DemoEditor<L>> {
  const cs = await import(path.join(ROOT, 'scripts', 'code-server.mjs'));
  const demo = await import(path.join(ROOT, 'scripts', 'demo-lab.mjs'));
  cs.installCodeServer();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hubkeeper-e2e-${o.name || 'ui'}-`));
  const lab: L = await demo.createDemoLab(dir, o.fleet ? { fleet: o.fleet } : {});
  let server: Server | undefined;
  let browser: Browser | undefined;
  const consoleLines: string[] = [];
  const prefix = o.name ? `${o.name}-` : '';
  const close = async () => {
    fs.mkdirSync(RESULTS, { recursive: true });
    const tmpRoot = server?.tmpRoot;
    for (const file of tmpRoot
      ? fs.readdirSync(tmpRoot, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('Hubkeeper.log'))
      : []) {
      fs.copyFileSync(path.join(tmpRoot as string, file), path.join(RESULTS, `${prefix}${file.replace(/[\\/]/g, '_')}`));
    }
    if (server) fs.copyFileSync(path.join(server.tmpRoot, 'code-server.log'), path.join(RESULTS, `${prefix}code-server.log`));
    for (const [station, home] of Object.entries(lab.fleet?.stationHomes ?? {}))
      if (fs.existsSync(path.join(home, 'agent.log')))
        fs.copyFileSync(path.join(home, 'agent.log'), path.join(RESULTS, `${prefix}${station}-agent.log`));
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await lab.stop();
    fs.rmSync(lab.dir, { recursive: true, force: true });
  };
  try {
    o.prepare?.(lab);
    // The lab settings are of machine scope: code-server's window reads them from Machine, as npm start writes them.
    const settings = lab.fleet ? { settings: lab.fleet.settings, machineSettings: lab.fleet.settings } : {};
    server = (await cs.startCodeServer({ workspace: lab.workspace, home: lab.home, ...settings })) as Server;
    browser = (await cs.launchChromium({ home: lab.home })) as Browser;
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
    // As a person starts the demo: the password npm start prints, then trusting the demo folder.
    await cs.logIn(page, server);
    await page.goto(cs.workbenchUrl(server, lab.workspace, { extensionDevelopmentPath: ROOT }), {
      waitUntil: 'domcontentloaded',
      timeout: 60_000,
    });
    const wb = new Workbench(page, RESULTS);
    fs.mkdirSync(RESULTS, { recursive: true });
    await wb.trustFolder();
    const save = async (name: string) => {
      await wb.screenshot(`${prefix}${name}`).catch(() => undefined);
      fs.writeFileSync(path.join(RESULTS, `${prefix}${name}.console.log`), consoleLines.join('\n'));
    };
    return { lab, page, wb, consoleLines, save, close };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}
