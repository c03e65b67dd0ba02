/** The probes' prom-client metrics, created once per registry (both probe kinds share it). */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import {
  PROBE_COMMIT_LATENCY_SECONDS,
  PROBE_MESSAGES_LOST_TOTAL,
  PROBE_MESSAGES_PRODUCED_FAILED_TOTAL,
  PROBE_MESSAGES_PRODUCED_IN_FLIGHT,
  PROBE_MESSAGES_PRODUCED_TOTAL,
  PROBE_MESSAGES_RECEIVED_TOTAL,
  PROBE_OFFSET_COMMITS_TOTAL,
  PROBE_PRODUCE_LATENCY_SECONDS,
  PROBE_REPLICATION_MESSAGES_LOST_TOTAL,
  PROBE_REPLICATION_MESSAGES_PRODUCED_TOTAL,
  PROBE_REPLICATION_ROUNDTRIP_SECONDS,
  PROBE_ROUNDTRIP_LATENCY_SECONDS,
  promClientOptions,
  type MetricDef,
} from '../../observability/metrics/index.js';

const counter = <N extends string, L extends string>(d: MetricDef<N, L>, r: Registry) =>
  new Counter<L>({ ...promClientOptions(d), labelNames: [...d.labelNames], registers: [r] });
const gauge = <N extends string, L extends string>(d: MetricDef<N, L>, r: Registry) =>
  new Gauge<L>({ ...promClientOptions(d), labelNames: [...d.labelNames], registers: [r] });
const histogram = <N extends string, L extends string>(d: MetricDef<N, L>, r: Registry) =>
  new Histogram<L>({ ...promClientOptions(d), labelNames: [...d.labelNames], registers: [r] });

function create(r: Registry) {
  return {
    inFlight: gauge(PROBE_MESSAGES_PRODUCED_IN_FLIGHT, r),
    produced: counter(PROBE_MESSAGES_PRODUCED_TOTAL, r),
    producedFailed: counter(PROBE_MESSAGES_PRODUCED_FAILED_TOTAL, r),
    received: counter(PROBE_MESSAGES_RECEIVED_TOTAL, r),
    lost: counter(PROBE_MESSAGES_LOST_TOTAL, r),
    commits: counter(PROBE_OFFSET_COMMITS_TOTAL, r),
    produceLatency: histogram(PROBE_PRODUCE_LATENCY_SECONDS, r),
    roundtripLatency: histogram(PROBE_ROUNDTRIP_LATENCY_SECONDS, r),
    commitLatency: histogram(PROBE_COMMIT_LATENCY_SECONDS, r),
    replicationRoundtrip: histogram(PROBE_REPLICATION_ROUNDTRIP_SECONDS, r),
    replicationProduced: counter(PROBE_REPLICATION_MESSAGES_PRODUCED_TOTAL, r),
    replicationLost: counter(PROBE_REPLICATION_MESSAGES_LOST_TOTAL, r),
  };
}

export type ProbeMetrics = ReturnType<typeof create>;
const byRegistry = new WeakMap<Registry, ProbeMetrics>();

export function probeMetrics(registry: Registry): ProbeMetrics {
  let m = byRegistry.get(registry);
  if (!m) byRegistry.set(registry, (m = create(registry)));
  return m;
}

/** The probe payload: who sent it (this monitor run), a sequence id and the send time. */
export interface ProbePayload {
  readonly run: string;
  readonly id: number;
  readonly sentAtMs: number;
}

export function parsePayload(value: Buffer | null): ProbePayload | undefined {
  if (!value) return undefined;
  try {
    const p = JSON.parse(value.toString('utf8')) as Partial<ProbePayload>;
    if (typeof p.run === 'string' && typeof p.id === 'number' && typeof p.sentAtMs === 'number')
      return p as ProbePayload;
  } catch {
    // not ours
  }
  return undefined;
}

/** Java's String.hashCode, which Kafka uses to map a group to its __consumer_offsets partition. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}
