/**
 * Exact offset translation on real clusters, counted by record content: consumer groups committed
 * at scattered offsets (the first offset, transaction markers, inside aborted transactions,
 * compacted-away offsets, the end) on a plain, a transactional and a compacted topic; the mirror's
 * checkpoints, read with Apache Kafka's RemoteClusterUtils and from the checkpoints topic, must put
 * each group partition exactly on the first mirrored record at or after its offset: a consumer
 * resuming there reads every record it had not read, once, and nothing it had. Then the mirror is
 * killed (-9), more is written, groups move, and the restarted mirror (state rebuilt from the
 * offset-syncs and positions topics) must be exact again. Group offset sync must commit the same.
 * Aborted records never reach the target (read_committed by default), whatever the consumer there.
 *
 * A second mirror runs east↔west with IdentityReplicationPolicy while both sides write to the same
 * topic, so local writes interleave with mirrored records on each target.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Producer } from 'kafkajs';
import { createTopicsWithLeaders, uniqueName } from '../../harness/index.js';
import {
  EAST,
  WEST,
  createTopic,
  kafka,
  killAllMirrors,
  mm2Properties,
  produceNumbered,
  startMirror,
  waitFor,
  writeConfig,
  type MirrorProcess,
} from './helpers.js';
import { explainedBy, remoteClusterUtilsOffsets } from './kafka-tools.js';
import {
  assertExact,
  latestCheckpoints,
  originOf,
  partitionRecords,
  setGroupOffsets,
  type PartitionRecord,
} from './translation-check.js';
import { mulberry32 } from '../../harness/random.js';

const base = uniqueName('mx');
const plain = `${base}-plain`;
const txn = `${base}-txn`;
const compacted = `${base}-compact`;
const TOPICS: Record<string, number> = { [plain]: 3, [txn]: 2, [compacted]: 2 };
const groupsOf = (phase: number): string[] => [0, 1, 2, 3].map((i) => `${base}-g${phase}-${i}`);

/** A seeded generator of whole numbers below n, so a failing run's offsets can be reproduced from its seed. */
function prng(seed: number): (n: number) => number {
  const next = mulberry32(seed);
  return (n) => Math.floor(next() * n);
}

