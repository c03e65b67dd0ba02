/**
 * The mirror's idempotent producer on the project's own codec (the native data path).
 *
 * - InitProducerId without a transactional id gives a producer id and epoch.
 * - Each target partition has a sequence number; a batch carries the sequence of its first record.
 * - acks=all. The caller sends at most one batch per partition per `send` and waits for it, so one
 *   batch per partition is in flight: the broker's duplicate check (same id + sequence) then makes
 *   every retry safe.
 * - Retriable answers (leader moved, not enough replicas, timeouts, lost connections) are retried
 *   with the same id and sequence until `deliveryTimeoutMs`; then the error is thrown (retriable, so
 *   the connector restarts from its stored positions).
 * - When the broker no longer knows our sequence (OUT_OF_ORDER_SEQUENCE_NUMBER, UNKNOWN_PRODUCER_ID,
 *   INVALID_PRODUCER_EPOCH) the producer takes a new id, restarts every sequence at 0, and resends
 *   the unacknowledged batches: at-least-once, a resend after a lost answer may duplicate.
 */
import { ErrorCode, errorName, isRetriable } from '../../protocol/errors.js';
import type { Logger } from 'pino';
import { ConnectionError } from '../../client/connection.js';
import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { ProduceResponse } from '../../protocol/generated/messages.js';
import { ZERO_UUID } from '../../protocol/runtime/reader.js';
import { nextSequence, restamp, type BatchBuilder, type ProducerStamp } from './batch-builder.js';
import { tpKey } from '../../client/cluster.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaPartitionError, PRODUCER_STATE_LOST, STALE_METADATA } from '../../client/kafka-errors.js';
import type { NativeCluster } from './native-cluster.js';
import { Backoff, withRetries } from '../../client/retry.js';

/** InitProducerId answered an error; retried while the table calls its code retriable. */
class InitProducerIdError extends Error {
  constructor(
    cluster: string,
    readonly code: number,
  ) {
    super(`${cluster}: InitProducerId failed: ${errorName(code)}`);
  }
}
const isRetriableInitError = (e: unknown): boolean => e instanceof InitProducerIdError && isRetriable(e.code);

export interface ProduceItem {
  topic: string;
  partition: number;
  batch: BatchBuilder;
}

export interface NativeProducerOptions {
  /** Broker-side wait for acks=all (Produce timeoutMs). */
  ackTimeoutMs: number;
  /** Give up on a batch after this long (the Java producer's delivery.timeout.ms, 120 s). */
  deliveryTimeoutMs: number;
  log: Logger;
}

interface InFlight {
  item: ProduceItem;
  bytes: Buffer;
  sequence: number;
  baseOffset?: bigint;
}

const ACKS_ALL = -1;

export class NativeProducer {
  private producer: { producerId: bigint; producerEpoch: number } | undefined;
  private readonly sequences = new Map<string, number>();

  constructor(
    protected readonly cluster: NativeCluster,
    protected readonly opts: NativeProducerOptions,
  ) {}

  /** Takes a producer id (again). Every partition's sequence restarts at 0. */
  async init(): Promise<void> {
    this.producer = await this.initProducerId();
    this.sequences.clear();
  }

  /** InitProducerId without a transactional id (idempotence only). */
  protected async initProducerId(): Promise<{ producerId: bigint; producerEpoch: number }> {
    const retry = { retryForMs: this.opts.deliveryTimeoutMs, isRetriable: isRetriableInitError };
    return withRetries(retry, async () => {
      const conn = await this.cluster.connectionToAny();
      const r = await conn.request(ApiKey.InitProducerId, conn.version(ApiKey.InitProducerId, 0, 4), {
        transactionalId: null,
        transactionTimeoutMs: 2147483647,
        producerId: -1n,
        producerEpoch: -1,
        enable2Pc: false,
        keepPreparedTxn: false,
      });
      if (r.errorCode !== ErrorCode.NONE)
        throw new InitProducerIdError(this.cluster.cluster.alias, r.errorCode);
      return { producerId: r.producerId, producerEpoch: r.producerEpoch };
    });
  }

  /** Called before a send's batches are produced (a transactional producer adds their partitions). */
  protected async beforeSend(_items: readonly ProduceItem[]): Promise<void> {}

  /**
   * The broker no longer knows our sequence (`code`): take a new producer id and resend
   * (at-least-once). A transactional producer must not: it throws instead.
   */
  protected async producerLost(code: number, err: Error | undefined): Promise<void> {
    this.opts.log.warn(
      { cluster: this.cluster.cluster.alias, err: String(err), code: errorName(code) },
      'producer state lost on the broker; taking a new producer id and resending',
    );
    await this.init();
  }

  /** Produce's transactional id (null: not transactional). */
  protected get transactionalId(): string | null {
    return null;
  }

  /** Highest Produce version: 12 means "transaction version 2" to a broker (KIP-890), so a transactional producer on v1 stops at 11. */
  protected get maxProduceVersion(): number {
    return 12;
  }

  close(): void {
    this.cluster.close();
  }

