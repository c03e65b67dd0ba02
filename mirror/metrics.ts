/**
 * The mirror's Prometheus metrics, named from observability/metrics/ (MM2's MirrorSourceConnector /
 * MirrorCheckpointConnector MBeans as jmx_exporter renders them, plus kgw histograms).
 *
 * MM2's min/max/avg gauges are windowed; ours cover a 30 s tumbling window (the last full window
 * while the current one is empty). Rates are records/bytes per second over the same window.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  MIRROR_BYTE_COUNT,
  MIRROR_BYTE_RATE,
  MIRROR_CHECKPOINT_LATENCY_MS,
  MIRROR_CHECKPOINT_LATENCY_MS_AVG,
  MIRROR_CHECKPOINT_LATENCY_MS_MAX,
  MIRROR_CHECKPOINT_LATENCY_MS_MIN,
  MIRROR_CHECKPOINT_UNTRANSLATED,
  MIRROR_HEARTBEAT_AGE_SECONDS,
  MIRROR_RECORD_AGE_MS,
  MIRROR_RECORD_AGE_MS_AVG,
  MIRROR_RECORD_AGE_MS_MAX,
  MIRROR_RECORD_AGE_MS_MIN,
  MIRROR_RECORD_AGE_SECONDS,
  MIRROR_RECORD_COUNT,
  MIRROR_RECORD_RATE,
  MIRROR_REPLICATION_LATENCY_MS,
  MIRROR_REPLICATION_LATENCY_MS_AVG,
  MIRROR_REPLICATION_LATENCY_MS_MAX,
  MIRROR_REPLICATION_LATENCY_MS_MIN,
  MIRROR_REPLICATION_LATENCY_SECONDS,
  MIRROR_SOURCE_OFFSET_RESETS_TOTAL,
  MIRROR_SOURCE_RECORDS_LOST_TOTAL,
  promClientOptions,
} from '../observability/metrics/index.js';

const WINDOW_MS = 30_000;

class Window {
  start = Date.now();
  n = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  last = 0;
  prev?: { n: number; sum: number; min: number; max: number; ms: number };
  add(v: number, now: number): void {
    this.roll(now);
    this.n++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    this.last = v;
  }
  /**
   * Moves to the window holding `now`. The previous window is kept only if it is the one right
   * before: rolled lazily (when a record arrives or a scrape reads it), a window whose records are
   * minutes old would otherwise be reported as "the last 30 s" at the first scrape after a quiet
   * spell (e.g. the catch-up right after the mirror started: seconds of latency shown while the lag
   * is 0).
   */
  roll(now: number): void {
    const periods = Math.floor((now - this.start) / WINDOW_MS);
    if (periods < 1) return;
    this.prev =
      periods === 1 ? { n: this.n, sum: this.sum, min: this.min, max: this.max, ms: WINDOW_MS } : undefined;
    this.start += periods * WINDOW_MS;
    this.n = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }
  view(now: number): { n: number; sum: number; min: number; max: number; ms: number } | undefined {
    this.roll(now);
    if (this.n > 0)
      return { n: this.n, sum: this.sum, min: this.min, max: this.max, ms: Math.max(1, now - this.start) };
    return this.prev;
  }
}

interface PartitionStats {
  labels: { source: string; target: string; topic: string; partition: string };
  age: Window;
  latency: Window;
  bytes: Window;
}

export class MirrorMetrics {
  readonly registry = new Registry();
  private readonly partitions = new Map<string, PartitionStats>();
  private readonly checkpoints = new Map<string, { labels: Record<string, string>; w: Window }>();
  private readonly heartbeats = new Map<string, { labels: { source: string; target: string }; at: number }>();

  private readonly recordCount = new Counter({
    ...promClientOptions(MIRROR_RECORD_COUNT),
    registers: [this.registry],
  });
  private readonly byteCount = new Counter({
    ...promClientOptions(MIRROR_BYTE_COUNT),
    registers: [this.registry],
  });
  private readonly latencyHistogram = new Histogram({
    ...promClientOptions(MIRROR_REPLICATION_LATENCY_SECONDS),
    registers: [this.registry],
  });
  private readonly ageHistogram = new Histogram({
    ...promClientOptions(MIRROR_RECORD_AGE_SECONDS),
    registers: [this.registry],
  });

  private readonly recordsLost = new Counter({
    ...promClientOptions(MIRROR_SOURCE_RECORDS_LOST_TOTAL),
    registers: [this.registry],
  });
  private readonly offsetResets = new Counter({
    ...promClientOptions(MIRROR_SOURCE_OFFSET_RESETS_TOTAL),
    registers: [this.registry],
  });
  private readonly untranslated = new Gauge({
    ...promClientOptions(MIRROR_CHECKPOINT_UNTRANSLATED),
    registers: [this.registry],
  });

