/**
 * The gateway's own time per Produce request, from its kafka_network_requestmetrics_localtimems
 * histogram: end-to-end percentiles on a shared 2-core machine move by more between identical runs
 * than a proxy adds, so the benchmark also reports what the gateway itself measured.
 */
import { Histogram, type Registry } from 'prom-client';
import { GATEWAY_REQUEST_LOCAL_TIME_MS } from '../../observability/metrics/index.js';

/** Cumulative bucket counts (le → count) of Produce requests; '+Inf' is the total. */
export type Buckets = Map<string, number>;

export async function produceLocalTimeBuckets(registry: Registry): Promise<Buckets> {
  const metric = registry.getSingleMetric(GATEWAY_REQUEST_LOCAL_TIME_MS.name);
  if (!(metric instanceof Histogram))
    throw new Error(`the gateway registers no histogram ${GATEWAY_REQUEST_LOCAL_TIME_MS.name}`);
  const buckets: Buckets = new Map();
  for (const v of (await metric.get()).values) {
    if (v.metricName?.endsWith('_bucket') && v.labels.request === 'Produce')
      buckets.set(String(v.labels.le), v.value);
  }
  return buckets;
}

/** Share of the requests observed between two snapshots that took at most `ms` (a bucket bound). */
export function shareWithin(before: Buckets, after: Buckets, ms: number): number {
  const delta = (le: string): number => (after.get(le) ?? 0) - (before.get(le) ?? 0);
  const total = delta('+Inf');
  if (!after.has(String(ms))) throw new Error(`no ${ms} ms bucket in ${GATEWAY_REQUEST_LOCAL_TIME_MS.name}`);
  return total > 0 ? delta(String(ms)) / total : Number.NaN;
}
