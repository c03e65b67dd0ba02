/**
 * Follows a small internal topic (MM2 offset syncs, heartbeats) from the beginning and keeps what
 * each record says in memory. Until the topic exists it retries quietly; the monitor never creates
 * these topics (the mirror does).
 */
import type { Consumer, Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { errorMessage } from '../util.js';

export class TopicTail {
  private consumer: Consumer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  lastError: string | undefined;

  constructor(
    private readonly kafka: Kafka,
    readonly topic: string,
    private readonly onRecord: (key: Buffer, value: Buffer) => void,
    private readonly retryMs = 5000,
  ) {}

  start(): void {
    void this.attempt();
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    // A fresh group each start: we always want the whole topic, never a remembered position.
    const consumer = this.kafka.consumer({
      groupId: `kgw-monitor-tail-${randomUUID()}`,
      allowAutoTopicCreation: false,
      sessionTimeout: 10_000,
      heartbeatInterval: 3000,
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          if (!message.key || !message.value) return;
          try {
            this.onRecord(message.key, message.value);
          } catch (err) {
            this.lastError = `bad record in ${this.topic}: ${errorMessage(err)}`;
          }
        },
      });
      this.consumer = consumer;
      this.lastError = undefined;
    } catch (err) {
      this.lastError = errorMessage(err);
      await consumer.disconnect().catch(() => undefined);
      if (!this.stopped) {
        this.timer = setTimeout(() => void this.attempt(), this.retryMs);
        this.timer.unref();
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.consumer?.disconnect().catch(() => undefined);
  }
}
