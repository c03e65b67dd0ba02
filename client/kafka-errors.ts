/**
 * Kafka error codes that clients built on client/ (the fetcher, producers, group offset commits) act on, with their
 * protocol names for messages. Codes not listed are reported by number (Kafka's `Errors` enum is the
 * reference).
 */
const NAMES: Record<number, string> = {
  1: 'OFFSET_OUT_OF_RANGE',
  2: 'CORRUPT_MESSAGE',
  3: 'UNKNOWN_TOPIC_OR_PARTITION',
  5: 'LEADER_NOT_AVAILABLE',
  6: 'NOT_LEADER_OR_FOLLOWER',
  7: 'REQUEST_TIMED_OUT',
  9: 'REPLICA_NOT_AVAILABLE',
  10: 'MESSAGE_TOO_LARGE',
  13: 'NETWORK_EXCEPTION',
  14: 'COORDINATOR_LOAD_IN_PROGRESS',
  15: 'COORDINATOR_NOT_AVAILABLE',
  16: 'NOT_COORDINATOR',
  19: 'NOT_ENOUGH_REPLICAS',
  20: 'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  22: 'ILLEGAL_GENERATION',
  25: 'UNKNOWN_MEMBER_ID',
  27: 'REBALANCE_IN_PROGRESS',
  29: 'TOPIC_AUTHORIZATION_FAILED',
  30: 'GROUP_AUTHORIZATION_FAILED',
  31: 'CLUSTER_AUTHORIZATION_FAILED',
  45: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
  46: 'DUPLICATE_SEQUENCE_NUMBER',
  47: 'INVALID_PRODUCER_EPOCH',
  48: 'INVALID_TXN_STATE',
  49: 'INVALID_PRODUCER_ID_MAPPING',
  50: 'INVALID_TRANSACTION_TIMEOUT',
  51: 'CONCURRENT_TRANSACTIONS',
  53: 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  56: 'KAFKA_STORAGE_ERROR',
  59: 'UNKNOWN_PRODUCER_ID',
  69: 'GROUP_ID_NOT_FOUND',
  74: 'FENCED_LEADER_EPOCH',
  75: 'UNKNOWN_LEADER_EPOCH',
  78: 'OFFSET_NOT_AVAILABLE',
  87: 'INVALID_RECORD',
  89: 'THROTTLING_QUOTA_EXCEEDED',
  90: 'PRODUCER_FENCED',
  100: 'UNKNOWN_TOPIC_ID',
  120: 'TRANSACTION_ABORTABLE',
};

export const errorName = (code: number): string => NAMES[code] ?? `error ${code}`;

/** Kafka error codes after which partition leadership must be looked up again. */
export const STALE_METADATA = new Set([3, 5, 6, 9, 56, 74, 75, 78, 100]);

/** Produce errors worth retrying with the same producer id and sequence (besides stale metadata). */
export const RETRIABLE_PRODUCE = new Set([7, 13, 14, 15, 19, 20, 51, 89]);

/**
 * Produce errors after which the broker no longer accepts our sequence: take a new producer id.
 * DUPLICATE_SEQUENCE_NUMBER cannot happen with one batch in flight per partition; if it does, the
 * broker has the batch but gives no offset for it, so it is resent under a new id (a duplicate,
 * never a loss). PRODUCER_FENCED and TRANSACTION_ABORTABLE (KIP-890) reach transactional producers
 * only, which never take a new id silently (see mirror/kafka/transactional-producer.ts).
 */
export const PRODUCER_STATE_LOST = new Set([45, 46, 47, 59, 90, 120]);

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
