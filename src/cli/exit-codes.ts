import { ErrorKind } from '../core/errors/hubkeeper-error';

/** The CLI's exit statuses (README "Exit codes"), decided here and nowhere else. */

export const EXIT_OK = 0;

const BY_KIND: Record<ErrorKind, number> = {
  'not-found': 1,
  held: 3,
  corrupt: 1,
  refused: 1,
  usage: 2,
  io: 1,
};

export function exitCodeOf(kind: ErrorKind): number {
  return BY_KIND[kind];
}

/** A bug, not an expected error. */
export const EXIT_UNEXPECTED = 1;