  /** Writes one batch to each item's partition; resolves with their base offsets, in item order. */
  async send(items: ProduceItem[]): Promise<bigint[]> {
    if (this.producer === undefined) await this.init();
    await this.beforeSend(items);
    const pending: InFlight[] = [];
    const seen = new Set<string>();
    for (const item of items) {
      const key = tpKey(item.topic, item.partition);
      if (seen.has(key)) throw new Error(`two batches for ${item.topic}-${item.partition} in one send`);
      seen.add(key);
      const sequence = this.sequences.get(key) ?? 0;
      pending.push({ item, sequence, bytes: await item.batch.encode(this.stamp(sequence)) });
    }
    const deadline = Date.now() + this.opts.deliveryTimeoutMs;
    let todo = pending;
    const backoff = new Backoff({ initialBackoffMs: 50, maxBackoffMs: 1000 });
    while (todo.length > 0) {
      const outcome = await this.attempt(todo);
      todo = todo.filter((p) => p.baseOffset === undefined);
      if (todo.length === 0) break;
      if (outcome.lastError && Date.now() > deadline) throw outcome.lastError;
      if (outcome.producerLost !== undefined) {
        await this.producerLost(outcome.producerLost, outcome.lastError);
        for (const p of todo) {
          p.sequence = 0;
          restamp(p.bytes, this.stamp(0));
        }
      }
      if (outcome.metadataStale)
        await this.cluster.refresh(todo.map((p) => p.item.topic)).catch(() => undefined);
      if (outcome.producerLost === undefined) await sleep(backoff.next());
    }
    return pending.map((p) => p.baseOffset!);
  }

  private stamp(baseSequence: number): ProducerStamp {
    return {
      producerId: this.producer!.producerId,
      producerEpoch: this.producer!.producerEpoch,
      baseSequence,
      transactional: this.transactionalId !== null,
    };
  }

  /** One Produce request per leader for `todo`; records what was acknowledged and what to do next. */
  private async attempt(
    todo: InFlight[],
  ): Promise<{ metadataStale: boolean; producerLost?: number; lastError?: Error }> {
    let metadataStale = false;
    let producerLost: number | undefined;
    let lastError: Error | undefined;
    if (todo.some((p) => this.cluster.leaderOf(p.item.topic, p.item.partition) === undefined))
      await this.cluster
        .refresh(todo.map((p) => p.item.topic))
        .catch((e: unknown) => (lastError = e as Error));
    const byLeader = new Map<number, InFlight[]>();
    for (const p of todo) {
      const leader = this.cluster.leaderOf(p.item.topic, p.item.partition);
      if (leader === undefined) {
        metadataStale = true;
        lastError = new KafkaPartitionError(
          ErrorCode.LEADER_NOT_AVAILABLE,
          p.item.topic,
          p.item.partition,
          'produce to',
          true,
        );
        continue;
      }
      const list = byLeader.get(leader);
      if (list) list.push(p);
      else byLeader.set(leader, [p]);
    }
    const results = await Promise.allSettled(
      [...byLeader.entries()].map(([leader, list]) => this.produceTo(leader, list)),
    );
    for (const r of results) {
      if (r.status === 'rejected') {
        if (!(r.reason instanceof ConnectionError)) throw r.reason;
        metadataStale = true;
        lastError = r.reason;
        continue;
      }
      for (const { p, code } of r.value) {
        const { topic, partition } = p.item;
        if (STALE_METADATA.has(code)) metadataStale = true;
        else if (PRODUCER_STATE_LOST.has(code)) producerLost = code;
        else if (!isRetriable(code))
          throw new KafkaPartitionError(code, topic, partition, 'produce to', false);
        lastError = new KafkaPartitionError(code, topic, partition, 'produce to', true);
      }
    }
    return { metadataStale, producerLost, lastError };
  }

  /** Sends one leader its batches; returns the partitions that were not acknowledged, with why. */
  private async produceTo(leader: number, list: InFlight[]): Promise<{ p: InFlight; code: number }[]> {
    let response: ProduceResponse;
    try {
      const conn = await this.cluster.connection(leader);
      const byTopic = new Map<string, InFlight[]>();
      for (const p of list) {
        const parts = byTopic.get(p.item.topic);
        if (parts) parts.push(p);
        else byTopic.set(p.item.topic, [p]);
      }
      response = await conn.request(ApiKey.Produce, conn.version(ApiKey.Produce, 3, this.maxProduceVersion), {
        transactionalId: this.transactionalId,
        acks: ACKS_ALL,
        timeoutMs: this.opts.ackTimeoutMs,
        topicData: [...byTopic.entries()].map(([name, parts]) => ({
          name,
          topicId: ZERO_UUID,
          partitionData: parts.map((p) => ({ index: p.item.partition, records: p.bytes })),
        })),
      });
    } catch (e) {
      if (e instanceof ConnectionError) this.cluster.drop(leader);
      throw e;
    }
    const answers = new Map<string, { errorCode: number; baseOffset: bigint }>();
    for (const t of response.responses)
      for (const p of t.partitionResponses) answers.set(tpKey(t.name, p.index), p);
    const failed: { p: InFlight; code: number }[] = [];
    for (const p of list) {
      const key = tpKey(p.item.topic, p.item.partition);
      const a = answers.get(key);
      if (a === undefined) {
        failed.push({ p, code: ErrorCode.NETWORK_EXCEPTION }); // no answer for it: treat as a network problem, resend
        continue;
      }
      if (a.errorCode !== ErrorCode.NONE) {
        failed.push({ p, code: a.errorCode });
        continue;
      }
      p.baseOffset = a.baseOffset;
      this.sequences.set(key, nextSequence(p.sequence, p.item.batch.count));
    }
    return failed;
  }
}
