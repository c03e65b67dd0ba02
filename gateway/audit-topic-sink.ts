/**
 * Publishes audit events to a Kafka topic on the upstream cluster (config `audit.topic`), one JSON
 * record per event keyed by principal, batched every 200 ms. The queue is bounded: when the topic
 * cannot keep up, the oldest events are dropped and counted (the file/stdout trail stays complete).
 */
import kafkajs, { type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { AuditEvent } from './audit.js';
import type { UpstreamConfig } from './config/schema.js';
import { kafkajsConfig } from './upstream/client-options.js';
import { createTopicsWithLeaders } from '../client/kafkajs/create-topics.js';

const { Kafka } = kafkajs;
const MAX_QUEUED = 10_000;
const FLUSH_MS = 200;

export class AuditTopicSink {
  private readonly queue: { key: string; value: string }[] = [];
  private producer: Producer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private sending = false;
  dropped = 0;

  constructor(
    private readonly upstream: UpstreamConfig,
    readonly topic: string,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const kafka = new Kafka(kafkajsConfig(this.upstream, 'kgw-gateway-audit'));
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { brokers } = await admin.describeCluster();
      await createTopicsWithLeaders(admin, [
        { topic: this.topic, numPartitions: 1, replicationFactor: Math.min(3, brokers.length) },
      ]);
    } finally {
      await admin.disconnect();
    }
    this.producer = kafka.producer({ allowAutoTopicCreation: false });
    await this.producer.connect();
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  /** The Audit sink callback. */
  readonly publish = (event: AuditEvent & { time: string }): void => {
    if (this.queue.length >= MAX_QUEUED) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push({ key: event.principal, value: JSON.stringify(event) });
  };

  async flush(): Promise<void> {
    if (this.sending || !this.producer || this.queue.length === 0) return;
    this.sending = true;
    const batch = this.queue.splice(0, this.queue.length);
    try {
      await this.producer.send({ topic: this.topic, acks: -1, messages: batch });
    } catch (e) {
      this.log.warn({ err: (e as Error).message, events: batch.length }, 'cannot publish audit events');
      this.queue.unshift(...batch.slice(-(MAX_QUEUED - this.queue.length)));
    } finally {
      this.sending = false;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    await this.producer?.disconnect();
  }
}
