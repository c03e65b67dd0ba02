/**
 * The mirror's native data path (NativeFetcher, NativeProducer) against a real broker, for the
 * cases the end-to-end mirror tests do not reach: transaction markers and aborted records (both
 * isolation levels; read_committed compared with Kafka's own Java consumer), a position below the
 * log start, and what the producer writes as read by kcat (librdkafka).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { kafkaTool, kcat, uniqueName } from '../../harness/index.js';
import type { ClusterConfig } from '../../../mirror/config/config.js';
import { BatchBuilder } from '../../../mirror/kafka/batch-builder.js';
import { connectionOptions, NativeCluster } from '../../../mirror/kafka/native-cluster.js';
import { NativeFetcher, type FetchBatch } from '../../../client/fetcher.js';
import { NativeProducer } from '../../../mirror/kafka/native-producer.js';
import { EAST, createTopic, kafka } from './helpers.js';

const east = (): ClusterConfig => ({
  alias: 'east',
  bootstrapServers: [EAST()],
  connection: { bootstrap: [EAST()] },
  clientId: 'kgw-native-test',
  requestTimeoutMs: 30_000,
});
const cluster = (): NativeCluster => new NativeCluster(east(), connectionOptions(east(), 'test'));
const fetcherOptions = { maxBytes: 1 << 20, partitionMaxBytes: 1 << 20, maxWaitMs: 100 };

/** Polls until partition 0 of `topic` has been read up to `end`; returns every batch. */
async function readUpTo(fetcher: NativeFetcher, end: bigint): Promise<FetchBatch[]> {
  const out: FetchBatch[] = [];
  const deadline = Date.now() + 30_000;
  while ((out.at(-1)?.nextOffset ?? -1n) < end) {
    if (Date.now() > deadline)
      throw new Error(`not read up to ${end}: ${JSON.stringify(out.at(-1)?.nextOffset)}`);
    out.push(...(await fetcher.poll()));
  }
  return out;
}

