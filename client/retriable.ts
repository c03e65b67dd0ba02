/**
 * Is an error worth trying again? Decided by Kafka error code through the one table
 * (protocol/errors.ts: the code's exception is a RetriableException in Kafka's clients), plus what
 * Kafka's clients also retry although no broker answered a code:
 * - a lost, refused or reset connection (Kafka's NetworkClient reconnects and resends);
 * - a request our side stopped waiting for (Kafka's request.timeout.ms, then a retry).
 * kafkajs errors are mapped to a code by client/kafkajs/error-code.ts (its client-side errors with
 * no Kafka code keep kafkajs's own flag: nothing else knows what they mean); errors of our own
 * client carry the decision their code gave (`retriable`).
 */
import { isRetriable } from '../protocol/errors.js';
import { isKafkajsError, kafkajsErrorCode } from './kafkajs/error-code.js';

/** Node's socket errors for a connection that was refused, reset or timed out. */
const LOST_CONNECTION_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT']);

export function isRetriableError(err: unknown): boolean {
  if (isKafkajsError(err)) {
    const code = kafkajsErrorCode(err);
    return code !== undefined ? isRetriable(code) : err.retriable === true;
  }
  const e = err as { retriable?: unknown; code?: unknown } | null | undefined;
  if (typeof e?.code === 'string' && LOST_CONNECTION_ERRNO.has(e.code)) return true;
  // ConnectionError, KafkaPartitionError, GroupCommitError and the mirror's own errors say so.
  return e?.retriable === true;
}
