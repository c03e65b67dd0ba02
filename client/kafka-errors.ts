/**
 * What clients built on client/ (the fetcher, producers, group offset commits) do with a Kafka error
 * code beyond the table's own flags (protocol/errors.ts: name, retriable, invalid metadata, message):
 * which codes mean "look the leader or coordinator up again" and which mean "the broker forgot our
 * producer", and the error a partition-level failure is thrown as.
 */
import { ErrorCode, errorName } from '../protocol/errors.js';

/**
 * Codes after which partition leadership must be looked up again: the ones Kafka's fetcher refreshes
 * metadata for (FetchCollector). Not the table's `invalidMetadata` flag alone, which also marks
 * NETWORK_EXCEPTION (handled as a lost connection) and misses UNKNOWN_LEADER_EPOCH and
 * OFFSET_NOT_AVAILABLE (both mean our leader view is behind the broker's).
 */
export const STALE_METADATA: ReadonlySet<number> = new Set<number>([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.REPLICA_NOT_AVAILABLE,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.OFFSET_NOT_AVAILABLE,
  ErrorCode.UNKNOWN_TOPIC_ID,
]);

/** Codes after which a group's coordinator must be found again (Kafka's clients do the same). */
export const COORDINATOR_MOVED: ReadonlySet<number> = new Set<number>([
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
]);

/**
 * Produce errors after which the broker no longer accepts our sequence: take a new producer id.
 * DUPLICATE_SEQUENCE_NUMBER cannot happen with one batch in flight per partition; if it does, the
 * broker has the batch but gives no offset for it, so it is resent under a new id (a duplicate,
 * never a loss). PRODUCER_FENCED and TRANSACTION_ABORTABLE (KIP-890) reach transactional producers
 * only, which never take a new id silently (see mirror/kafka/transactional-producer.ts).
 */
export const PRODUCER_STATE_LOST: ReadonlySet<number> = new Set<number>([
  ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
  ErrorCode.DUPLICATE_SEQUENCE_NUMBER,
  ErrorCode.INVALID_PRODUCER_EPOCH,
  ErrorCode.UNKNOWN_PRODUCER_ID,
  ErrorCode.PRODUCER_FENCED,
  ErrorCode.TRANSACTION_ABORTABLE,
]);

/** A partition-level error answered by a broker. `retriable` lets the connector restart the task. */
export class KafkaPartitionError extends Error {
  constructor(
    readonly code: number,
    readonly topic: string,
    readonly partition: number,
    what: string,
    readonly retriable: boolean,
  ) {
    super(`${what} ${topic}-${partition}: ${errorName(code)}`);
    this.name = 'KafkaPartitionError';
  }
}
