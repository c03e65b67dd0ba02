/**
 * What the gateway's Prometheus metrics cost per request, in CPU time, next to what the gateway
 * spends per request in total. A throughput A/B on a shared 2-core machine cannot resolve a 2 %
 * difference (rounds vary by ±10 %), CPU time per request can.
 *
 *   node dist/bench/gateway/metrics-cost.bench.js [gatewayCpuMsPerMiB]
 *
 * The second figure comes from bench/gateway/README.md (gateway CPU measured from /proc during a
 * consumer run); per request = per MiB × the request's MiB.
 */
import { GatewayMetrics } from '../../gateway/metrics.js';

const gatewayCpuMsPerMiB = Number(process.argv[2] ?? 4.6);
const metrics = new GatewayMetrics();
const topics = Array.from({ length: 20 }, (_, i) => `topic-${i}`);

/** The metric calls the session makes for one request of this API. */
function produceRequest(i: number): void {
  metrics.request('Produce', 11, 'external');
  metrics.bytesIn(topics[i % topics.length]!, 65_536, 64);
  metrics.completed('Produce', 3.2, 2.9);
}
function fetchRequest(i: number): void {
  metrics.request('Fetch', 15, 'external');
  metrics.bytesOut(topics[i % topics.length]!, 1_048_576);
  metrics.completed('Fetch', 4.1, 3.8);
}

function perCallMicros(fn: (i: number) => void, n: number): number {
  for (let i = 0; i < 10_000; i++) fn(i); // warm up
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) fn(i);
  const used = process.cpuUsage(t0);
  return (used.user + used.system) / n;
}

const rows: string[] = [];
for (const [name, fn, mib] of [
  ['Produce (64 KiB batch)', produceRequest, 1 / 16],
  ['Fetch (1 MiB response)', fetchRequest, 1],
] as const) {
  const samples = [1, 2, 3].map(() => perCallMicros(fn, 200_000)).sort((a, b) => a - b);
  const metricUs = samples[1]!;
  const requestUs = gatewayCpuMsPerMiB * mib * 1000;
  rows.push(
    `| ${name} | ${metricUs.toFixed(2)} | ${requestUs.toFixed(0)} | ${((100 * metricUs) / requestUs).toFixed(2)} % |`,
  );
}
// A scrape renders everything; Prometheus scrapes every 15 s or so.
const t0 = process.cpuUsage();
for (let i = 0; i < 20; i++) await metrics.registry.metrics();
const scrape = process.cpuUsage(t0);
console.log(`Gateway metrics cost (gateway CPU per MiB: ${gatewayCpuMsPerMiB} ms)\n`);
console.log('| request | metrics µs CPU | gateway µs CPU per request | share |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(r);
console.log(
  `\nOne /metrics scrape (20 topics, all APIs seen so far): ${((scrape.user + scrape.system) / 20 / 1000).toFixed(2)} ms CPU`,
);