  constructor() {
    const source = [
      [MIRROR_RECORD_RATE, (s: PartitionStats, now: number) => rate(s.bytes.view(now), 'n')],
      [MIRROR_BYTE_RATE, (s: PartitionStats, now: number) => rate(s.bytes.view(now), 'sum')],
      [MIRROR_RECORD_AGE_MS, (s: PartitionStats) => s.age.last],
      [MIRROR_RECORD_AGE_MS_MIN, (s: PartitionStats, now: number) => s.age.view(now)?.min],
      [MIRROR_RECORD_AGE_MS_MAX, (s: PartitionStats, now: number) => s.age.view(now)?.max],
      [MIRROR_RECORD_AGE_MS_AVG, (s: PartitionStats, now: number) => avg(s.age.view(now))],
      [MIRROR_REPLICATION_LATENCY_MS, (s: PartitionStats) => s.latency.last],
      [MIRROR_REPLICATION_LATENCY_MS_MIN, (s: PartitionStats, now: number) => s.latency.view(now)?.min],
      [MIRROR_REPLICATION_LATENCY_MS_MAX, (s: PartitionStats, now: number) => s.latency.view(now)?.max],
      [MIRROR_REPLICATION_LATENCY_MS_AVG, (s: PartitionStats, now: number) => avg(s.latency.view(now))],
    ] as const;
    for (const [def, pick] of source) {
      const partitions = this.partitions;
      new Gauge({
        ...promClientOptions(def),
        registers: [this.registry],
        collect() {
          const now = Date.now();
          this.reset();
          for (const s of partitions.values()) {
            const v = pick(s, now);
            if (v !== undefined && Number.isFinite(v)) this.set(s.labels, v);
          }
        },
      });
    }
    const checkpoint = [
      [MIRROR_CHECKPOINT_LATENCY_MS, (w: Window) => w.last],
      [MIRROR_CHECKPOINT_LATENCY_MS_MIN, (w: Window, now: number) => w.view(now)?.min],
      [MIRROR_CHECKPOINT_LATENCY_MS_MAX, (w: Window, now: number) => w.view(now)?.max],
      [MIRROR_CHECKPOINT_LATENCY_MS_AVG, (w: Window, now: number) => avg(w.view(now))],
    ] as const;
    for (const [def, pick] of checkpoint) {
      const checkpoints = this.checkpoints;
      new Gauge({
        ...promClientOptions(def),
        registers: [this.registry],
        collect() {
          const now = Date.now();
          this.reset();
          for (const c of checkpoints.values()) {
            const v = pick(c.w, now);
            if (v !== undefined && Number.isFinite(v)) this.set(c.labels, v);
          }
        },
      });
    }
    const heartbeats = this.heartbeats;
    new Gauge({
      ...promClientOptions(MIRROR_HEARTBEAT_AGE_SECONDS),
      registers: [this.registry],
      collect() {
        this.reset();
        for (const h of heartbeats.values()) this.set(h.labels, (Date.now() - h.at) / 1000);
      },
    });
  }

  /** One record acknowledged by the target. */
  recordReplicated(
    source: string,
    target: string,
    topic: string,
    partition: number,
    bytes: number,
    ageMs: number,
    latencyMs: number,
    now: number,
  ): void {
    const key = `${source}\u0000${target}\u0000${topic}\u0000${partition}`;
    let s = this.partitions.get(key);
    if (s === undefined) {
      s = {
        labels: { source, target, topic, partition: String(partition) },
        age: new Window(),
        latency: new Window(),
        bytes: new Window(),
      };
      this.partitions.set(key, s);
    }
    s.age.add(ageMs, now);
    s.latency.add(latencyMs, now);
    s.bytes.add(bytes, now);
  }

  /** Bulk counters and histograms for a batch of acknowledged records of one partition. */
  batchReplicated(
    source: string,
    target: string,
    topic: string,
    partition: number,
    records: number,
    bytes: number,
    ages: number[],
    latencyMs: number,
  ): void {
    const labels = { source, target, topic, partition: String(partition) };
    this.recordCount.inc(labels, records);
    this.byteCount.inc(labels, bytes);
    const h = { source, target, topic };
    for (const a of ages) {
      this.ageHistogram.observe(h, a / 1000);
      this.latencyHistogram.observe(h, latencyMs / 1000);
    }
  }

  checkpointLatency(
    source: string,
    target: string,
    group: string,
    topic: string,
    partition: number,
    ms: number,
  ): void {
    const key = `${source}\u0000${target}\u0000${group}\u0000${topic}\u0000${partition}`;
    let c = this.checkpoints.get(key);
    if (c === undefined) {
      c = { labels: { source, target, group, topic, partition: String(partition) }, w: new Window() };
      this.checkpoints.set(key, c);
    }
    c.w.add(ms, Date.now());
  }

  /**
   * A source partition is being copied: its loss counters exist from now on at 0, so rate() and
   * increase() (dashboards, the MirrorSourceDataLost alert) see the first loss as an increase.
   */
  sourcePartitionAssigned(labels: {
    source: string;
    target: string;
    topic: string;
    partition: number;
  }): void {
    const l = { ...labels, partition: String(labels.partition) };
    this.recordsLost.inc(l, 0);
    for (const reason of ['records_removed', 'offsets_went_backwards', 'topic_recreated'])
      this.offsetResets.inc({ ...l, reason }, 0);
  }

  /** The source position had to move because the data there was gone; `lost` records never copied. */
  sourceOffsetReset(
    labels: { source: string; target: string; topic: string; partition: number },
    reason: 'records_removed' | 'offsets_went_backwards' | 'topic_recreated',
    lost: number,
  ): void {
    const l = { ...labels, partition: String(labels.partition) };
    this.offsetResets.inc({ ...l, reason });
    this.recordsLost.inc(l, lost);
  }

  /** Group partitions without a checkpoint in the last round, per reason. */
  checkpointUntranslated(source: string, target: string, counts: Record<string, number>): void {
    for (const [reason, n] of Object.entries(counts)) this.untranslated.set({ source, target, reason }, n);
  }

  heartbeatWritten(source: string, target: string, at: number): void {
    this.heartbeats.set(`${source}\u0000${target}`, { labels: { source, target }, at });
  }
}

function avg(v: { n: number; sum: number } | undefined): number | undefined {
  return v === undefined || v.n === 0 ? undefined : v.sum / v.n;
}

function rate(v: { n: number; sum: number; ms: number } | undefined, what: 'n' | 'sum'): number | undefined {
  return v === undefined ? undefined : (v[what] * 1000) / v.ms;
}
