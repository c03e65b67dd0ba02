/**
 * The gateway's durable security state — SCRAM credentials and ACLs — lives in one compacted,
 * single-partition topic on the upstream cluster: key "scram:<user>:<mechanism>" or "acl:…", value
 * the record, null to delete. Every gateway instance tails it, so several instances share state and
 * a restart loses nothing. Writes are acknowledged by all in-sync replicas before the admin call that
 * caused them is answered.
 *
 * The tail is a manually assigned fetcher (client/), not a consumer: no consumer group is
 * joined or left behind, nothing is committed. `start()` replays every partition from its earliest
 * offset up to the end offset it had at start before returning (the gateway reports ready only
 * after that), then the tail keeps applying what other instances write.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs, { type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { ClusterClient } from '../../client/cluster.js';
import { NativeFetcher } from '../../client/fetcher.js';
import { topicOffsets } from '../../client/read-to-end.js';
import { KafkaPartitionError } from '../../client/kafka-errors.js';
import { Backoff } from '../../client/retry.js';
import type { UpstreamConfig } from '../config/schema.js';
import { kafkajsConfig, upstreamConnectionOptions } from '../upstream/client-options.js';
import { createTopicsWithLeaders } from '../../client/kafkajs/create-topics.js';

const { Kafka } = kafkajs;
const CLIENT_ID = 'kgw-gateway-security';

export type SecurityRecordHandler = (key: string, value: Buffer | null) => void;

export class SecurityTopic {
  private readonly kafka;
  private readonly fetcher: NativeFetcher;
  private readonly cluster: ClusterClient;
  private producer: Producer | undefined;
  private tail: Promise<void> | undefined;
  private stopped = false;
  private readonly handlers: SecurityRecordHandler[] = [];

  constructor(
    upstream: UpstreamConfig,
    readonly topic: string,
    private readonly log: Logger,
  ) {
    this.kafka = new Kafka(kafkajsConfig(upstream, CLIENT_ID));
    this.cluster = new ClusterClient(
      'upstream',
      upstream.bootstrap,
      upstreamConnectionOptions(upstream, CLIENT_ID),
    );
    // A Fetch returns as soon as a record arrives; maxWaitMs only bounds an idle round trip.
    this.fetcher = new NativeFetcher(this.cluster, {
      maxBytes: 16 << 20,
      partitionMaxBytes: 8 << 20,
      maxWaitMs: 500,
    });
  }

  onRecord(handler: SecurityRecordHandler): void {
    this.handlers.push(handler);
  }

  /** Creates the topic if needed, then replays it completely before returning; keeps tailing it. */
  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const { brokers } = await admin.describeCluster();
      await createTopicsWithLeaders(admin, [
        {
          topic: this.topic,
          numPartitions: 1,
          replicationFactor: Math.min(3, brokers.length),
          configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'min.insync.replicas', value: String(Math.min(2, brokers.length)) },
          ],
        },
      ]);
    } finally {
      await admin.disconnect();
    }
    // Read from the partition leaders with retries: on a cluster that just formed, or right after a
    // leader change, some broker may not know the new leader yet (kafkajs gives up on that).
    const offsets = await topicOffsets(this.cluster, this.topic);
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await this.producer.connect();
    // Partition → end offset at start: replayed once the position reaches it.
    const pending = new Map<number, bigint>();
    for (const o of offsets) {
      await this.fetcher.assign(this.topic, o.partition, BigInt(o.low));
      if (BigInt(o.high) > BigInt(o.low)) pending.set(o.partition, BigInt(o.high));
    }
    let applied = 0;
    await new Promise<void>((resolve, reject) => {
      this.tail = this.run(pending, resolve, reject, () => applied++);
    });
    this.log.info(
      { topic: this.topic, records: applied, endOffsets: offsets.map((o) => `${o.partition}:${o.high}`) },
      'security state loaded',
    );
  }

  /**
   * Polls until stopped. Before the replay is complete an error that retrying cannot fix (e.g. the
   * service principal may not read the topic) fails `start()`; afterwards errors are logged and the
   * tail retries with backoff, keeping its position.
   */
  private async run(
    pending: Map<number, bigint>,
    replayed: () => void,
    failed: (e: Error) => void,
    count: () => void,
  ): Promise<void> {
    if (pending.size === 0) replayed();
    const backoff = new Backoff({ initialBackoffMs: 500, maxBackoffMs: 10_000 });
    while (!this.stopped) {
      let batches;
      try {
        batches = await this.fetcher.poll();
        backoff.reset();
      } catch (e) {
        if (this.stopped) break;
        const retriable = e instanceof KafkaPartitionError && e.retriable;
        if (pending.size > 0 && !retriable) {
          failed(e as Error);
          return;
        }
        const delay = backoff.next();
        this.log.warn(
          { topic: this.topic, err: (e as Error).message, retryInMs: delay },
          'cannot read the security topic',
        );
        await sleep(delay);
        continue;
      }
      for (const b of batches) {
        for (const r of b.records) {
          count();
          // Keys and values are views into the Fetch response: keep copies, not the response.
          if (r.key !== null) this.apply(r.key.toString('utf8'), r.value && Buffer.from(r.value));
        }
        const end = pending.get(b.partition);
        if (end !== undefined && b.nextOffset >= end) {
          pending.delete(b.partition);
          if (pending.size === 0) replayed();
        }
      }
    }
  }

  private apply(key: string, value: Buffer | null): void {
    for (const h of this.handlers) {
      try {
        h(key, value);
      } catch (e) {
        this.log.error({ key, err: (e as Error).message }, 'skipping unreadable security record');
      }
    }
  }

  /** Writes records (acks=all) and applies them locally at once; the tail applies them again, idempotently. */
  async write(records: { key: string; value: Buffer | null }[]): Promise<void> {
    if (!this.producer) throw new Error('security topic is not started');
    await this.producer.send({ topic: this.topic, acks: -1, messages: records });
    for (const r of records) for (const h of this.handlers) h(r.key, r.value);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.fetcher.disconnect(); // an in-flight Fetch fails at once; the loop then sees `stopped`
    await Promise.allSettled([this.tail, this.producer?.disconnect()]);
  }
}
