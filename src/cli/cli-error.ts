/** A failure the CLI reports as one line on stderr with its own exit code (1 error, 3 held by another). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
