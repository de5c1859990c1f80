import * as fs from 'node:fs';

/**
 * This process's pid namespace (Linux: the target of /proc/self/ns/pid, e.g. "pid:[4026531836]").
 * A lease records it so that a reader knows whether the holder's pid is a pid of its own
 * namespace: a holder in a container with `network_mode: host` has this machine's hostname and
 * boot id, but its pid means nothing here. Undefined where there are no pid namespaces.
 */

let cached: string | null | undefined;

export function pidNamespace(): string | undefined {
  if (cached === undefined) {
    try {
      cached = fs.readlinkSync('/proc/self/ns/pid') || null;
    } catch {
      cached = null;
    }
  }
  return cached ?? undefined;
}
