// One of the two holders of the demo fleet's lease that changes hands (scripts/demo-fleet.mjs):
// time is cut into turns of INTERVAL ms; holder 0 takes the even turns and holder 1 the odd
// ones, each holding the lease through the real CLI (`components resolve NAME --hold`, a child
// for the turn) and releasing it at the turn's end, so the lease timeline gets a new holder
// every turn without the two processes talking to each other.
//   node scripts/demo-handover.mjs --turn 0|1 --interval MS --registry FILE --name NAME
// Prints "ready <pid>" at once; the station (holder host) comes from HUBKEEPER_HOSTNAME.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
const args = process.argv.slice(2);
const opt = (name) => args[args.indexOf(name) + 1];
const turn = Number(opt('--turn'));
const intervalMs = Number(opt('--interval'));
const registry = opt('--registry');
const name = opt('--name');
// The taker waits a moment after the turn starts, so the previous holder has released by then.
const TAKE_DELAY_MS = Math.min(300, intervalMs / 10);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let child;
let stopping = false;
// SIGTERM: release (the child releases on its own SIGTERM) and only then exit, so that stopping
// this process never leaves a holder behind that nobody would stop.
process.on('SIGTERM', () => {
  stopping = true;
  if (child && child.exitCode === null && child.signalCode === null) {
    child.once('exit', () => process.exit(0));
    child.kill('SIGTERM');
  } else process.exit(0);
});

function holdFor(ms) {
  return new Promise((resolve) => {
    child = spawn(
      process.execPath,
      [CLI, '--registry', registry, 'components', 'resolve', name, '--type', 'node', '--hold', '--wait', String(Math.ceil(ms / 1000))],
      { stdio: 'ignore' },
    );
    const timer = setTimeout(() => child.kill('SIGTERM'), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

process.stdout.write(`ready ${process.pid}\n`);
while (!stopping) {
  const now = Date.now();
  const current = Math.floor(now / intervalMs);
  const mine = current % 2 === turn ? current : current + 1;
  const start = mine * intervalMs;
  if (start > now) await sleep(start - now + TAKE_DELAY_MS);
  if (stopping) break;
  const left = (mine + 1) * intervalMs - Date.now();
  if (left <= TAKE_DELAY_MS) {
    await sleep(left);
    continue;
  }
  await holdFor(left);
  // A child that ended before its turn did (refused, or the registry unreadable): no busy loop.
  if (Date.now() < (mine + 1) * intervalMs - 100) await sleep(1000);
}
