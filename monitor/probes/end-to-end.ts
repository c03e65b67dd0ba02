/**
 * KMinion-style end-to-end probe of one cluster: every interval, one message to each partition of
 * a managed probe topic (one partition led by each broker, so every broker's write path is
 * exercised), consumed back by the monitor's own group, which then commits. Measures:
 *  - produce latency: send → acknowledgement (acks=all);
 *  - roundtrip latency: send → consumed back;
 *  - commit latency: the group coordinator's answer to the commit (labelled with its broker id);
 *  - lost: acknowledged but not consumed back within the roundtrip SLA; failed: produce error or
 *    no acknowledgement within the ack SLA.
 */
import { retryInBackground } from '../../client/retry.js';
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { MonitorConfig } from '../config.js';
import { errorMessage } from '../util.js';
import { javaStringHash, parsePayload, probeMetrics, type ProbeMetrics } from './probe-metrics.js';
import { createTopicsWithLeaders } from '../../client/kafkajs/create-topics.js';

type ProbeConfig = MonitorConfig['probes'];

interface InFlight {
  readonly partition: number;
  readonly sentAtMs: number;
  acked: boolean;
}

export class EndToEndProbe {
  private readonly m: ProbeMetrics;
  private readonly run = randomUUID();
  private seq = 0;
  private readonly pending = new Map<number, InFlight>();
  private partitions: number[] = [];
  private coordinatorId = 'unknown';
  private admin: Admin | undefined;
  private producer: Producer | undefined;
  private consumer: Consumer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly stopping = new AbortController();
  lastError: string | undefined;

  get name(): string {
    return `end-to-end ${this.cluster}`;
  }

  constructor(
    readonly cluster: string,
    private readonly kafka: Kafka,
    private readonly cfg: ProbeConfig,
    registry: Registry,
    private readonly log: { warn(msg: string): void },
  ) {
    this.m = probeMetrics(registry);
  }

  /** Sets the probe up, again every 5 s until it works or stop() is called. */
  start(): void {
    retryInBackground(5000, this.stopping.signal, () => this.init());
  }

  private async init(): Promise<void> {
    try {
      this.admin = this.kafka.admin();
      await this.admin.connect();
      this.partitions = await ensureProbeTopic(this.admin, this.cfg.topic, this.cfg.replicationFactor);
      this.coordinatorId = await coordinatorOf(this.admin, this.cfg.group);
      this.producer = this.kafka.producer({ allowAutoTopicCreation: false });
      await this.producer.connect();
      this.consumer = this.kafka.consumer({ groupId: this.cfg.group, allowAutoTopicCreation: false });
      await this.consumer.connect();
      await this.consumer.subscribe({ topic: this.cfg.topic, fromBeginning: false });
      const joined = new Promise<void>((resolve) =>
        this.consumer!.on(this.consumer!.events.GROUP_JOIN, () => resolve()),
      );
      await this.consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic, partition, message }) => {
          const p = parsePayload(message.value);
          if (!p || p.run !== this.run) return; // an earlier run or another monitor
          const now = Date.now();
          const entry = this.pending.get(p.id);
          if (entry) {
            this.pending.delete(p.id);
            if (now - p.sentAtMs <= this.cfg.roundtripSlaSeconds * 1000) {
              this.m.received.inc({ cluster: this.cluster });
              this.m.roundtripLatency.observe(
                { cluster: this.cluster, partition_id: String(partition) },
                (now - p.sentAtMs) / 1000,
              );
            }
          }
          const t0 = process.hrtime.bigint();
          await this.consumer!.commitOffsets([
            { topic, partition, offset: String(Number(message.offset) + 1) },
          ]);
          this.m.commitLatency.observe(
            { cluster: this.cluster, group_coordinator_broker_id: this.coordinatorId },
            Number(process.hrtime.bigint() - t0) / 1e9,
          );
          this.m.commits.inc({ cluster: this.cluster });
        },
      });
      await joined;
      this.lastError = undefined;
      // Every series exists from the start, so increase()/rate() see the first loss as a change.
      const c = { cluster: this.cluster };
      for (const counter of [this.m.received, this.m.lost, this.m.commits]) counter.inc(c, 0);
      for (const partition of this.partitions) {
        const l = { cluster: this.cluster, partition_id: String(partition) };
        this.m.produced.inc(l, 0);
        this.m.producedFailed.inc(l, 0);
        this.m.inFlight.inc(l, 0);
      }
      this.timer = setInterval(() => this.tick(), this.cfg.intervalSeconds * 1000);
      this.timer.unref();
    } catch (err) {
      this.lastError = errorMessage(err);
      this.log.warn(`probe ${this.cluster}: ${this.lastError}; retrying in 5 s`);
      await this.teardown();
      throw err;
    }
  }

  private tick(): void {
    const now = Date.now();
    // Sweep: acknowledged but not seen back within the SLA is lost.
    for (const [id, e] of this.pending) {
      if (e.acked && now - e.sentAtMs > this.cfg.roundtripSlaSeconds * 1000) {
        this.pending.delete(id);
        this.m.lost.inc({ cluster: this.cluster });
      }
    }
    for (const partition of this.partitions) void this.send(partition);
  }

  private async send(partition: number): Promise<void> {
    const id = this.seq++;
    const sentAtMs = Date.now();
    const labels = { cluster: this.cluster, partition_id: String(partition) };
    const entry: InFlight = { partition, sentAtMs, acked: false };
    this.pending.set(id, entry);
    this.m.inFlight.inc(labels);
    const t0 = process.hrtime.bigint();
    try {
      await this.producer!.send({
        topic: this.cfg.topic,
        acks: -1,
        timeout: this.cfg.ackSlaSeconds * 1000,
        messages: [{ partition, value: JSON.stringify({ run: this.run, id, sentAtMs }) }],
      });
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      this.m.produced.inc(labels);
      if (seconds > this.cfg.ackSlaSeconds) {
        this.m.producedFailed.inc(labels);
        this.pending.delete(id);
      } else {
        this.m.produceLatency.observe(labels, seconds);
        entry.acked = true;
      }
    } catch {
      this.m.produced.inc(labels);
      this.m.producedFailed.inc(labels);
      this.pending.delete(id);
    } finally {
      this.m.inFlight.dec(labels);
    }
  }

  private async teardown(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([
      this.consumer?.disconnect().catch(() => undefined),
      this.producer?.disconnect().catch(() => undefined),
      this.admin?.disconnect().catch(() => undefined),
    ]);
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.teardown();
  }
}