test('transaction markers are skipped, aborted records kept (READ_UNCOMMITTED), position moves past markers', async () => {
  const topic = uniqueName('native-txn');
  await createTopic(EAST(), topic, 1);
  const producer = kafka(EAST()).producer({
    transactionalId: uniqueName('txn'),
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  try {
    let txn = await producer.transaction();
    await txn.send({ topic, messages: [{ value: 'c1' }, { value: 'c2' }] });
    await txn.commit(); // offsets 0, 1; marker 2
    txn = await producer.transaction();
    await txn.send({ topic, messages: [{ value: 'a1' }] });
    await txn.abort(); // offset 3; marker 4
  } finally {
    await producer.disconnect();
  }
  const plain = kafka(EAST()).producer();
  await plain.connect();
  await plain.send({ topic, acks: -1, messages: [{ value: 'p1' }] }); // offset 5
  await plain.disconnect();

  const fetcher = new NativeFetcher(cluster(), fetcherOptions);
  try {
    await fetcher.assign(topic, 0, null);
    const batches = await readUpTo(fetcher, 6n);
    const records = batches.flatMap((b) => b.records);
    assert.deepEqual(
      records.map((r) => [Number(r.offset), r.value?.toString()]),
      [
        [0, 'c1'],
        [1, 'c2'],
        [3, 'a1'],
        [5, 'p1'],
      ],
    );
    assert.equal(batches.at(-1)!.nextOffset, 6n);
    assert.equal(fetcher.position(topic, 0), 6n);
  } finally {
    fetcher.disconnect();
  }
});

test('read_committed: interleaved transactions of three producers, aborted ones dropped exactly as Kafka’s Java consumer drops them', async () => {
  const topic = uniqueName('native-rc');
  await createTopic(EAST(), topic, 1);
  const producers = await Promise.all(
    ['a', 'b', 'c'].map(async (name) => {
      const p = kafka(EAST()).producer({
        transactionalId: uniqueName(`rc-${name}`),
        idempotent: true,
        maxInFlightRequests: 1,
      });
      await p.connect();
      return p;
    }),
  );
  const [a, b, c] = producers as [(typeof producers)[0], (typeof producers)[0], (typeof producers)[0]];
  const plain = kafka(EAST()).producer();
  await plain.connect();
  try {
    // Transactions overlap in the log; each round ends with a different mix of commits and aborts.
    for (let round = 0; round < 4; round++) {
      const [ta, tb, tc] = [await a.transaction(), await b.transaction(), await c.transaction()];
      await ta.send({ topic, messages: [{ value: `a${round}-1` }] });
      await tb.send({ topic, messages: [{ value: `b${round}-1` }, { value: `b${round}-2` }] });
      await plain.send({ topic, acks: -1, messages: [{ value: `p${round}` }] });
      await ta.send({ topic, messages: [{ value: `a${round}-2` }] });
      await tc.send({ topic, messages: [{ value: `c${round}-1` }] });
      await (round % 2 === 0 ? tb.commit() : tb.abort());
      await (round === 2 ? ta.commit() : ta.abort());
      await (round === 1 ? tc.abort() : tc.commit());
    }
  } finally {
    await Promise.all([...producers, plain].map((p) => p.disconnect()));
  }
  const java = await kafkaTool(
    'console-consumer',
    [
      '--bootstrap-server',
      EAST(),
      '--topic',
      topic,
      '--from-beginning',
      '--isolation-level',
      'read_committed',
      // 13 committed records (p×4, b×4, a×2, c×3); our read below goes to the end and must match.
      '--max-messages',
      '13',
      '--timeout-ms',
      '30000',
    ],
    { timeoutMs: 90_000 },
  );
  const expected = java.stdout.split('\n').filter(Boolean);
  assert.ok(expected.length >= 10 && expected.includes('p3') && !expected.includes('a0-1'), java.stdout);

  for (const [isolationLevel, want] of [
    ['read_committed', expected],
    ['read_uncommitted', undefined],
  ] as const) {
    const fetcher = new NativeFetcher(cluster(), { ...fetcherOptions, isolationLevel });
    try {
      await fetcher.assign(topic, 0, null);
      const admin = kafka(EAST()).admin();
      await admin.connect();
      const high = BigInt((await admin.fetchTopicOffsets(topic))[0]!.high);
      await admin.disconnect();
      const values = (await readUpTo(fetcher, high))
        .flatMap((x) => x.records)
        .map((r) => r.value!.toString());
      if (want) assert.deepEqual(values, want, 'the records Kafka’s consumer returns, in its order');
      else assert.equal(values.length, 4 * 6, 'read_uncommitted: every data record, aborted ones included');
    } finally {
      fetcher.disconnect();
    }
  }
});

test('a position below the log start restarts at the earliest offset (auto.offset.reset=earliest)', async () => {
  const topic = uniqueName('native-oor');
  await createTopic(EAST(), topic, 1);
  const p = kafka(EAST()).producer();
  await p.connect();
  await p.send({ topic, acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ value: `r${i}` })) });
  await p.disconnect();
  const admin = kafka(EAST()).admin();
  await admin.connect();
  try {
    await admin.fetchTopicMetadata({ topics: [topic] }); // kafkajs needs the leaders loaded first
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '6' }] });
  } finally {
    await admin.disconnect();
  }

  const fetcher = new NativeFetcher(cluster(), fetcherOptions);
  try {
    await fetcher.assign(topic, 0, 2n); // deleted: the broker answers OFFSET_OUT_OF_RANGE
    const records = (await readUpTo(fetcher, 10n)).flatMap((b) => b.records);
    assert.deepEqual(
      records.map((r) => r.value?.toString()),
      ['r6', 'r7', 'r8', 'r9'],
    );
  } finally {
    fetcher.disconnect();
  }
});

test('the producer writes keys, values, ordered headers and timestamps that kcat reads back', async () => {
  const topic = uniqueName('native-produce');
  await createTopic(EAST(), topic, 2);
  const producer = new NativeProducer(cluster(), {
    ackTimeoutMs: 30_000,
    deliveryTimeoutMs: 30_000,
    log: pino({ level: 'silent' }),
  });
  const h = (key: string, value: string): { key: string; value: Buffer } => ({
    key,
    value: Buffer.from(value),
  });
  try {
    const offsets: bigint[][] = [];
    for (let round = 0; round < 3; round++) {
      const items = [0, 1].map((partition) => {
        const batch = new BatchBuilder();
        for (let i = 0; i < 4; i++) {
          batch.add(
            1_600_000_000_000 + round * 10 + i,
            Buffer.from(`k${partition}`),
            Buffer.from(`v${round}.${i}`),
            [h('b', '2'), h('a', '1'), h('b', '3')],
          );
        }
        return { topic, partition, batch };
      });
      offsets.push(await producer.send(items));
    }
    assert.deepEqual(offsets, [
      [0n, 0n],
      [4n, 4n],
      [8n, 8n],
    ]);
  } finally {
    producer.close();
  }
  const r = await kcat([
    '-C',
    '-b',
    EAST(),
    '-t',
    topic,
    '-p',
    '1',
    '-o',
    'beginning',
    '-e',
    '-q',
    '-f',
    '%o %k %s %T %h\n',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 12);
  assert.equal(lines[0], '0 k1 v0.0 1600000000000 b=2,a=1,b=3');
  assert.equal(lines[11], '11 k1 v2.3 1600000000023 b=2,a=1,b=3');
});
