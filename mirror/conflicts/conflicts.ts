/**
 * The process's view of active-active conflicts, shared by every source connector: detection
 * (ConflictDetector, metric, sampled log) and last-writer-wins (LwwState). One instance per mirror
 * process because a conflict is two clusters' writes and each flow reads only one cluster.
 *
 * The source connector asks `admit` for every record it fetches of a watched topic (echoes
 * included: last-writer-wins must see what the mirror itself wrote) and writes `takeRepairs` into
 * its target after each fetch.
 */
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import {
  MIRROR_CONFLICTS_TOTAL,
  MIRROR_CONFLICT_KEYS_EVICTED_TOTAL,
  MIRROR_LWW_DISCARDED_TOTAL,
  MIRROR_LWW_KEYS_EVICTED_TOTAL,
  MIRROR_LWW_REPAIRS_TOTAL,
  promClientOptions,
} from '../../observability/metrics/index.js';
import type { RecordHeader } from '../../protocol/records/batch.js';
import { H_ORIGIN_CLUSTER, H_ORIGIN_OFFSET } from '../provenance.js';
import type { ConflictsConfig } from './config.js';
import { ConflictDetector } from './detector.js';
import { LwwState, type Repair, type Version } from './lww.js';
import { SampledLog } from './sampled-log.js';
import { TopicLabel } from './topic-label.js';

/** Topics with their own label value before the rest share `__other__`. */
const MAX_TOPIC_LABELS = 100;

export interface FlowView {
  source: string;
  target: string;
  conflictWindowMs: number;
}

export interface SeenRecord {
  offset: bigint;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

function header(headers: readonly RecordHeader[], key: string): string | undefined {
  for (let i = headers.length - 1; i >= 0; i--)
    if (headers[i]!.key === key) return headers[i]!.value?.toString('utf8');
  return undefined;
}

/** The record's own headers, without the mirror's provenance (a repair adds its own). */
function ownHeaders(headers: readonly RecordHeader[]): RecordHeader[] {
  return headers.filter((h) => !h.key.startsWith('kgw.origin.') && h.key !== 'kgw.path');
}

export class Conflicts {
  private readonly detector: ConflictDetector;
  private readonly lww: LwwState | undefined;
  private readonly sampled: SampledLog;
  private readonly topics = new TopicLabel(MAX_TOPIC_LABELS);
  private readonly conflicts: Counter<'topic'>;
  private readonly detectorEvictions: Counter<'topic'>;
  private readonly discarded: Counter<'topic'>;
  private readonly repairs: Counter<'topic' | 'cluster'>;
  private readonly lwwEvictions: Counter;

  constructor(
    private readonly config: ConflictsConfig,
    registry: Registry,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.detector = new ConflictDetector(config.maxKeysPerTopic);
    this.lww = config.lwwEnabled ? new LwwState(config.clusterOrder, config.lwwMaxKeys) : undefined;
    this.sampled = new SampledLog(config.logLinesPerMinute);
    const reg = { registers: [registry] };
    this.conflicts = new Counter({ ...promClientOptions(MIRROR_CONFLICTS_TOTAL), ...reg });
    this.detectorEvictions = new Counter({
      ...promClientOptions(MIRROR_CONFLICT_KEYS_EVICTED_TOTAL),
      ...reg,
    });
    this.discarded = new Counter({ ...promClientOptions(MIRROR_LWW_DISCARDED_TOTAL), ...reg });
    this.repairs = new Counter({ ...promClientOptions(MIRROR_LWW_REPAIRS_TOTAL), ...reg });
    this.lwwEvictions = new Counter({ ...promClientOptions(MIRROR_LWW_KEYS_EVICTED_TOTAL), ...reg });
  }

  /** Whether `flow` must show this topic's records to `admit` (false: nothing to do, no cost). */
  watches(flow: FlowView, topic: string): boolean {
    return flow.conflictWindowMs > 0 || this.lwwTopic(topic);
  }

  lwwTopic(topic: string): boolean {
    return this.lww !== undefined && this.config.lwwTopics.matches(topic);
  }

