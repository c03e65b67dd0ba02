/** The gateway benchmark's printed (and saved) Markdown report. */
import type { ProducerResult } from './perf-tools.js';
import { difference, median, ratio, type PerRound } from './stats.js';

export interface BenchFigures {
  records: number;
  size: number;
  rounds: number;
  latencyRounds: number;
  latencySeconds: number;
  warmupSeconds: number;
  halfRate: number;
  /** Paths in table order; 'direct' first. */
  paths: string[];
  relays: string[];
  produce: PerRound;
  consume: PerRound;
  latency: Map<string, ProducerResult[]>;
  /** Share of the plaintext gateway's Produce requests whose own time was within `ms`. */
  gatewayTimeWithin: (ms: number) => number;
}

export function formatReport(f: BenchFigures): string {
  const lat = (field: keyof ProducerResult): PerRound =>
    new Map([...f.latency].map(([k, rs]) => [k, rs.map((r) => r[field])]));
  const [avg, p50, p99, p999] = [lat('avgMs'), lat('p50'), lat('p99'), lat('p999')];
  const added = (m: PerRound, path: string, digits: number): string =>
    path === 'direct' ? '-' : difference(m, path, 'direct').toFixed(digits);
  const within = (ms: number): string => (100 * f.gatewayTimeWithin(ms)).toFixed(2);
  const gwPlain = 'gateway plaintext';
  const gwTls = 'gateway TLS+SCRAM';
  const directTls = 'direct TLS+SCRAM';
  return [
    `Gateway benchmark: ${f.records} records x ${f.size} B, ${f.rounds} rounds after a warm-up round (MB/s: median; ratios: median of per-round ratios); ` +
      `latency: ${f.latencyRounds} rounds of ${f.latencySeconds} s at ${f.halfRate} rec/s, steady state after ${f.warmupSeconds} s (medians; added = path - direct in the same round). ` +
      'One broker; 2 cores shared by broker, gateway and clients.',
    '',
    '| path | produce MB/s | ratio | consume MB/s | ratio | p50 / p99 / p99.9 ms | added avg ms | added p99 ms |',
    '|---|---|---|---|---|---|---|---|',
    ...f.paths.map(
      (n) =>
        `| ${n} | ${median(f.produce.get(n)!).toFixed(1)} | ${ratio(f.produce, n, 'direct')} | ${median(f.consume.get(n)!).toFixed(1)} | ${ratio(f.consume, n, 'direct')} | ` +
        `${median(p50.get(n)!)} / ${median(p99.get(n)!)} / ${median(p999.get(n)!)} | ${added(avg, n, 2)} | ${added(p99, n, 0)} |`,
    ),
    '',
    ...f.relays.map(
      (r) =>
        `${gwPlain} vs ${r}: produce ${ratio(f.produce, gwPlain, r)}, consume ${ratio(f.consume, gwPlain, r)}`,
    ),
    `${gwTls} vs ${directTls}: produce ${ratio(f.produce, gwTls, directTls)}, ` +
      `consume ${ratio(f.consume, gwTls, directTls)}, added p99 ${difference(p99, gwTls, directTls)} ms`,
    `${gwPlain}'s own time per Produce request during the latency rounds (kafka_network_requestmetrics_localtimems): ` +
      `${within(0.5)} % within 0.5 ms, ${within(1)} % within 1 ms`,
  ].join('\n');
}
