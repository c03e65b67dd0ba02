/**
 * Follows a small internal topic (MM2 offset syncs, heartbeats) from the beginning and keeps what
 * each record says in memory. Until the topic exists it retries quietly; the monitor never creates
 * these topics (the mirror does).
 */
import type { Consumer, Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { retryInBackground } from '../../client/retry.js';
import { errorMessage } from '../util.js';

export class TopicTail {
  private consumer: Consumer | undefined;
  private readonly stopping = new AbortController();
  lastError: string | undefined;

  constructor(
    private readonly kafka: Kafka,
    readonly topic: string,
    private readonly onRecord: (key: Buffer, value: Buffer) => void,
    private readonly retryMs = 5000,
  ) {}

  /** Tries every `retryMs` until the tail runs or stop() is called. */
  start(): void {
    retryInBackground(this.retryMs, this.stopping.signal, () => this.attempt());
  }

  private async attempt(): Promise<void> {
    if (this.stopping.signal.aborted) return;
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
      throw err;
    }
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.consumer?.disconnect().catch(() => undefined);
  }
}
