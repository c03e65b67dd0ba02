/**
 * Does kafkajs 2.2.4 (unmaintained since 2023) work against Kafka 4.x? This test is the answer the
 * README quotes: each capability the product relies on, exercised against the real broker.
 * kafkajs speaks only the classic group protocol; KIP-848 (group.protocol=consumer) is out of its
 * reach, which the last test pins down so a future kafkajs release is noticed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRequire } from 'node:module';
import kafkajs, { type Admin } from 'kafkajs';
import { clusterBootstrap, uniqueName } from '../../harness/index.js';

// kafkajs is CommonJS: Node detects only some of its exports as ESM names, so take the whole object.
const { Kafka, logLevel, CompressionTypes, ConfigResourceTypes } = kafkajs;
const kafka = new Kafka({
  clientId: 'compat',
  brokers: clusterBootstrap('east').split(','),
  logLevel: logLevel.NOTHING,
});
let admin: Admin;
const topic = uniqueName('compat');

before(async () => {
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
});
after(() => admin.disconnect());

async function consumeAll(groupId: string, expected: number, readUncommitted = false): Promise<string[]> {
  const consumer = kafka.consumer({ groupId, readUncommitted });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const values: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`got ${values.length}/${expected}: ${values.join(',')}`)),
        30_000,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(message.value!.toString());
          if (values.length >= expected) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return values;
}

describe('kafkajs 2.2.4 against Kafka 4.x', () => {
  test('produce with acks 0, 1 and all, gzip, and idempotence', async () => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const [ackAll] = await producer.send({ topic, acks: -1, messages: [{ value: 'p-all' }] });
    assert.equal(ackAll!.errorCode, 0);
    await producer.send({
      topic,
      acks: -1,
      compression: CompressionTypes.GZIP,
      messages: [{ value: 'p-gzip' }],
    });
    await producer.disconnect();
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic, acks: 1, messages: [{ value: 'p-one' }] });
    assert.deepEqual(await plain.send({ topic, acks: 0, messages: [{ value: 'p-zero' }] }), []);
    await plain.disconnect();
    const values = await consumeAll(uniqueName('compat-read'), 4);
    assert.deepEqual(values.sort(), ['p-all', 'p-gzip', 'p-one', 'p-zero']);
  });

  test('transactions: commit, abort and offsets sent in a transaction', async () => {
    const producer = kafka.producer({
      transactionalId: uniqueName('tx'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const committed = await producer.transaction();
    await committed.send({ topic, messages: [{ key: 'tx', value: 'tx-committed' }] });
    await committed.commit();
    const aborted = await producer.transaction();
    await aborted.send({ topic, messages: [{ key: 'tx', value: 'tx-aborted' }] });
    await aborted.abort();
    const txGroup = uniqueName('tx-offsets');
    const withOffsets = await producer.transaction();
    await withOffsets.send({ topic, messages: [{ key: 'tx', value: 'tx-with-offsets' }] });
    await withOffsets.sendOffsets({
      consumerGroupId: txGroup,
      topics: [{ topic, partitions: [{ partition: 0, offset: '1' }] }],
    });
    await withOffsets.commit();
    await producer.disconnect();

    const values = await consumeAll(uniqueName('compat-rc'), 6);
    assert.ok(values.includes('tx-committed') && values.includes('tx-with-offsets'));
    assert.ok(!values.includes('tx-aborted'), 'read_committed hides the aborted record');
    const [offsets] = await admin.fetchOffsets({ groupId: txGroup, topics: [topic] });
    assert.equal(offsets!.partitions.find((p) => p.partition === 0)!.offset, '1');
  });

  test('admin: partitions, configs, offsets, groups, records', async () => {
    await admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] });
    const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    assert.equal(meta!.partitions.length, 3);

    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: [{ name: 'retention.ms', value: '123456' }],
        },
      ],
    });
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }],
    });
    assert.equal(described.resources[0]!.configEntries[0]!.configValue, '123456');

    const group = uniqueName('compat-admin');
    await consumeAll(group, 1);
    const groups = await admin.listGroups();
    assert.ok(groups.groups.some((g) => g.groupId === group));
    await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '0' }] });
    const [fetched] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    assert.equal(fetched!.partitions.find((p) => p.partition === 0)!.offset, '0');

    const before = await admin.fetchTopicOffsets(topic);
    const p0 = before.find((p) => p.partition === 0)!;
    if (Number(p0.high) > 0) {
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: p0.high }] });
      const after = await admin.fetchTopicOffsets(topic);
      assert.equal(
        after.find((p) => p.partition === 0)!.low,
        p0.high,
        'deleteRecords moved the log start offset',
      );
    }
    await admin.deleteGroups([group]);
  });

  test('limits: no KIP-848 consumer protocol (kafkajs has no ConsumerGroupHeartbeat)', async () => {
    // The broker advertises ConsumerGroupHeartbeat (API key 68); kafkajs has no request for it.
    const { requests } = createRequire(import.meta.url)('kafkajs/src/protocol/requests/index.js') as {
      requests: Record<string, { versions: string[] }>;
    };
    const implemented = Object.entries(requests)
      .filter(([, def]) => def.versions.length > 0)
      .map(([name]) => name);
    assert.ok(implemented.includes('JoinGroup'), 'kafkajs has JoinGroup (classic protocol)');
    assert.ok(
      !implemented.includes('ConsumerGroupHeartbeat'),
      'kafkajs has no ConsumerGroupHeartbeat: KIP-848 groups need another client',
    );
  });
});
