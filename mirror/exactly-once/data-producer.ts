/**
 * The source task's producer to the target: idempotent (at-least-once), or transactional with the
 * task's transactional id when the flow runs exactly once. Also the position writer that puts
 * position records into the open transaction, so positions commit with the records they cover
 * (Kafka Connect's exactly-once source tasks write their offsets in the same transaction, KIP-618).
 */
import type { Logger } from 'pino';
import type { FlowConfig } from '../config/config.js';
import { BatchBuilder } from '../kafka/batch-builder.js';
import type { NativeCluster } from '../kafka/native-cluster.js';
import { NativeProducer } from '../kafka/native-producer.js';
import { TransactionalProducer } from '../kafka/transactional-producer.js';
import type { PositionWriter } from '../source/position-store.js';

/** The Java producer's transaction.timeout.ms default: a transaction a dead task left open is aborted after it. */
export const TRANSACTION_TIMEOUT_MS = 60_000;

export interface DataProducerOptions {
  target: NativeCluster;
  flow: FlowConfig;
  /** The task's transactional id (transactional-id.ts), used when the flow runs exactly once. */
  transactionalId: string;
  ackTimeoutMs: number;
  deliveryTimeoutMs: number;
  log: Logger;
}

export function dataProducerFor(opts: DataProducerOptions): NativeProducer | TransactionalProducer {
  const base = { ackTimeoutMs: opts.ackTimeoutMs, deliveryTimeoutMs: opts.deliveryTimeoutMs, log: opts.log };
  if (!opts.flow.exactlyOnce) return new NativeProducer(opts.target, base);
  return new TransactionalProducer(opts.target, {
    ...base,
    transactionalId: opts.transactionalId,
    transactionTimeoutMs: TRANSACTION_TIMEOUT_MS,
  });
}

/** Writes position records as one batch to partition 0 of the positions topic, inside `producer`'s open transaction. */
export function positionsInTransaction(producer: TransactionalProducer): PositionWriter {
  return async (topic, records) => {
    const batch = new BatchBuilder();
    const now = Date.now();
    for (const r of records) batch.add(now, Buffer.from(r.key), Buffer.from(r.value), []);
    await producer.send([{ topic, partition: 0, batch }]);
  };
}