async function transactionalProducer(name: string): Promise<Producer> {
  const p = kafka(EAST()).producer({
    transactionalId: uniqueName(name),
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await p.connect();
  return p;
}

/** Committed and aborted transactions interleaved with plain writes, in every partition. */
async function writeTransactions(topic: string, round: number): Promise<void> {
  const a = await transactionalProducer('mx-a');
  const b = await transactionalProducer('mx-b');
  const p = kafka(EAST()).producer();
  await p.connect();
  try {
    for (let i = 0; i < 6; i++) {
      const partition = i % 2;
      const ta = await a.transaction();
      const tb = await b.transaction();
      const msgs = (who: string, n: number) =>
        Array.from({ length: n }, (_, j) => ({ partition, value: `${who}-${round}-${i}-${j}` }));
      await ta.send({ topic, messages: msgs('a', 3 + i) });
      await tb.send({ topic, messages: msgs('b', 2) });
      await p.send({ topic, acks: -1, messages: msgs('p', 1) });
      await ta.send({ topic, messages: msgs('a2', 2) });
      await (i % 3 === 1 ? ta.abort() : ta.commit());
      await (i % 2 === 0 ? tb.abort() : tb.commit());
    }
  } finally {
    await Promise.all([a.disconnect(), b.disconnect(), p.disconnect()]);
  }
}

/**
 * Distinct keys, then only every other key rewritten twice: once the log cleaner has run, the
 * surviving records sit between removed ones (gaps inside the log, not only a removed prefix).
 */
async function writeCompacted(topic: string, round: number): Promise<void> {
  const p = kafka(EAST()).producer();
  await p.connect();
  try {
    for (let r = 0; r < 3; r++) {
      await p.send({
        topic,
        acks: -1,
        messages: Array.from({ length: 40 }, (_, i) => ({
          partition: i % 2,
          key: `k${round}-${r === 0 ? i : i - (i % 4)}`,
          value: `c-${round}-${r}-${i}`,
        })),
      });
      await new Promise((res) => setTimeout(res, 300)); // segment.ms=200: each round a new segment
    }
  } finally {
    await p.disconnect();
  }
}

async function hasGaps(bootstrap: string, topic: string): Promise<boolean> {
  for (let p = 0; p < TOPICS[topic]!; p++) {
    const offsets = (await partitionRecords(bootstrap, topic, p)).map((r) => r.offset);
    if (offsets.some((o, i) => i > 0 && o !== offsets[i - 1]! + 1)) return true;
  }
  return false;
}

/**
 * Waits until the target holds a copy of the newest record first written to each source partition
 * (the mirror copies a partition in order, so then it holds all of them): the last 200 records of
 * each side are enough.
 */
async function waitMirrored(
  topics: Record<string, number>,
  remote: (t: string) => string,
  from = EAST(),
  to = WEST(),
): Promise<void> {
  await waitFor(
    'every source record on the target',
    async () => {
      for (const [topic, partitions] of Object.entries(topics))
        for (let p = 0; p < partitions; p++) {
          const own = (await partitionRecords(from, topic, p, -200)).filter(
            (r) => originOf(r.headers) === undefined,
          );
          if (own.length === 0) continue;
          const copied = (await partitionRecords(to, remote(topic), p, -200)).map(
            (r) => originOf(r.headers)?.offset,
          );
          if (!copied.includes(own.at(-1)!.offset)) return undefined;
        }
      return true;
    },
    120_000,
  );
}

/**
 * Commits, for new groups, per topic partition one of: the first offset, the end, a record's offset,
 * an offset that is not a record (a marker, an aborted or compacted-away record, or any offset).
 */
async function scatterGroups(groups: string[], seed: number): Promise<Map<string, Map<string, number>>> {
  const rnd = prng(seed);
  const out = new Map<string, Map<string, number>>(groups.map((g) => [g, new Map()]));
  const admin = kafka(EAST()).admin();
  await admin.connect();
  try {
    for (const [topic, partitions] of Object.entries(TOPICS)) {
      const ends = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
      for (let p = 0; p < partitions; p++) {
        const end = ends.get(p)!;
        const data = new Set((await partitionRecords(EAST(), topic, p)).map((r) => r.offset));
        const holes = Array.from({ length: end }, (_, o) => o).filter((o) => !data.has(o));
        const records = [...data];
        const choices = [
          0,
          end,
          records[rnd(records.length)] ?? 0,
          holes.length > 0 ? holes[rnd(holes.length)]! : rnd(end + 1),
        ];
        groups.forEach((g, i) => {
          const u = choices[(i + seed + p) % choices.length]!;
          out.get(g)!.set(`${topic}:${p}`, u);
        });
      }
    }
  } finally {
    await admin.disconnect();
  }
  for (const [g, offsets] of out) await setGroupOffsets(EAST(), g, offsets);
  return out;
}

/**
 * A group at `upstream` on east resuming at `downstream` on west, where the partition holds records
 * of both origins (east's copied to west, west's copied to east) in the same order on both sides:
 * by content (values are unique), every record on west below `downstream` was read on east and none
 * at or after it was.
 */
async function assertExactBothOrigins(
  topic: string,
  partition: number,
  upstream: number,
  downstream: number,
  why: string,
): Promise<void> {
  const read = new Set(
    (await partitionRecords(EAST(), topic, partition)).filter((r) => r.offset < upstream).map((r) => r.value),
  );
  const west = await partitionRecords(WEST(), topic, partition);
  const reRead = west.filter((r) => r.offset >= downstream && read.has(r.value)).map((r) => r.value);
  const skipped = west.filter((r) => r.offset < downstream && !read.has(r.value)).map((r) => r.value);
  assert.deepEqual({ reRead, skipped }, { reRead: [], skipped: [] }, `${why}: at ${downstream} on west`);
}

/**
 * Waits for a checkpoint at the current offset of every group partition, then checks each by
 * content on the target and against RemoteClusterUtils. `remote` names a source topic on the target.
 * `bothOrigins`: the partitions hold records written on both clusters (assertExactBothOrigins).
 */
async function checkAll(
  wanted: Map<string, Map<string, number>>,
  mirror: MirrorProcess,
  remote: (t: string) => string,
  bothOrigins = false,
): Promise<void> {
  const checkpoints = await explainedBy(mirror.output, () =>
    waitFor(
      'a checkpoint at the current offset of every group partition',
      async () => {
        const all = await latestCheckpoints(WEST(), 'east');
        for (const [g, offsets] of wanted)
          for (const [tp, u] of offsets) {
            const [topic, p] = tp.split(':') as [string, string];
            if (all.get(g)?.get(`${remote(topic)}:${p}`)?.upstreamOffset !== BigInt(u)) return undefined;
          }
        return all;
      },
      120_000,
    ),
  );
  const viaKafka = remoteClusterUtilsOffsets(WEST(), 'east', [...wanted.keys()]);
  const targets = new Map<string, PartitionRecord[]>();
  for (const [g, offsets] of wanted)
    for (const [tp, upstream] of offsets) {
      const [topic, p] = tp.split(':') as [string, string];
      const partition = Number(p);
      const downstream = Number(checkpoints.get(g)!.get(`${remote(topic)}:${p}`)!.downstreamOffset);
      assert.equal(
        viaKafka.get(g)?.get(`${remote(topic)}:${p}`),
        downstream,
        `${g} ${tp}: RemoteClusterUtils`,
      );
      if (bothOrigins) {
        await assertExactBothOrigins(topic, partition, upstream, downstream, `${g} ${tp}`);
        continue;
      }
      if (!targets.has(tp)) targets.set(tp, await partitionRecords(WEST(), remote(topic), partition));
      assertExact({
        upstream,
        downstream,
        target: targets.get(tp)!,
        source: { cluster: 'east', topic, partition },
        why: `${g} ${tp}`,
      });
    }
}

describe('exact offset translation (DefaultReplicationPolicy, east→west)', () => {
  let mirror: MirrorProcess | undefined;
  let config: string;

  before(async () => {
    const admin = kafka(EAST()).admin();
    await admin.connect();
    try {
      await createTopicsWithLeaders(admin, [
        { topic: plain, numPartitions: TOPICS[plain]! },
        { topic: txn, numPartitions: TOPICS[txn]! },
        {
          topic: compacted,
          numPartitions: TOPICS[compacted]!,
          configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'segment.ms', value: '200' },
            { name: 'min.cleanable.dirty.ratio', value: '0.01' },
            { name: 'min.compaction.lag.ms', value: '0' },
          ],
        },
      ]);
    } finally {
      await admin.disconnect();
    }
    await produceNumbered(EAST(), plain, 'p', 400);
    await writeTransactions(txn, 0);
    await writeCompacted(compacted, 0);
    // The broker's log cleaner runs every 15 s; wait until it has made gaps.
    await waitFor(
      'the log cleaner compacting the source',
      async () => ((await hasGaps(EAST(), compacted)) ? true : undefined),
      90_000,
    );
    config = writeConfig(
      'exact.properties',
      mm2Properties({
        'east->west.enabled': 'true',
        topics: Object.keys(TOPICS).join(', '),
        groups: `${base}-g.*`,
        'sync.group.offsets.enabled': 'true',
        'sync.group.offsets.interval.seconds': '1',
        'offset.lag.max': '50',
      }),
    );
    mirror = await startMirror(config);
  });
  after(async () => {
    await mirror?.stop();
    killAllMirrors();
  });

  test('every group partition translates to the first mirrored record at/after its offset', async () => {
    await waitMirrored(TOPICS, (t) => `east.${t}`);
    await checkAll(await scatterGroups(groupsOf(1), 1), mirror!, (t) => `east.${t}`);
  });

  test('aborted records never reach the target; read_committed and read_uncommitted consumers there agree', async () => {
    for (let p = 0; p < TOPICS[txn]!; p++) {
      const source = (await partitionRecords(EAST(), txn, p)).map((r) => r.value);
      const committed = await partitionRecords(WEST(), `east.${txn}`, p, 'beginning', 'read_committed');
      const uncommitted = await partitionRecords(WEST(), `east.${txn}`, p, 'beginning', 'read_uncommitted');
      assert.deepEqual(
        uncommitted.map((r) => r.value),
        source,
        `partition ${p}: exactly the committed records, in order`,
      );
      assert.deepEqual(
        committed.map((r) => r.value),
        source,
      );
      assert.ok(
        !source.some((v) => v.startsWith('a-0-1-')),
        'an aborted transaction is not in the source view',
      );
    }
  });

  test('group offset sync commits the exact translation into the (member-less) target groups', async () => {
    const group = groupsOf(1)[1]!;
    const checkpoints = (await latestCheckpoints(WEST(), 'east')).get(group)!;
    await waitFor('group offsets on west', async () => {
      for (const topic of Object.keys(TOPICS)) {
        const admin = kafka(WEST()).admin();
        await admin.connect();
        try {
          const [o] = await admin.fetchOffsets({ groupId: group, topics: [`east.${topic}`] });
          for (const p of o!.partitions)
            if (BigInt(p.offset) !== checkpoints.get(`east.${topic}:${p.partition}`)?.downstreamOffset)
              return undefined;
        } finally {
          await admin.disconnect();
        }
      }
      return true;
    });
  });

  test('after kill -9, more writes and moved groups, the restarted mirror is exact again', async () => {
    await produceNumbered(EAST(), plain, 'q', 200, 400);
    await mirror!.kill9(); // mid-stream: records after the last committed position are copied again
    await writeTransactions(txn, 1);
    await writeCompacted(compacted, 1);
    mirror = await startMirror(config);
    await produceNumbered(EAST(), plain, 'r', 100, 600);
    await waitMirrored(TOPICS, (t) => `east.${t}`);
    await checkAll(await scatterGroups(groupsOf(2), 2), mirror, (t) => `east.${t}`);
  });
});

