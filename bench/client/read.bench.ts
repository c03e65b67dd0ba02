/**
 * Reading a topic: kafkajs's consumer vs client/fetcher.ts (the mirror's and the gateway's data
 * path), on one real broker. Both read the same N records from offset 0 of every partition with the
 * same fetch sizes (10 MiB per request, 1 MiB per partition, no compression) in this one Node
 * process; the figures are wall time, records/s, and this process's CPU time (user + system) per
 * 100 000 records. Rounds alternate (kafkajs, fetcher, kafkajs, fetcher…) so a drift on the machine
 * hits both.
 *
 *   npm run build && node dist/bench/client/read.bench.js [records] [rounds]
 *
 * Starts its own one-node cluster (the `east` preset, shifted by KGW_PORT_OFFSET, fresh) unless
 * KGW_BENCH_BOOTSTRAP names one. Figures and the decision they inform: docs/decisions/kafkajs.md.
 */
import { randomBytes } from 'node:crypto';
import kafkajs from 'kafkajs';
import { ClusterClient } from '../../client/cluster.js';
import { NativeFetcher } from '../../client/fetcher.js';
import { clusterSpec } from '../../deploy/kafka/cluster-config.js';
import { startCluster, stopCluster } from '../../deploy/kafka/cluster.js';

const RECORDS = Number(process.argv[2] ?? 200_000);
const ROUNDS = Number(process.argv[3] ?? 3);
const PARTITIONS = 4;
const VALUE_BYTES = 256;
const MAX_BYTES = 10 << 20;
const PARTITION_MAX_BYTES = 1 << 20;

interface Measured {
  ms: number;
  cpuMs: number;
}

async function measure(read: () => Promise<void>): Promise<Measured> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await read();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000 };
}

async function fill(bootstrap: string, topic: string): Promise<void> {
  const kafka = new kafkajs.Kafka({ brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const value = randomBytes(VALUE_BYTES);
  for (let sent = 0; sent < RECORDS; sent += 2000) {
    const n = Math.min(2000, RECORDS - sent);
    await producer.send({
      topic,
      messages: Array.from({ length: n }, (_, i) => ({ key: String(sent + i), value })),
    });
  }
  await producer.disconnect();
}

/** kafkajs consumer in a fresh group, from the beginning, batch-wise (its fastest path). */
async function readWithKafkajs(bootstrap: string, topic: string): Promise<void> {
  const kafka = new kafkajs.Kafka({ brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING });
  const consumer = kafka.consumer({
    groupId: `bench-${randomBytes(4).toString('hex')}`,
    maxBytes: MAX_BYTES,
    maxBytesPerPartition: PARTITION_MAX_BYTES,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let count = 0;
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          count += batch.messages.length;
          if (count >= RECORDS) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
}

/** client/fetcher.ts with every partition assigned from offset 0 (no group, as the mirror reads). */
async function readWithFetcher(bootstrap: string, topic: string): Promise<void> {
  const cluster = new ClusterClient('bench', [bootstrap], {
    clientId: 'bench',
    requestTimeoutMs: 30_000,
    connectTimeoutMs: 10_000,
  });
  const fetcher = new NativeFetcher(cluster, {
    maxBytes: MAX_BYTES,
    partitionMaxBytes: PARTITION_MAX_BYTES,
    maxWaitMs: 500,
  });
  for (let p = 0; p < PARTITIONS; p++) await fetcher.assign(topic, p, 0n);
  let count = 0;
  while (count < RECORDS) for (const b of await fetcher.poll()) count += b.records.length;
  fetcher.disconnect();
}

const row = (name: string, m: Measured): string =>
  `${name.padEnd(9)} ${(m.ms / 1000).toFixed(2).padStart(7)} s ${Math.round((RECORDS / m.ms) * 1000)
    .toString()
    .padStart(
      9,
    )} records/s ${((m.cpuMs / RECORDS) * 100_000).toFixed(0).padStart(6)} ms CPU per 100k records`;

async function main(): Promise<void> {
  const own = process.env.KGW_BENCH_BOOTSTRAP === undefined;
  const spec = clusterSpec('east', { heapMb: 1024 });
  const bootstrap = own
    ? (
        await startCluster(spec, {
          fresh: true,
          ownerPid: process.pid,
          log: (l) => console.error(`[bench] ${l}`),
        })
      ).bootstrap
    : process.env.KGW_BENCH_BOOTSTRAP!;
  try {
    const topic = `bench-read-${randomBytes(4).toString('hex')}`;
    console.error(
      `[bench] writing ${RECORDS} records of ${VALUE_BYTES} B to ${topic} (${PARTITIONS} partitions)`,
    );
    await fill(bootstrap, topic);
    const results: { kafkajs: Measured[]; fetcher: Measured[] } = { kafkajs: [], fetcher: [] };
    for (let r = 0; r < ROUNDS; r++) {
      results.kafkajs.push(await measure(() => readWithKafkajs(bootstrap, topic)));
      results.fetcher.push(await measure(() => readWithFetcher(bootstrap, topic)));
      console.error(
        `[bench] round ${r + 1}: ${row('kafkajs', results.kafkajs[r]!)} | ${row('fetcher', results.fetcher[r]!)}`,
      );
    }
    const median = (xs: Measured[]): Measured =>
      [...xs].sort((a, b) => a.ms - b.ms)[Math.floor(xs.length / 2)]!;
    const k = median(results.kafkajs);
    const f = median(results.fetcher);
    console.log(
      `reading ${RECORDS} records × ${VALUE_BYTES} B, ${PARTITIONS} partitions, median of ${ROUNDS} rounds`,
    );
    console.log(row('kafkajs', k));
    console.log(row('fetcher', f));
    console.log(
      `fetcher / kafkajs: ${(k.ms / f.ms).toFixed(2)}× the records/s, ${(f.cpuMs / k.cpuMs).toFixed(2)}× the CPU`,
    );
  } finally {
    if (own) await stopCluster(spec, { graceMs: 5000 });
  }
}

await main();
