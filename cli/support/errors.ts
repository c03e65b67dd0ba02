/**
 * How the operator commands end (Kafka's tools and most Unix tools agree): exit 0 when the command
 * did its work, 1 when it could not (a cluster unreachable, a request refused), 2 when it was asked
 * wrongly (unknown option, bad value, invalid configuration file) and nothing was attempted.
 * Every message says what to do next.
 */
import { CommanderError } from 'commander';
import { ConfigError } from '../../config/errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** The command was asked wrongly: a missing or contradictory option, a value that cannot be used. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The command ran and failed; the message already says what failed and what to try. */
export class CommandFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandFailed';
  }
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  if (
    // Every product's configuration problems, secret references included (ConfigReferenceError).
    err instanceof UsageError ||
    err instanceof ConfigError
  )
    return EXIT_USAGE;
  return EXIT_FAILURE;
}

export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
