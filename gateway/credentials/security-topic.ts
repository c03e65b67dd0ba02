/**
 * The gateway's durable security state — SCRAM credentials and ACLs — lives in one compacted,
 * single-partition topic on the upstream cluster: key "scram:<user>:<mechanism>" or "acl:…", value
 * the record, null to delete. Every gateway instance tails it, so several instances share state and
 * a restart loses nothing. Writes are acknowledged by all in-sync replicas before the admin call that
 * caused them is answered.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import kafkajs, { type Consumer, type KafkaConfig, type Producer, type SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';
import type { UpstreamConfig } from '../config/schema.js';

const { Kafka, logLevel } = kafkajs;

export type SecurityRecordHandler = (key: string, value: Buffer | null) => void;

export function kafkajsConfig(upstream: UpstreamConfig, clientId: string): KafkaConfig {
  const sasl = upstream.sasl;
  return {
    clientId,
    brokers: upstream.bootstrap,
    logLevel: logLevel.NOTHING,
    ssl: upstream.tls
      ? {
          ca: upstream.tls.ca ? [readFileSync(upstream.tls.ca, 'utf8')] : undefined,
          servername: upstream.tls.serverName,
          rejectUnauthorized: !upstream.tls.insecureSkipVerify,
        }
      : undefined,
    sasl: sasl
      ? ({
          mechanism: sasl.mechanism.toLowerCase(),
          username: sasl.username,
          password: sasl.password ?? readFileSync(sasl.passwordFile!, 'utf8').trim(),
        } as SASLOptions)
      : undefined,
  };
}

export class SecurityTopic {
  private readonly kafka;
  private producer: Producer | undefined;
  private consumer: Consumer | undefined;
  private readonly handlers: SecurityRecordHandler[] = [];

  constructor(
    upstream: UpstreamConfig,
    readonly topic: string,
    private readonly log: Logger,
  ) {
    this.kafka = new Kafka(kafkajsConfig(upstream, 'kgw-gateway-security'));
  }

  onRecord(handler: SecurityRecordHandler): void {
    this.handlers.push(handler);
  }

  /** Creates the topic if needed, then replays it completely before returning. */
  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const { brokers } = await admin.describeCluster();
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: this.topic,
            numPartitions: 1,
            replicationFactor: Math.min(3, brokers.length),
            configEntries: [
              { name: 'cleanup.policy', value: 'compact' },
              { name: 'min.insync.replicas', value: String(Math.min(2, brokers.length)) },
            ],
          },
        ],
      });
      const [end] = await admin.fetchTopicOffsets(this.topic);
      const target = BigInt(end!.high);
      this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await this.producer.connect();
      // Tailing without committing: each instance reads the whole topic from the start. The group
      // exists only to satisfy kafkajs; it has no committed offsets and disappears when empty.
      this.consumer = this.kafka.consumer({ groupId: `kgw-gateway-${randomUUID()}`, maxWaitTimeInMs: 200 });
      await this.consumer.connect();
      await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
      let caughtUp: () => void = () => undefined;
      const replayed = new Promise<void>((resolve) => (caughtUp = resolve));
      if (target === 0n) caughtUp();
      await this.consumer.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          const key = message.key?.toString('utf8');
          if (key !== undefined) {
            for (const h of this.handlers) {
              try {
                h(key, message.value);
              } catch (e) {
                this.log.error({ key, err: (e as Error).message }, 'skipping unreadable security record');
              }
            }
          }
          if (BigInt(message.offset) + 1n >= target) caughtUp();
        },
      });
      await replayed;
      this.log.info({ topic: this.topic, records: target.toString() }, 'security state loaded');
    } finally {
      await admin.disconnect();
    }
  }

  /** Writes records (acks=all) and applies them locally at once; the tail applies them again, idempotently. */
  async write(records: { key: string; value: Buffer | null }[]): Promise<void> {
    if (!this.producer) throw new Error('security topic is not started');
    await this.producer.send({ topic: this.topic, acks: -1, messages: records });
    for (const r of records) for (const h of this.handlers) h(r.key, r.value);
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.consumer?.disconnect(), this.producer?.disconnect()]);
  }
}
