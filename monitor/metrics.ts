/**
 * The monitor's Prometheus metrics, in a private prom-client Registry, named from the catalogue.
 *
 * Lag gauges are rebuilt from the latest completed cycle of every cluster at scrape time
 * (`refresh()`), so a scrape never waits for a cluster, series of vanished groups disappear, and
 * the scrape age is exact at the moment Prometheus asks.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  BURROW_GROUP_STATUS,
  BURROW_PARTITION_STATUS,
  CONSUMERGROUP_CURRENT_OFFSET,
  CONSUMERGROUP_CURRENT_OFFSET_SUM,
  CONSUMERGROUP_LAG,
  CONSUMERGROUP_LAG_SUM,
  CONSUMERGROUP_MEMBERS,
  GROUP_LAG,
  GROUP_LAG_SECONDS,
  GROUP_MAX_LAG,
  GROUP_MAX_LAG_SECONDS,
  GROUP_OFFSET,
  GROUP_SUM_LAG,
  GROUP_TOPIC_SUM_LAG,
  MIRROR_HEARTBEAT_AGE_SECONDS,
  MONITOR_CYCLE_DURATION_SECONDS,
  MONITOR_SCRAPE_AGE_SECONDS,
  PARTITION_EARLIEST_OFFSET,
  PARTITION_LATEST_OFFSET,
  promClientOptions,
  TOPIC_PARTITION_CURRENT_OFFSET,
  TOPIC_PARTITION_OLDEST_OFFSET,
  MIRROR_PARTITION_LAG_RECORDS,
  MIRROR_PARTITION_LAG_SECONDS,
  MONITOR_CYCLE_FAILURES_TOTAL,
  type MetricDef,
} from '../observability/metrics/index.js';
import type { ReplicationLag } from './lag/replication.js';
import type { ClusterSnapshot, GroupLag } from './lag/types.js';
import { statusCode, type GroupStatus } from './status/evaluator.js';

/** What the exporter renders for one cluster: the newest completed cycle. */
export interface ClusterView {
  readonly snapshot: ClusterSnapshot;
  readonly lags: readonly GroupLag[];
  readonly statuses: readonly GroupStatus[];
  readonly lastSuccessMs: number;
}

export interface ExportInput {
  readonly clusters: ReadonlyMap<string, ClusterView | undefined>;
  readonly replication: readonly ReplicationLag[];
  readonly heartbeats: readonly { source: string; target: string; timestampMs: number }[];
  readonly startedAtMs: number;
  readonly nowMs: number;
}

const gauge = <N extends string, L extends string>(def: MetricDef<N, L>, registry: Registry) =>
  new Gauge<L>({ ...promClientOptions(def), labelNames: [...def.labelNames], registers: [registry] });

export class MonitorMetrics {
  readonly registry = new Registry();
  private readonly r = this.registry;
  readonly cg = {
    lag: gauge(CONSUMERGROUP_LAG, this.r),
    lagSum: gauge(CONSUMERGROUP_LAG_SUM, this.r),
    currentOffset: gauge(CONSUMERGROUP_CURRENT_OFFSET, this.r),
    currentOffsetSum: gauge(CONSUMERGROUP_CURRENT_OFFSET_SUM, this.r),
    members: gauge(CONSUMERGROUP_MEMBERS, this.r),
    topicCurrent: gauge(TOPIC_PARTITION_CURRENT_OFFSET, this.r),
    topicOldest: gauge(TOPIC_PARTITION_OLDEST_OFFSET, this.r),
  };
  readonly kle = {
    offset: gauge(GROUP_OFFSET, this.r),
    lag: gauge(GROUP_LAG, this.r),
    lagSeconds: gauge(GROUP_LAG_SECONDS, this.r),
    maxLag: gauge(GROUP_MAX_LAG, this.r),
    maxLagSeconds: gauge(GROUP_MAX_LAG_SECONDS, this.r),
    sumLag: gauge(GROUP_SUM_LAG, this.r),
    topicSumLag: gauge(GROUP_TOPIC_SUM_LAG, this.r),
    latest: gauge(PARTITION_LATEST_OFFSET, this.r),
    earliest: gauge(PARTITION_EARLIEST_OFFSET, this.r),
  };
  readonly status = {
    group: gauge(BURROW_GROUP_STATUS, this.r),
    partition: gauge(BURROW_PARTITION_STATUS, this.r),
  };
  readonly replication = {
    records: gauge(MIRROR_PARTITION_LAG_RECORDS, this.r),
    seconds: gauge(MIRROR_PARTITION_LAG_SECONDS, this.r),
    heartbeatAge: gauge(MIRROR_HEARTBEAT_AGE_SECONDS, this.r),
  };
  readonly scrapeAge = gauge(MONITOR_SCRAPE_AGE_SECONDS, this.r);
  readonly cycleDuration = new Histogram({
    ...promClientOptions(MONITOR_CYCLE_DURATION_SECONDS),
    labelNames: [...MONITOR_CYCLE_DURATION_SECONDS.labelNames],
    registers: [this.r],
  });
  readonly cycleFailures = new Counter({
    ...promClientOptions(MONITOR_CYCLE_FAILURES_TOTAL),
    labelNames: [...MONITOR_CYCLE_FAILURES_TOTAL.labelNames],
    registers: [this.r],
  });

