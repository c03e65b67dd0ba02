/**
 * Checking offset translation by content on real clusters: what a consumer group resuming on the
 * target at the translated offset would read, compared record by record with what it had not yet
 * read on the source. Records are read with kcat (librdkafka), checkpoints with Apache Kafka's
 * RemoteClusterUtils (kafka-tools.ts) and from the checkpoints topic.
 */
import assert from 'node:assert/strict';
import { kcat } from '../../harness/index.js';
import { ClusterClient } from '../../../client/cluster.js';
import { commitGroupOffsets } from '../../../client/group-offsets.js';
import { readTopicToEnd } from '../../../client/read-to-end.js';
import { decodeCheckpoint, type Checkpoint } from '../../../mm2/formats.js';
import { NativeCluster, connectionOptions } from '../../../mirror/kafka/native-cluster.js';

export interface PartitionRecord {
  offset: number;
  headers: string;
  value: string;
}

/** A partition's records as a consumer with `isolation` sees them (kcat; headers as k=v,…). */
export async function partitionRecords(
  bootstrap: string,
  topic: string,
  partition: number,
  /** An offset, 'beginning', or a negative number: that many records before the end. */
  from: number | 'beginning' = 'beginning',
  isolation: 'read_committed' | 'read_uncommitted' = 'read_committed',
): Promise<PartitionRecord[]> {
  const r = await kcat(
    [
      '-C',
      '-b',
      bootstrap,
      '-t',
      topic,
      '-p',
      String(partition),
      '-o',
      String(from),
      '-e',
      '-q',
      '-X',
      `isolation.level=${isolation}`,
      '-f',
      '%o\t%h\t%s\n',
    ],
    { timeoutMs: 60_000 },
  );
  if (r.code !== 0) throw new Error(`kcat failed (${r.code}): ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [o, h, v] = l.split('\t');
      return { offset: Number(o), headers: h ?? '', value: v ?? '' };
    });
}

export interface Origin {
  cluster: string;
  topic: string;
  partition: number;
  offset: number;
}

/** The provenance of a mirrored record (undefined for a record first written where it is). */
export function originOf(headers: string): Origin | undefined {
  const get = (k: string): string | undefined =>
    new RegExp(`(?:^|,)kgw\\.origin\\.${k}=([^,]*)`).exec(headers)?.[1];
  const cluster = get('cluster');
  if (cluster === undefined) return undefined;
  return {
    cluster,
    topic: get('topic')!,
    partition: Number(get('partition')),
    offset: Number(get('offset')),
  };
}

/**
 * The latest checkpoint per group and target "topic:partition" in `<source>.checkpoints.internal`
 * on `bootstrap` (read with our own fetcher; RemoteClusterUtils reads the same topic elsewhere).
 */
export async function latestCheckpoints(
  bootstrap: string,
  sourceAlias: string,
): Promise<Map<string, Map<string, Checkpoint>>> {
  const config = {
    alias: 'check',
    bootstrapServers: [bootstrap],
    connection: { bootstrap: [bootstrap] },
    clientId: 'kgw-translation-check',
    requestTimeoutMs: 30_000,
  };
  const cluster = new NativeCluster(config, connectionOptions(config, 'test'));
  const out = new Map<string, Map<string, Checkpoint>>();
  try {
    await readTopicToEnd(cluster, `${sourceAlias}.checkpoints.internal`, (_p, r) => {
      if (r.key === null || r.value === null) return;
      const c = decodeCheckpoint(r.key, r.value);
      let m = out.get(c.group);
      if (m === undefined) out.set(c.group, (m = new Map()));
      m.set(`${c.topic}:${c.partition}`, c);
    });
  } finally {
    cluster.close();
  }
  return out;
}

/**
 * Commits offsets for a group without members, in one member-less OffsetCommit (what
 * kafka-consumer-groups --reset-offsets sends; kafkajs' setOffsets joins the group once per topic,
 * seconds each). `offsets`: "topic:partition" -> offset.
 */
export async function setGroupOffsets(
  bootstrap: string,
  group: string,
  offsets: ReadonlyMap<string, number>,
): Promise<void> {
  const client = new ClusterClient('check', [bootstrap], {
    clientId: 'kgw-translation-check',
    connectTimeoutMs: 5000,
    requestTimeoutMs: 15_000,
  });
  try {
    await commitGroupOffsets(
      client,
      group,
      [...offsets].map(([tp, offset]) => {
        const [topic, partition] = tp.split(':') as [string, string];
        return { topic, partition: Number(partition), offset: BigInt(offset) };
      }),
    );
  } finally {
    client.close();
  }
}

export interface ExactnessCase {
  /** The group's committed offset on the source. */
  upstream: number;
  /** The translated offset on the target. */
  downstream: number;
  /** The target partition, whole (what the flow mirrored, duplicates included). */
  target: readonly PartitionRecord[];
  source: { cluster: string; topic: string; partition: number };
  why: string;
}

/**
 * A consumer resuming at `downstream` reads exactly the mirrored records from `upstream` on: none
 * below `upstream` follows (0 re-read), every mirrored one at or after it does (0 skipped), and the
 * record at `downstream` is the first mirrored one at or after `upstream`. Returns how many copies
 * it would read twice (duplicates the mirror wrote after a kill -9: not re-reads of consumed records).
 */
export function assertExact(c: ExactnessCase): { duplicates: number } {
  const flow = c.target
    .map((r) => ({ at: r.offset, origin: originOf(r.headers) }))
    .filter(
      (r) =>
        r.origin !== undefined &&
        r.origin.cluster === c.source.cluster &&
        r.origin.topic === c.source.topic &&
        r.origin.partition === c.source.partition,
    )
    .map((r) => ({ at: r.at, u: r.origin!.offset }));
  const expected = [...new Set(flow.map((r) => r.u))].filter((u) => u >= c.upstream).sort((a, b) => a - b);
  const read = flow.filter((r) => r.at >= c.downstream);
  const reRead = read.filter((r) => r.u < c.upstream);
  const seen = new Set(read.map((r) => r.u));
  const skipped = expected.filter((u) => !seen.has(u));
  assert.deepEqual(reRead, [], `${c.why}: records below ${c.upstream} read again from ${c.downstream}`);
  assert.deepEqual(
    skipped,
    [],
    `${c.why}: records at/after ${c.upstream} skipped by starting at ${c.downstream}`,
  );
  // The first record a consumer gets from `downstream` (a compacted target may have removed the one
  // at `downstream` itself; Kafka then returns the next one) is the first mirrored one at/after U.
  if (expected.length > 0) {
    assert.equal(
      read[0]?.u,
      expected[0],
      `${c.why}: reading from ${c.downstream} starts at the first mirrored record at/after ${c.upstream}`,
    );
    const first = c.target.find((r) => r.offset >= c.downstream);
    assert.equal(first?.offset, read[0]?.at, `${c.why}: no other record before it from ${c.downstream}`);
  }
  return { duplicates: read.length - seen.size };
}
