/**
 * The mirror's transactional producer on the project's own codec (exactly-once mode), following the
 * client side of KIP-98 as Kafka's Java TransactionManager implements it, protocol "transaction
 * version 1" (AddPartitionsToTxn v0–v3, Produce ≤ v11, EndTxn ≤ v4; v4+ of AddPartitionsToTxn are
 * for brokers, KIP-890):
 *
 *   init()    FindCoordinator(transaction) → InitProducerId(transactional id). The coordinator bumps
 *             the id's epoch and aborts whatever transaction an earlier incarnation left open; from
 *             then on that incarnation is fenced (zombie fencing).
 *   send()    AddPartitionsToTxn for partitions new to the open transaction, then Produce with the
 *             transactional id and transactional batches (one per partition, sequences as the
 *             idempotent producer: NativeProducer's retry machinery).
 *   commit()  EndTxn(commit). abort(): EndTxn(abort).
 *
 * Errors, as the Java client classifies them:
 *  - PRODUCER_FENCED / INVALID_PRODUCER_EPOCH: another incarnation owns the id. ProducerFencedError,
 *    not retriable: the task stops and never writes again with this producer.
 *  - CONCURRENT_TRANSACTIONS (the previous commit's markers are still being written), COORDINATOR_*
 *    and NOT_COORDINATOR (coordinator moved: looked up again), lost connections: retried with the
 *    backoff helper until deliveryTimeoutMs.
 *  - Sequence trouble inside a transaction (OUT_OF_ORDER_SEQUENCE_NUMBER, UNKNOWN_PRODUCER_ID,
 *    TRANSACTION_ABORTABLE): TransactionError, retriable: the task restarts, and the restart's
 *    InitProducerId aborts the open transaction. Never a new producer id in the middle of one: the
 *    batches already sent in it would be aborted while later ones committed.
 *  - Anything else (authorization, INVALID_TXN_STATE): TransactionError, not retriable.
 */
import { ConnectionError, type KafkaClientConnection } from '../../client/connection.js';
import { tpKey } from '../../client/cluster.js';
import { COORDINATOR_MOVED } from '../../client/kafka-errors.js';
import { withRetries } from '../../client/retry.js';
import { ErrorCode, errorName } from '../../protocol/errors.js';
import { ApiKey } from '../../protocol/generated/api-keys.js';
import { defaultFindCoordinatorRequest } from '../../protocol/generated/messages.js';
import { NativeProducer, type NativeProducerOptions, type ProduceItem } from './native-producer.js';
import type { NativeCluster } from './native-cluster.js';

/** Another incarnation took the transactional id over: this one must stop (KIP-98 zombie fencing). */
export class ProducerFencedError extends Error {
  override readonly name = 'ProducerFencedError';
  readonly retriable = false;
}

/** A transaction request answered with an error code. */
export class TransactionError extends Error {
  override readonly name = 'TransactionError';
  constructor(
    readonly code: number,
    what: string,
    readonly retriable: boolean,
  ) {
    super(`${what}: ${errorName(code)}`);
  }
}

export interface TransactionalProducerOptions extends NativeProducerOptions {
  transactionalId: string;
  /** The producer's transaction.timeout.ms: the coordinator aborts a transaction left open longer. */
  transactionTimeoutMs: number;
}

const KEY_TYPE_TRANSACTION = 1;
const { NONE, CONCURRENT_TRANSACTIONS, OPERATION_NOT_ATTEMPTED, UNKNOWN_TOPIC_OR_PARTITION } = ErrorCode;
/** A newer incarnation holds the transactional id. */
const FENCED: ReadonlySet<number> = new Set([ErrorCode.INVALID_PRODUCER_EPOCH, ErrorCode.PRODUCER_FENCED]);
/** The Java client retries AddPartitionsToTxn after CONCURRENT_TRANSACTIONS within 20 ms, not 100. */
const FIRST_BACKOFF_MS = 20;
/** Produce v12 tells the broker "transaction version 2" (implicit partition adds, KIP-890 part 2). */
const MAX_PRODUCE_VERSION_TV1 = 11;

export class TransactionalProducer extends NativeProducer {
  private coordinator: number | undefined;
  private identity: { producerId: bigint; producerEpoch: number } | undefined;
  /** Partitions added to the open transaction (tpKey). */
  private readonly added = new Set<string>();
  private fenced = false;

  constructor(
    cluster: NativeCluster,
    private readonly txn: TransactionalProducerOptions,
  ) {
    super(cluster, txn);
  }

  get isFenced(): boolean {
    return this.fenced;
  }

  /** Whether anything was sent since the last commit or abort. */
  get inTransaction(): boolean {
    return this.added.size > 0;
  }

  protected override get transactionalId(): string {
    return this.txn.transactionalId;
  }

  protected override get maxProduceVersion(): number {
    return MAX_PRODUCE_VERSION_TV1;
  }

  protected override async initProducerId(): Promise<{ producerId: bigint; producerEpoch: number }> {
    let answer: { producerId: bigint; producerEpoch: number } | undefined;
    await this.toCoordinator('InitProducerId', async (conn) => {
      const r = await conn.request(ApiKey.InitProducerId, conn.version(ApiKey.InitProducerId, 0, 4), {
        transactionalId: this.txn.transactionalId,
        transactionTimeoutMs: this.txn.transactionTimeoutMs,
        producerId: -1n,
        producerEpoch: -1,
        enable2Pc: false,
        keepPreparedTxn: false,
      });
      if (r.errorCode === NONE) answer = { producerId: r.producerId, producerEpoch: r.producerEpoch };
      return r.errorCode;
    });
    this.identity = answer!;
    this.added.clear();
    return this.identity;
  }

