// `npm start`: a live demo of Hubkeeper on a lab it creates in a temp dir (or --demo-dir DIR).
// It writes a MADSci-format component registry, starts a real background process that holds two
// leases with heartbeats, shows `hubkeeper status` and `components list`, then waits for Ctrl-C
// and cleans up everything it started (unless --keep). A later step opens a real editor here.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'cli.js');
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const once = args.includes('--once') || process.env.CI === 'true';
const dirArg = args.indexOf('--demo-dir');
const demo = dirArg >= 0 ? path.resolve(args[dirArg + 1]) : fs.mkdtempSync(path.join(os.tmpdir(), 'hubkeeper-demo-'));
const registry = path.join(demo, 'robot-cell', '.madsci', 'registry.json');
const started = [];

function iso(msAgo) {
  return new Date(Date.now() - msAgo).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function writeDemoRegistry() {
  const entry = (id, type, seenAgo, metadata, workcell, lock = null) => ({
    id, component_type: type, created_at: iso(9 * 86400e3), last_seen: iso(seenAgo), metadata, lock, workcell_id: workcell,
  });
  const crashed = { holder_pid: 999999, holder_host: os.hostname(), holder_instance: '01JNQA3F5XG8E2D7W9R1C4HB6S', acquired_at: iso(3600e3), heartbeat_at: iso(120e3), expires_at: iso(90e3) };
  const doc = {
    version: 1, created_at: iso(9 * 86400e3), updated_at: iso(60e3),
    entries: {
      workcell_a: entry('01JNQ8Z6T9K3M2V7X4C5B8D0A1', 'workcell', 60e3, { description: 'Liquid handling' }, null),
      workcell_b: entry('01JNQ8Z6T9K3M2V7X4C5B8D0A2', 'workcell', 60e3, { description: 'Plate imaging' }, null),
      liquidhandler_1: entry('01JNQ8Z6T9K3M2V7X4C5B8D0B1', 'node', 60e3, { module_name: 'liquidhandler' }, 'workcell_a'),
      plate_reader_1: entry('01JNQ8Z6T9K3M2V7X4C5B8D0B2', 'node', 60e3, { module_name: 'plate_reader' }, 'workcell_b'),
      pf400_arm: entry('01JNQ8Z6T9K3M2V7X4C5B8D0B3', 'node', 120e3, { module_name: 'pf400' }, 'workcell_a', crashed),
      sealer: entry('01JNQ8Z6T9K3M2V7X4C5B8D0B4', 'node', 12 * 86400e3, { module_name: 'sealer' }, 'workcell_a'),
      camera_1: entry('01JNQ8Z6T9K3M2V7X4C5B8D0B5', 'node', 3600e3, { module_name: 'camera' }, 'workcell_b'),
      liquidhandler: entry('01JNQ8Z6T9K3M2V7X4C5B8D0C1', 'module', 86400e3, { version: '2.1.0' }, null),
      plate_reader: entry('01JNQ8Z6T9K3M2V7X4C5B8D0C2', 'module', 86400e3, { version: '1.4.2' }, null),
      workcell_manager: entry('01JNQ8Z6T9K3M2V7X4C5B8D0D1', 'manager', 60e3, { port: 8005 }, null),
      event_manager: entry('01JNQ8Z6T9K3M2V7X4C5B8D0D2', 'manager', 60e3, { port: 8001 }, null),
      resource_manager: entry('01JNQ8Z6T9K3M2V7X4C5B8D0D3', 'manager', 60e3, { port: 8003 }, null),
    },
  };
  fs.mkdirSync(path.dirname(registry), { recursive: true });
  fs.writeFileSync(registry, JSON.stringify(doc, null, 2));
}

function run(argv, { background = false } = {}) {
  const child = spawn(process.execPath, [cli, '--registry', registry, ...argv], { stdio: background ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
  if (background) started.push(child);
  return new Promise((resolve) => (background ? child.stdout.once('data', () => resolve(child)) : child.on('close', resolve)));
}

async function cleanup() {
  for (const child of started) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(started.map((c) => (c.exitCode === null ? new Promise((r) => c.on('close', r)) : null)));
  if (!keep) fs.rmSync(demo, { recursive: true, force: true });
  console.log(keep ? `\nStopped the demo holders; the demo stays in ${demo}` : '\nStopped the demo holders and removed the demo.');
}

writeDemoRegistry();
console.log(`Demo lab in ${demo}\n`);
await run(['components', 'resolve', 'liquidhandler_1', '--type', 'node', '--hold'], { background: true });
await run(['components', 'resolve', 'workcell_manager', '--type', 'manager', '--hold'], { background: true });
await run(['status']);
console.log('');
await run(['components', 'list', '--include-stale']);
const shown = path.relative(process.cwd(), cli) || cli;
console.log(`\nTry it yourself (another terminal):\n  node ${shown} --registry ${registry} components list --include-stale\n  node ${shown} --registry ${registry} components release pf400_arm --force`);
if (once) {
  await cleanup();
} else {
  console.log('\nPress Ctrl-C to stop the demo holders and clean up.');
  const stop = () => void cleanup().then(() => process.exit(0));
  process.on('SIGINT', stop).on('SIGTERM', stop);
}