/**
 * Creates the probe topic with one partition per broker, adds partitions when brokers were added,
 * and moves preferred leadership so every broker leads at least one partition (the controller's
 * automatic preferred-leader election then applies it). Returns the partition ids.
 */
export async function ensureProbeTopic(
  admin: Admin,
  topic: string,
  replicationFactor?: number,
): Promise<number[]> {
  const { brokers } = await admin.describeCluster();
  const ids = brokers.map((b) => b.nodeId).sort((a, b) => a - b);
  const rf = Math.min(replicationFactor ?? 3, ids.length);
  const existing = await admin.listTopics();
  if (!existing.includes(topic)) {
    await createTopicsWithLeaders(admin, [{ topic, numPartitions: ids.length, replicationFactor: rf }]);
  }
  let meta = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!;
  if (meta.partitions.length < ids.length) {
    await admin.createPartitions({ topicPartitions: [{ topic, count: ids.length }] });
    meta = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!;
  }
  const leaders = new Set(meta.partitions.map((p) => p.leader));
  const missing = ids.filter((id) => !leaders.has(id));
  if (missing.length > 0 && ids.length > 1) {
    // Give partition i a replica list that starts with broker i (its preferred leader).
    const sorted = [...meta.partitions].sort((a, b) => a.partitionId - b.partitionId);
    await admin.alterPartitionReassignments({
      topics: [
        {
          topic,
          partitionAssignment: sorted.map((p, i) => ({
            partition: p.partitionId,
            replicas: Array.from({ length: rf }, (_, k) => ids[(i + k) % ids.length]!),
          })),
        },
      ],
    });
  }
  return meta.partitions.map((p) => p.partitionId).sort((a, b) => a - b);
}

/** The broker that coordinates `group`: leader of __consumer_offsets partition hash(group) mod n. */
export async function coordinatorOf(admin: Admin, group: string): Promise<string> {
  try {
    const meta = (await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] })).topics[0]!;
    const n = meta.partitions.length;
    const partition = (javaStringHash(group) & 0x7fffffff) % n;
    const leader = meta.partitions.find((p) => p.partitionId === partition)?.leader;
    return leader === undefined ? 'unknown' : String(leader);
  } catch {
    return 'unknown';
  }
}
