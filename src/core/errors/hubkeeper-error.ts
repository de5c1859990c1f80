/**
 * The one base of Hubkeeper's expected errors. Each carries a kind that callers act on without
 * knowing which part of the core threw it: the CLI maps kinds to exit statuses in one place
 * (src/cli/exit-codes.ts), the editor decides by kind whether "Open Log" helps. Messages are one
 * line naming the file and the problem; anything that is not a HubkeeperError is a bug.
 */

export type ErrorKind =
  /** What was named does not exist (an entry, a hub, a folder). */
  | 'not-found'
  /** Another holder has it (a live lease, a hub lock). */
  | 'held'
  /** A file cannot be interpreted; it is kept as it is. */
  | 'corrupt'
  /** Hubkeeper will not do it: unsafe, already exists, not allowed. */
  | 'refused'
  /** The request itself is malformed (arguments, options, values). */
  | 'usage'
  /** The system failed: permissions, disk, timeouts. */
  | 'io';

export class HubkeeperError extends Error {
  constructor(
    message: string,
    readonly kind: ErrorKind,
    readonly file?: string,
  ) {
    super(message);
    this.name = 'HubkeeperError';
  }
}