  private readonly rebuilt: Gauge[] = [
    ...Object.values(this.cg),
    ...Object.values(this.kle),
    ...Object.values(this.status),
    ...Object.values(this.replication),
    this.scrapeAge,
  ] as Gauge[];

  /** Failure counters start at zero per cluster, so the first failure is visible to increase(). */
  initClusters(clusters: readonly string[]): void {
    for (const cluster of clusters) {
      for (const reason of ['error', 'deadline', 'skipped']) this.cycleFailures.inc({ cluster, reason }, 0);
    }
  }

  /** Rebuilds every lag gauge from the newest completed cycles. */
  refresh(input: ExportInput): void {
    for (const g of this.rebuilt) g.reset();
    for (const [cluster, view] of input.clusters) {
      // Never collected: age since start, so a cluster down from the beginning is visible as stale.
      const since = view?.lastSuccessMs ?? input.startedAtMs;
      this.scrapeAge.set({ cluster }, Math.max(0, (input.nowMs - since) / 1000));
      if (view) this.exportCluster(view);
    }
    for (const r of input.replication) {
      const labels = { source: r.source, target: r.target, topic: r.topic, partition: String(r.partition) };
      this.replication.records.set(labels, r.lag);
      if (r.lagSeconds !== undefined) this.replication.seconds.set(labels, r.lagSeconds);
    }
    for (const h of input.heartbeats) {
      this.replication.heartbeatAge.set(
        { source: h.source, target: h.target },
        Math.max(0, (input.nowMs - h.timestampMs) / 1000),
      );
    }
  }

  private exportCluster(view: ClusterView): void {
    const cluster = view.snapshot.cluster;
    const usedTopics = new Set<string>();
    for (const g of view.lags) {
      const group = g.group;
      this.cg.members.set({ cluster, consumergroup: group }, g.members);
      const perTopic = new Map<string, { lag: number; offset: number }>();
      for (const p of g.partitions) {
        usedTopics.add(p.topic);
        const partition = String(p.partition);
        this.cg.lag.set({ cluster, consumergroup: group, topic: p.topic, partition }, p.lag);
        this.cg.currentOffset.set({ cluster, consumergroup: group, topic: p.topic, partition }, p.committed);
        this.kle.offset.set({ cluster_name: cluster, group, topic: p.topic, partition }, p.committed);
        this.kle.lag.set({ cluster_name: cluster, group, topic: p.topic, partition }, p.lag);
        if (p.lagSeconds !== undefined)
          this.kle.lagSeconds.set({ cluster_name: cluster, group, topic: p.topic, partition }, p.lagSeconds);
        const t = perTopic.get(p.topic) ?? { lag: 0, offset: 0 };
        t.lag += p.lag;
        t.offset += p.committed;
        perTopic.set(p.topic, t);
      }
      for (const [topic, t] of perTopic) {
        this.cg.lagSum.set({ cluster, consumergroup: group, topic }, t.lag);
        this.cg.currentOffsetSum.set({ cluster, consumergroup: group, topic }, t.offset);
        this.kle.topicSumLag.set({ cluster_name: cluster, group, topic }, t.lag);
      }
      const simple = { cluster_name: cluster, group, is_simple_consumer: String(g.simple) };
      this.kle.maxLag.set(simple, g.maxLag);
      if (g.maxLagSeconds !== undefined) this.kle.maxLagSeconds.set(simple, g.maxLagSeconds);
      this.kle.sumLag.set({ cluster_name: cluster, group }, g.totalLag);
    }
    for (const [topic, partitions] of view.snapshot.topics) {
      for (const p of partitions) {
        const partition = String(p.partition);
        this.cg.topicCurrent.set({ cluster, topic, partition }, p.latest);
        this.cg.topicOldest.set({ cluster, topic, partition }, p.earliest);
        if (usedTopics.has(topic)) {
          this.kle.latest.set({ cluster_name: cluster, topic, partition }, p.latest);
          this.kle.earliest.set({ cluster_name: cluster, topic, partition }, p.earliest);
        }
      }
    }
    for (const s of view.statuses) {
      this.status.group.set({ cluster, group: s.group }, statusCode(s.status));
      for (const p of s.partitions) {
        this.status.partition.set(
          { cluster, group: s.group, topic: p.topic, partition: String(p.partition) },
          statusCode(p.status),
        );
      }
    }
  }
}
