import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Does this directory's file system give a file a new mtime on every change that follows a stat?
 *
 * A cache keyed on (ino, size, mtime, ctime) is only sound if two writes cannot share a
 * timestamp. File systems with coarse timestamps (one tick of 4-10 ms) can give two writes within
 * one tick the same mtime; Linux's multigrain timestamps (6.13+) and most modern setups do not,
 * once the timestamp has been looked at. Probed once per directory, by writing a scratch file
 * twice with a stat in between; any failure counts as coarse (the safe answer).
 */

const known = new Map<string, boolean>();

export function hasFineTimestamps(dir: string): boolean {
  let fine = known.get(dir);
  if (fine === undefined) {
    fine = probe(dir);
    known.set(dir, fine);
  }
  return fine;
}

function probe(dir: string): boolean {
  const scratch = path.join(dir, `.hubkeeper-mtime-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    for (let round = 0; round < 3; round++) {
      fs.writeFileSync(scratch, 'a');
      const first = fs.statSync(scratch, { bigint: true }).mtimeNs;
      fs.writeFileSync(scratch, 'b');
      const second = fs.statSync(scratch, { bigint: true }).mtimeNs;
      if (second === first) return false;
    }
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(scratch, { force: true });
  }
}