describe('exact offset translation (IdentityReplicationPolicy, east↔west, local writes interleaved)', () => {
  const topic = `${base}-aa`;
  const groups = [0, 1, 2].map((i) => `${base}-aa-g${i}`);
  let mirror: MirrorProcess | undefined;

  before(async () => {
    await Promise.all([createTopic(EAST(), topic, 2), createTopic(WEST(), topic, 2)]);
    mirror = await startMirror(
      writeConfig(
        'exact-identity.properties',
        mm2Properties({
          'east->west.enabled': 'true',
          'west->east.enabled': 'true',
          topics: topic,
          groups: `${base}-aa-g.*`,
          'replication.policy.class': 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy',
        }),
      ),
    );
  });
  after(async () => {
    await mirror?.stop();
    killAllMirrors();
  });

  test('east groups translate exactly onto west, where west’s own records sit between the mirrored ones', async () => {
    // Rounds: east writes, the mirror copies it to west, then west writes its own records and the
    // mirror copies them to east; so on both sides mirrored batches and local batches alternate, in
    // the same order. East's groups read copies of west's records too: their checkpoints come from
    // the copies' provenance (CopyIndex) and the offset syncs, the lower of the two, which is exact
    // for both origins when the order agrees (docs/mirror.md: "Copies of the target's own records").
    for (let round = 0; round < 3; round++) {
      await produceNumbered(EAST(), topic, `e${round}`, 20 + round * 7, round * 1000);
      await waitMirrored({ [topic]: 2 }, (t) => t);
      await produceNumbered(WEST(), topic, `w${round}`, 15 + round * 5, round * 1000);
      await waitMirrored({ [topic]: 2 }, (t) => t, WEST(), EAST());
    }
    for (let p = 0; p < 2; p++) {
      const west = await partitionRecords(WEST(), topic, p);
      const kinds = west.map((r) => (originOf(r.headers) ? 'm' : 'l')).join('');
      assert.match(kinds, /m+l+m+l+m+/, `partition ${p}: local and mirrored records interleave on west`);
    }
    const rnd = prng(7);
    const wanted = new Map<string, Map<string, number>>();
    for (const g of groups) {
      const offsets = new Map<number, number>();
      for (let p = 0; p < 2; p++) {
        const all = await partitionRecords(EAST(), topic, p);
        offsets.set(p, rnd(4) === 0 ? all.at(-1)!.offset + 1 : all[rnd(all.length)]!.offset);
      }
      wanted.set(g, new Map([...offsets].map(([p, o]) => [`${topic}:${p}`, o])));
      await setGroupOffsets(EAST(), g, wanted.get(g)!);
    }
    await checkAll(wanted, mirror!, (t) => t, true);
  });
});
