import * as fs from 'node:fs';
import * as os from 'node:os';

/** A uid in words for confirmations: "ana (uid 1000)". /etc/passwd is read once; elsewhere the uid alone. */

let names: Map<number, string> | undefined;

export function userName(uid: number): string {
  if (!names) {
    names = new Map();
    try {
      for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
        const [name, , id] = line.split(':');
        if (name && id !== undefined && /^\d+$/.test(id)) names.set(Number(id), name);
      }
    } catch {
      /* not there: fall back below */
    }
    try {
      const me = os.userInfo();
      names.set(me.uid, me.username);
    } catch {
      /* no user database entry */
    }
  }
  const name = names.get(uid);
  return name ? `${name} (uid ${uid})` : `uid ${uid}`;
}
