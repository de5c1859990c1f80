import { ErrorKind, HubkeeperError } from '../errors/hubkeeper-error';

/**
 * Errors of the component registry. Messages that MADSci also produces use MADSci's exact text,
 * so scripts matching on them keep working; every other message names the file and the problem.
 */

export type RegistryErrorCode =
  | 'not-found'
  | 'exists'
  | 'locked'
  | 'corrupt'
  | 'invalid-argument'
  | 'invalid-entry'
  | 'timeout'
  | 'io'
  /** The path is not safe to write: a shared directory, a foreign or dangling link, or it changed under us. */
  | 'unsafe';

const KIND: Record<RegistryErrorCode, ErrorKind> = {
  'not-found': 'not-found',
  exists: 'refused',
  locked: 'held',
  corrupt: 'corrupt',
  'invalid-argument': 'refused',
  'invalid-entry': 'corrupt',
  timeout: 'io',
  io: 'io',
  unsafe: 'refused',
};

/** A registry error: its fine-grained `code` (kept for callers that match on it) and the common kind. */
export class RegistryError extends HubkeeperError {
  constructor(
    message: string,
    readonly code: RegistryErrorCode,
    file?: string,
  ) {
    super(message, KIND[code], file);
    this.name = 'RegistryError';
  }
}

/** Another holder has a live lock on the entry. */
export class RegistryLockError extends RegistryError {
  constructor(message: string, file?: string) {
    super(message, 'locked', file);
    this.name = 'RegistryLockError';
  }
}

/** The file cannot be interpreted. Mutations refuse; the file is left untouched. */
export class RegistryFormatError extends RegistryError {
  constructor(
    file: string,
    /** e.g. `entries.robot_1.lock.expires_at`, or '' for the whole document. */
    readonly jsonPath: string,
    readonly problem: string,
    /** The file ended early: possibly a non-atomic writer midway, worth reading again. */
    readonly truncated = false,
  ) {
    super(`${file}: ${jsonPath ? jsonPath + ': ' : ''}${problem}`, 'corrupt', file);
    this.name = 'RegistryFormatError';
  }
}

export function notFound(name: string, file?: string): RegistryError {
  return new RegistryError(`Entry '${name}' not found`, 'not-found', file);
}

export function alreadyExists(name: string, file?: string): RegistryError {
  return new RegistryError(`Entry '${name}' already exists`, 'exists', file);
}
