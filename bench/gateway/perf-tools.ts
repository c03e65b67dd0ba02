/** Runs Kafka's own perf tools and parses their summary lines. */
import { runKafkaTool } from '../../deploy/kafka/tools.js';

export interface ProducerResult {
  recordsPerSec: number;
  mbPerSec: number;
  avgMs: number;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
}

export interface ConsumerResult {
  mbPerSec: number;
  recordsPerSec: number;
}

export async function producerPerf(opts: {
  bootstrap: string;
  topic: string;
  records: number;
  recordSize: number;
  throughput: number;
  /**
   * Records sent first and left out of the figures (the tool's `--warmup-records`): the producer
   * JVM's first seconds (class loading, JIT) queue records behind it and would otherwise be the
   * whole p99 at a fixed rate.
   */
  warmupRecords?: number;
  configFile?: string;
}): Promise<ProducerResult> {
  const args = [
    '--topic',
    opts.topic,
    '--num-records',
    String(opts.records),
    '--record-size',
    String(opts.recordSize),
    '--throughput',
    String(opts.throughput),
    '--producer-props',
    `bootstrap.servers=${opts.bootstrap}`,
    'acks=all',
    'linger.ms=5',
    'batch.size=65536',
  ];
  if (opts.warmupRecords) args.push('--warmup-records', String(opts.warmupRecords));
  if (opts.configFile) args.push('--command-config', opts.configFile);
  const r = await runKafkaTool('producer-perf-test', args, { timeoutMs: 600_000, heapMb: 512 });
  // With a warm-up the tool prints a "steady state" summary after the overall one: that is the figure.
  const last = r.stdout.trim().split('\n').pop() ?? '';
  const m =
    /([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency.*?(\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99.9th/.exec(
      last,
    );
  if (r.code !== 0 || !m)
    throw new Error(`producer perf test failed (exit ${r.code}): ${last}\n${r.stderr.slice(-2000)}`);
  if (opts.warmupRecords && !last.includes('steady state'))
    throw new Error(`producer perf test printed no steady-state summary: ${last}`);
  const n = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
  return { recordsPerSec: n[0], mbPerSec: n[1], avgMs: n[2], p50: n[3], p95: n[4], p99: n[5], p999: n[6] };
}

export async function consumerPerf(opts: {
  bootstrap: string;
  topic: string;
  records: number;
  configFile?: string;
}): Promise<ConsumerResult> {
  const args = [
    '--bootstrap-server',
    opts.bootstrap,
    '--topic',
    opts.topic,
    '--messages',
    String(opts.records),
    '--timeout',
    '60000',
  ];
  if (opts.configFile) args.push('--command-config', opts.configFile);
  const r = await runKafkaTool('consumer-perf-test', args, { timeoutMs: 600_000, heapMb: 512 });
  const row =
    r.stdout
      .trim()
      .split('\n')
      .pop()
      ?.split(',')
      .map((s) => s.trim()) ?? [];
  // start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  const fetchMb = Number(row[8]);
  const fetchMsgs = Number(row[9]);
  if (r.code !== 0 || !Number.isFinite(fetchMb) || Number(row[4]) < opts.records) {
    throw new Error(`consumer perf test failed (exit ${r.code}): ${row.join(',')}\n${r.stderr.slice(-2000)}`);
  }
  // fetch.* excludes the group join, which is not what a proxy changes.
  return { mbPerSec: fetchMb, recordsPerSec: fetchMsgs };
}