  /**
   * Looks at one record `flow` fetched from its source (echo: it will not be copied anyway).
   * Returns whether to copy it: false for an echo and for a version that lost under
   * last-writer-wins.
   */
  admit(flow: FlowView, topic: string, partition: number, r: SeenRecord, echo: boolean): boolean {
    if (r.key === null) return !echo; // no key: nothing to compare (and compaction refuses it)
    const local = header(r.headers, H_ORIGIN_CLUSTER) === undefined;
    if (local && !echo && flow.conflictWindowMs > 0) this.detect(flow, topic, r);
    if (!this.lwwTopic(topic)) return !echo;
    const version = this.versionOf(flow, r);
    if (version === undefined) return !echo;
    const won = this.lww!.observe(
      flow.source,
      topic,
      partition,
      r.key,
      version,
      r.value,
      ownHeaders(r.headers),
    );
    this.noteLwwEvictions();
    if (echo) return false;
    if (!won) this.discarded.inc({ topic: this.topics.of(topic) });
    return won;
  }

  /**
   * Replays a record of `flow`'s source read at task start (replay.ts): last-writer-wins learns the
   * source's tail and winners again; nothing is counted or copied.
   */
  replay(flow: FlowView, topic: string, partition: number, r: SeenRecord): void {
    const version = r.key === null ? undefined : this.versionOf(flow, r);
    if (version === undefined || !this.lwwTopic(topic)) return;
    this.lww!.observe(flow.source, topic, partition, r.key!, version, r.value, ownHeaders(r.headers));
    this.noteLwwEvictions();
  }

  /** Where a record was first written: its provenance, or `flow`'s source for a client's write. */
  private versionOf(flow: FlowView, r: SeenRecord): Version | undefined {
    const cluster = header(r.headers, H_ORIGIN_CLUSTER);
    if (cluster === undefined) return { ts: r.timestamp, cluster: flow.source, offset: r.offset };
    const offset = header(r.headers, H_ORIGIN_OFFSET);
    if (offset === undefined || !/^\d+$/.test(offset)) return undefined; // not a copy we understand
    return { ts: r.timestamp, cluster, offset: BigInt(offset) };
  }

  hasRepairs(cluster: string): boolean {
    return this.lww?.hasRepairs(cluster) ?? false;
  }

  takeRepairs(cluster: string): Repair[] {
    return this.lww?.takeRepairs(cluster) ?? [];
  }

  requeue(cluster: string, repairs: readonly Repair[]): void {
    this.lww?.requeue(cluster, repairs);
  }

  /** Counts repairs the connector wrote into `cluster`. */
  repaired(cluster: string, perTopic: Map<string, number>): void {
    for (const [topic, n] of perTopic) this.repairs.inc({ topic: this.topics.of(topic), cluster }, n);
  }

  private detect(flow: FlowView, topic: string, r: SeenRecord): void {
    const c = this.detector.observe(topic, r.key!, flow.source, r.timestamp, flow.conflictWindowMs);
    for (const [t, n] of this.detector.takeEvictions())
      this.detectorEvictions.inc({ topic: this.topics.of(t) }, n);
    if (c === undefined) return;
    this.conflicts.inc({ topic: this.topics.of(topic) });
    const take = this.sampled.take(this.now());
    if (!take.log) return;
    this.log.warn(
      {
        topic,
        key_sha256: c.keyHash,
        key_bytes: c.keyBytes,
        cluster: c.cluster,
        timestamp: new Date(c.timestamp).toISOString(),
        other_cluster: c.otherCluster,
        other_timestamp: new Date(c.otherTimestamp).toISOString(),
        gap_ms: Math.abs(c.timestamp - c.otherTimestamp),
        ...(take.suppressed > 0 ? { not_logged_since_last_line: take.suppressed } : {}),
      },
      'active-active conflict: the same key was written in two clusters within kgw.conflicts.window.ms',
    );
  }

  private noteLwwEvictions(): void {
    const n = this.lww!.takeEvictions();
    if (n > 0) this.lwwEvictions.inc(n);
  }
}
