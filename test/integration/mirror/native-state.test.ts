/**
 * The mirror's low-volume reads and writes on client/, against a real broker: reading a
 * topic to its end (position store, checkpoints at start) and member-less group offset commits
 * (group offset sync), including Kafka's own refusal while the group has a member.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uniqueName } from '../../harness/index.js';
import type { ClusterConfig } from '../../../mirror/config/config.js';
import { connectionOptions, NativeCluster } from '../../../mirror/kafka/native-cluster.js';
import { commitGroupOffsets, GroupCommitError } from '../../../client/group-offsets.js';
import { readTopicToEnd, topicOffsets } from '../../../client/read-to-end.js';
import { EAST, createTopic, kafka, waitFor } from './helpers.js';

const east = (): ClusterConfig => ({
  alias: 'east',
  connection: { bootstrap: [EAST()] },
  bootstrapServers: [EAST()],
  clientId: 'kgw-native-state-test',
  requestTimeoutMs: 30_000,
});
const cluster = (): NativeCluster => new NativeCluster(east(), connectionOptions(east(), 'test'));

test('readTopicToEnd reads every partition from its log start to the end as of the call, past a trailing transaction marker', async () => {
  const topic = uniqueName('state-read');
  await createTopic(EAST(), topic, 3);
  const c = cluster();
  try {
    // Empty topic: returns at once.
    let seen = 0;
    await readTopicToEnd(c, topic, () => seen++);
    assert.equal(seen, 0);

    const p = kafka(EAST()).producer();
    await p.connect();
    for (let part = 0; part < 3; part++)
      await p.send({
        topic,
        acks: -1,
        messages: Array.from({ length: 5 + part }, (_, i) => ({ partition: part, value: `${part}-${i}` })),
      });
    await p.disconnect();
    const tx = kafka(EAST()).producer({
      transactionalId: uniqueName('txn'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await tx.connect();
    const txn = await tx.transaction();
    await txn.send({ topic, messages: [{ partition: 1, value: 'tx' }] });
    await txn.commit(); // partition 1 now ends with a control batch
    await tx.disconnect();
    const admin = kafka(EAST()).admin();
    await admin.connect();
    try {
      await admin.fetchTopicMetadata({ topics: [topic] });
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 2, offset: '3' }] });
    } finally {
      await admin.disconnect();
    }

    assert.deepEqual(
      (await topicOffsets(c, topic)).map((o) => [o.partition, o.low, o.high]),
      [
        [0, 0n, 5n],
        [1, 0n, 8n],
        [2, 3n, 7n],
      ],
    );
    const read = new Map<number, string[]>();
    await readTopicToEnd(c, topic, (partition, r) => {
      const list = read.get(partition) ?? [];
      list.push(r.value!.toString());
      read.set(partition, list);
    });
    assert.deepEqual(read.get(0), ['0-0', '0-1', '0-2', '0-3', '0-4']);
    assert.deepEqual(read.get(1), ['1-0', '1-1', '1-2', '1-3', '1-4', '1-5', 'tx']);
    assert.deepEqual(read.get(2), ['2-3', '2-4', '2-5', '2-6']);
  } finally {
    c.close();
  }
});

test('commitGroupOffsets writes into a group without members and is refused while the group has one', async () => {
  const topic = uniqueName('state-commit');
  await createTopic(EAST(), topic, 2);
  // Offsets within the log: a consumer joining later must not reset an out-of-range position.
  const p = kafka(EAST()).producer();
  await p.connect();
  for (const partition of [0, 1])
    await p.send({
      topic,
      acks: -1,
      messages: Array.from({ length: 12 }, (_, i) => ({ partition, value: `${i}` })),
    });
  await p.disconnect();
  const admin = kafka(EAST()).admin();
  await admin.connect();
  const c = cluster();
  const group = uniqueName('state-group');
  const offsetsOf = async (): Promise<string[]> =>
    (await admin.fetchOffsets({ groupId: group, topics: [topic] }))[0]!.partitions
      .sort((a, b) => a.partition - b.partition)
      .map((p) => `${p.partition}:${p.offset}`);
  try {
    // A group that does not exist yet is created by the commit (MM2: alterConsumerGroupOffsets).
    await commitGroupOffsets(c, group, [
      { topic, partition: 0, offset: 4n },
      { topic, partition: 1, offset: 7n },
    ]);
    assert.deepEqual(await offsetsOf(), ['0:4', '1:7']);

    const consumer = kafka(EAST()).consumer({ groupId: group });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic });
      let joined = false;
      consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
      await consumer.run({ autoCommit: false, eachMessage: async () => undefined });
      await waitFor('consumer joined', async () => joined || undefined, 30_000);
      await assert.rejects(
        commitGroupOffsets(c, group, [{ topic, partition: 0, offset: 9n }]),
        (e: unknown) =>
          e instanceof GroupCommitError && /UNKNOWN_MEMBER_ID|ILLEGAL_GENERATION/.test(e.message),
      );
    } finally {
      await consumer.disconnect();
    }
    assert.deepEqual(await offsetsOf(), ['0:4', '1:7']);

    // Empty again: commits are accepted.
    await commitGroupOffsets(c, group, [{ topic, partition: 0, offset: 9n }]);
    assert.deepEqual(await offsetsOf(), ['0:9', '1:7']);
  } finally {
    c.close();
    await admin.disconnect();
  }
});
