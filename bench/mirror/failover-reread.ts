/**
 * The failover measurement of the mirror benchmark: how many records a consumer group re-reads (or
 * skips) when it moves to the target cluster through a mirror's checkpoints, counted by content.
 *
 * Records are written as `<partition>:<offset>` (a fresh topic, one idempotent producer, explicit
 * partitions: the n-th record of a partition is at offset n), so every record read on the target
 * names its source offset. A group is committed on the source at irregular offsets, the mirror's
 * checkpoints are read with Apache Kafka's RemoteClusterUtils (what a failover tool calls), and each
 * partition is read on the target from the translated offset: records below the group's offset are
 * re-read, records at or after it that do not appear are skipped.
 */
import kafkajs from 'kafkajs';
import { runKcat } from '../../deploy/kafka/tools.js';
import { decodeCheckpoint } from '../../mm2/formats.js';
import { NativeCluster, connectionOptions } from '../../mirror/kafka/native-cluster.js';
import { readTopicToEnd, topicOffsets } from '../../client/read-to-end.js';
import { remoteClusterUtilsOffsets } from '../../test/integration/mirror/kafka-tools.js';
import { mulberry32 } from '../../test/harness/random.js';

const { Kafka, logLevel } = kafkajs;

export interface FailoverResult {
  consumed: number;
  reRead: number;
  skipped: number;
  /** Partitions whose translated offset re-reads and skips nothing. */
  exactPartitions: number;
  /** Partitions without a checkpoint for the group's offset after the wait (failover from the start). */
  missingCheckpoints: number;
}

function prng(seed: number): (n: number) => number {
  const next = mulberry32(seed);
  return (n) => Math.floor(next() * n);
}

/** Writes `perPartition` records `<p>:<offset>` to each partition of a new topic. */
export async function writeNumbered(
  bootstrap: string,
  topic: string,
  partitions: number,
  perPartition: number,
): Promise<void> {
  const producer = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).producer({
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  try {
    for (let start = 0; start < perPartition; start += 2000) {
      const n = Math.min(2000, perPartition - start);
      await producer.sendBatch({
        acks: -1,
        topicMessages: [
          {
            topic,
            messages: Array.from({ length: partitions }, (_, p) =>
              Array.from({ length: n }, (_, i) => ({ partition: p, value: `${p}:${start + i}` })),
            ).flat(),
          },
        ],
      });
    }
  } finally {
    await producer.disconnect();
  }
}

const plain = (bootstrap: string, alias: string) => ({
  alias,
  bootstrapServers: [bootstrap],
  connection: { bootstrap: [bootstrap] },
  clientId: 'kgw-bench',
  requestTimeoutMs: 30_000,
});

/** The sum of a topic's end offsets (0 when it does not exist yet). */
export async function topicSize(bootstrap: string, topic: string): Promise<number> {
  const config = plain(bootstrap, 'bench');
  const cluster = new NativeCluster(config, connectionOptions(config, 'bench'));
  try {
    return (await topicOffsets(cluster, topic, { retryForMs: 2000 })).reduce((s, o) => s + Number(o.high), 0);
  } catch {
    return 0;
  } finally {
    cluster.close();
  }
}

/**
 * Commits `group` on the source at irregular offsets (same seed: same offsets for every mirror),
 * waits for the mirror's checkpoints of exactly those offsets, and counts what a failed-over
 * consumer would read.
 */
export async function measureFailover(o: {
  east: string;
  west: string;
  topic: string;
  remoteTopic: string;
  group: string;
  partitions: number;
  perPartition: number;
  seed: number;
  waitMs: number;
}): Promise<FailoverResult> {
  const rnd = prng(o.seed);
  const committed = Array.from({ length: o.partitions }, () =>
    Math.floor(o.perPartition * (0.2 + rnd(600) / 1000)),
  );
  const admin = new Kafka({ brokers: [o.east], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.setOffsets({
      groupId: o.group,
      topic: o.topic,
      partitions: committed.map((offset, partition) => ({ partition, offset: String(offset) })),
    });
  } finally {
    await admin.disconnect();
  }
  // Wait until the checkpoints topic holds a checkpoint of each committed offset (or give up).
  const config = plain(o.west, 'west');
  const deadline = Date.now() + o.waitMs;
  for (;;) {
    const latest = new Map<number, bigint>();
    const cluster = new NativeCluster(config, connectionOptions(config, 'bench'));
    try {
      await readTopicToEnd(cluster, 'east.checkpoints.internal', (_p, r) => {
        if (r.key === null || r.value === null) return;
        const c = decodeCheckpoint(r.key, r.value);
        if (c.group === o.group && c.topic === o.remoteTopic) latest.set(c.partition, c.upstreamOffset);
      });
    } catch {
      // not there yet
    } finally {
      cluster.close();
    }
    if (committed.every((u, p) => latest.get(p) === BigInt(u)) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const translated = remoteClusterUtilsOffsets(o.west, 'east', [o.group]).get(o.group)!;
  const result: FailoverResult = {
    consumed: committed.reduce((a, b) => a + b, 0),
    reRead: 0,
    skipped: 0,
    exactPartitions: 0,
    missingCheckpoints: 0,
  };
  for (let p = 0; p < o.partitions; p++) {
    const from = translated.get(`${o.remoteTopic}:${p}`);
    if (from === undefined) result.missingCheckpoints++;
    const r = await runKcat(
      [
        '-C',
        '-b',
        o.west,
        '-t',
        o.remoteTopic,
        '-p',
        String(p),
        '-o',
        String(from ?? 'beginning'),
        '-e',
        '-q',
        // The exactly-once rows write transactions, and no run aborts one; read_uncommitted because
        // Debian's librdkafka does not report the end of a read_committed partition ending in a marker.
        '-X',
        'isolation.level=read_uncommitted',
        '-f',
        '%s\n',
      ],
      { timeoutMs: 120_000 },
    );
    const seen = new Set<number>();
    let reRead = 0;
    for (const line of r.stdout.split('\n')) {
      if (line === '') continue;
      const offset = Number(line.slice(line.indexOf(':') + 1));
      if (offset < committed[p]!) reRead++;
      seen.add(offset);
    }
    let skipped = 0;
    for (let u = committed[p]!; u < o.perPartition; u++) if (!seen.has(u)) skipped++;
    result.reRead += reRead;
    result.skipped += skipped;
    if (reRead === 0 && skipped === 0) result.exactPartitions++;
  }
  return result;
}