  protected override async beforeSend(items: readonly ProduceItem[]): Promise<void> {
    this.throwIfFenced();
    const fresh = new Map<string, Set<number>>();
    for (const i of items) {
      if (this.added.has(tpKey(i.topic, i.partition))) continue;
      let set = fresh.get(i.topic);
      if (set === undefined) fresh.set(i.topic, (set = new Set()));
      set.add(i.partition);
    }
    if (fresh.size === 0) return;
    const { producerId, producerEpoch } = this.identity!;
    await this.toCoordinator('AddPartitionsToTxn', async (conn) => {
      const r = await conn.request(ApiKey.AddPartitionsToTxn, conn.version(ApiKey.AddPartitionsToTxn, 0, 3), {
        transactions: [],
        v3AndBelowTransactionalId: this.txn.transactionalId,
        v3AndBelowProducerId: producerId,
        v3AndBelowProducerEpoch: producerEpoch,
        v3AndBelowTopics: [...fresh].map(([name, parts]) => ({ name, partitions: [...parts] })),
      });
      // All or nothing: on a failure the other partitions answer OPERATION_NOT_ATTEMPTED.
      let worst = 0;
      for (const t of r.resultsByTopicV3AndBelow)
        for (const p of t.resultsByPartition)
          if (p.partitionErrorCode !== NONE && p.partitionErrorCode !== OPERATION_NOT_ATTEMPTED)
            worst = p.partitionErrorCode;
      return worst;
    });
    for (const [topic, parts] of fresh) for (const p of parts) this.added.add(tpKey(topic, p));
  }

  protected override producerLost(code: number): Promise<void> {
    if (FENCED.has(code)) throw this.fence(code);
    throw new TransactionError(code, `produce in transaction ${this.txn.transactionalId}`, true);
  }

  /** Commits the open transaction (nothing to do when nothing was sent). */
  async commit(): Promise<void> {
    await this.endTxn(true);
  }

  /** Aborts the open transaction: its records stay invisible to read_committed readers. */
  async abort(): Promise<void> {
    await this.endTxn(false);
  }

  private async endTxn(committed: boolean): Promise<void> {
    this.throwIfFenced();
    if (this.added.size === 0) return;
    const { producerId, producerEpoch } = this.identity!;
    await this.toCoordinator(committed ? 'EndTxn(commit)' : 'EndTxn(abort)', async (conn) => {
      const r = await conn.request(ApiKey.EndTxn, conn.version(ApiKey.EndTxn, 0, 4), {
        transactionalId: this.txn.transactionalId,
        producerId,
        producerEpoch,
        committed,
      });
      return r.errorCode;
    });
    this.added.clear();
  }

  private throwIfFenced(): void {
    if (this.fenced)
      throw new ProducerFencedError(`transactional id ${this.txn.transactionalId}: this producer was fenced`);
  }

  private fence(code: number): ProducerFencedError {
    this.fenced = true;
    return new ProducerFencedError(
      `transactional id ${this.txn.transactionalId} was taken over by a newer instance (${errorName(code)}): this task stops writing`,
    );
  }

  /**
   * Sends one request to the transaction coordinator and classifies its error code; coordinator
   * moves, CONCURRENT_TRANSACTIONS and lost connections are retried (client/retry.ts).
   */
  private async toCoordinator(
    what: string,
    request: (conn: KafkaClientConnection) => Promise<number>,
  ): Promise<void> {
    const retry = {
      retryForMs: this.txn.deliveryTimeoutMs,
      initialBackoffMs: FIRST_BACKOFF_MS,
      isRetriable: (e: unknown) =>
        e instanceof ConnectionError || (e instanceof TransactionError && e.retriable),
    };
    await withRetries(retry, async () => {
      this.throwIfFenced();
      const node = (this.coordinator ??= await this.findCoordinator());
      let code: number;
      try {
        code = await request(await this.cluster.connection(node));
      } catch (e) {
        if (e instanceof ConnectionError) {
          this.cluster.drop(node);
          this.coordinator = undefined;
        }
        throw e;
      }
      if (code === NONE) return;
      if (FENCED.has(code)) throw this.fence(code);
      if (COORDINATOR_MOVED.has(code)) this.coordinator = undefined;
      const retriable =
        COORDINATOR_MOVED.has(code) ||
        code === CONCURRENT_TRANSACTIONS ||
        code === UNKNOWN_TOPIC_OR_PARTITION;
      throw new TransactionError(code, `${what} for ${this.txn.transactionalId}`, retriable);
    });
  }

  private async findCoordinator(): Promise<number> {
    const conn = await this.cluster.connectionToAny();
    const version = conn.version(ApiKey.FindCoordinator, 1, 6);
    // v1–v3 ask for one key, v4+ for a list.
    const r = await conn.request(ApiKey.FindCoordinator, version, {
      ...defaultFindCoordinatorRequest(),
      keyType: KEY_TYPE_TRANSACTION,
      ...(version >= 4 ? { coordinatorKeys: [this.txn.transactionalId] } : { key: this.txn.transactionalId }),
    });
    const c = version >= 4 ? r.coordinators[0] : r;
    if (c === undefined)
      throw new TransactionError(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'FindCoordinator', true);
    if (c.errorCode !== NONE)
      throw new TransactionError(c.errorCode, 'FindCoordinator', COORDINATOR_MOVED.has(c.errorCode));
    if (!this.cluster.brokerIds().includes(c.nodeId)) await this.cluster.refresh([]);
    return c.nodeId;
  }
}
