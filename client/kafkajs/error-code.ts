/**
 * The one place a kafkajs error is classified: it is mapped to the Kafka error code it stands for,
 * so retries are decided by the one table (protocol/errors.ts) like every other error. Duck-typed
 * (no kafkajs import): kafkajs does not export all its error classes, and a check must not load it.
 */
import { ErrorCode } from '../../protocol/errors.js';

export interface KafkajsError extends Error {
  /** The broker's code, on KafkaJSProtocolError and its subclasses (offset out of range, create topic…). */
  code?: unknown;
  /** What kafkajs retried before giving up (KafkaJSNumberOfRetriesExceeded). */
  cause?: unknown;
  originalError?: unknown;
  /** kafkajs's own judgement; consulted only for its client-side errors that have no Kafka code. */
  retriable?: unknown;
}

export const isKafkajsError = (err: unknown): err is KafkajsError =>
  err instanceof Error && err.name.startsWith('KafkaJS');

/**
 * The Kafka error code a kafkajs error stands for; undefined for a value kafkajs did not throw and
 * for kafkajs's client-side errors with no Kafka meaning (a lock timeout, a missing API, bad input).
 * - Errors answered by a broker carry its code.
 * - A lost or refused connection, or no broker to reach, is NETWORK_EXCEPTION (Kafka's disconnect).
 * - A request kafkajs stopped waiting for is REQUEST_TIMED_OUT.
 * - Metadata kafkajs has not loaded yet, or that no longer matches an assignment, is
 *   LEADER_NOT_AVAILABLE: look the cluster up again.
 * - KafkaJSNumberOfRetriesExceeded: kafkajs retried its cause and gave up; the cause's code counts
 *   (no cause with a code: a timeout, since giving up after retries is one).
 */
export function kafkajsErrorCode(err: unknown): number | undefined {
  if (!isKafkajsError(err)) return undefined;
  if (typeof err.code === 'number') return err.code;
  switch (err.name) {
    case 'KafkaJSConnectionError':
    case 'KafkaJSConnectionClosedError':
    case 'KafkaJSBrokerNotFound':
    case 'KafkaJSNoBrokerAvailableError':
      return ErrorCode.NETWORK_EXCEPTION;
    case 'KafkaJSRequestTimeoutError':
      return ErrorCode.REQUEST_TIMED_OUT;
    case 'KafkaJSMetadataNotLoaded':
    case 'KafkaJSTopicMetadataNotLoaded':
    case 'KafkaJSStaleTopicMetadataAssignment':
      return ErrorCode.LEADER_NOT_AVAILABLE;
    case 'KafkaJSNumberOfRetriesExceeded':
      return kafkajsErrorCode(err.cause ?? err.originalError) ?? ErrorCode.REQUEST_TIMED_OUT;
    default:
      return undefined;
  }
}
