/**
 * Cross-DC probe for one mirror flow: produce a probe message on the source cluster, consume its
 * mirrored copy on the target (topic named by the flow's replication policy), and measure the
 * time in between. A message acknowledged on the source but not seen on the target within the
 * SLA is lost. The target topic is created by the mirror, never by the monitor; until it exists
 * every probe ends up lost, which is the point.
 */
import { retryInBackground } from '../../client/retry.js';
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { MirrorConfig } from '../config.js';
import { targetTopicName } from '../lag/replication.js';
import { errorMessage } from '../util.js';
import { parsePayload, probeMetrics, type ProbeMetrics } from './probe-metrics.js';
import { createTopicsWithLeaders } from '../../client/kafkajs/create-topics.js';

export class ReplicationProbe {
  private readonly m: ProbeMetrics;
  private readonly run = randomUUID();
  private seq = 0;
  /** id → send time, for probes acknowledged on the source and not yet seen on the target */
  private readonly pending = new Map<number, number>();
  private admin: Admin | undefined;
  private producer: Producer | undefined;
  private consumer: Consumer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly stopping = new AbortController();
  private readonly labels: { source: string; target: string };
  readonly targetTopic: string;
  lastError: string | undefined;

  get name(): string {
    return `replication ${this.mirror.source}->${this.mirror.target}`;
  }

  constructor(
    private readonly mirror: MirrorConfig,
    private readonly source: Kafka,
    private readonly target: Kafka,
    registry: Registry,
    private readonly log: { warn(msg: string): void },
    private readonly intervalMs = 1000,
  ) {
    this.m = probeMetrics(registry);
    this.labels = { source: mirror.source, target: mirror.target };
    this.targetTopic = targetTopicName(mirror, mirror.probeTopic);
  }

  start(): void {
    this.m.replicationProduced.inc(this.labels, 0);
    this.m.replicationLost.inc(this.labels, 0);
    // Each side is set up again every 5 s until it works or stop() is called.
    retryInBackground(5000, this.stopping.signal, () => this.startProducer());
    retryInBackground(5000, this.stopping.signal, () => this.startConsumer());
  }

  private async startProducer(): Promise<void> {
    try {
      this.admin = this.source.admin();
      await this.admin.connect();
      const topics = await this.admin.listTopics();
      if (!topics.includes(this.mirror.probeTopic)) {
        await createTopicsWithLeaders(this.admin, [
          {
            topic: this.mirror.probeTopic,
            numPartitions: 1,
            configEntries: [{ name: 'retention.ms', value: '3600000' }],
          },
        ]);
      }
      this.producer = this.source.producer({ allowAutoTopicCreation: false });
      await this.producer.connect();
      this.timer = setInterval(() => this.tick(), this.intervalMs);
      this.timer.unref();
    } catch (err) {
      this.lastError = errorMessage(err);
      this.log.warn(`replication probe ${this.mirror.source}->${this.mirror.target}: ${this.lastError}`);
      await this.admin?.disconnect().catch(() => undefined);
      await this.producer?.disconnect().catch(() => undefined);
      throw err;
    }
  }

  private async startConsumer(): Promise<void> {
    // A fresh group per attempt, reading from the beginning: copies written before we joined
    // still count, and an earlier run's messages are ignored by their run id.
    const consumer = this.target.consumer({
      groupId: `kgw-monitor-replication-probe-${randomUUID()}`,
      allowAutoTopicCreation: false,
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.targetTopic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          const p = parsePayload(message.value);
          if (!p || p.run !== this.run) return;
          const sentAt = this.pending.get(p.id);
          if (sentAt === undefined) return; // already counted lost, or a duplicate copy
          this.pending.delete(p.id);
          this.m.replicationRoundtrip.observe(this.labels, (Date.now() - sentAt) / 1000);
        },
      });
      this.consumer = consumer;
    } catch (err) {
      this.lastError = errorMessage(err);
      await consumer.disconnect().catch(() => undefined);
      throw err;
    }
  }

  private tick(): void {
    const now = Date.now();
    const sla = this.mirror.probeRoundtripSlaSeconds * 1000;
    for (const [id, sentAt] of this.pending) {
      if (now - sentAt > sla) {
        this.pending.delete(id);
        this.m.replicationLost.inc(this.labels);
      }
    }
    const id = this.seq++;
    const sentAtMs = Date.now();
    // Registered before sending: the mirrored copy can arrive before the acknowledgement does.
    this.pending.set(id, sentAtMs);
    this.producer!.send({
      topic: this.mirror.probeTopic,
      acks: -1,
      messages: [{ value: JSON.stringify({ run: this.run, id, sentAtMs }) }],
    }).then(
      () => this.m.replicationProduced.inc(this.labels),
      (err: unknown) => {
        this.pending.delete(id); // never acknowledged: not a replication loss
        this.lastError = errorMessage(err);
      },
    );
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    clearInterval(this.timer);
    await Promise.all([
      this.consumer?.disconnect().catch(() => undefined),
      this.producer?.disconnect().catch(() => undefined),
      this.admin?.disconnect().catch(() => undefined),
    ]);
  }
}
