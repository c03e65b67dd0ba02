/**
 * Durability on a real three-node cluster: with acks=all, RF=3 and min.insync.replicas=2, killing
 * the partition leader (kill -9) mid-stream must not lose any record the producer saw acknowledged.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { startPrivateCluster, uniqueName, type PrivateCluster } from '../../harness/index.js';

let cluster: PrivateCluster;

before(async () => {
  cluster = await startPrivateCluster('triple', {
    nodes: 3,
    heapMb: 384,
    // Fence a dead broker after 3 s instead of 9 s so leadership moves quickly.
    overrides: { 'broker.session.timeout.ms': '3000', 'broker.heartbeat.interval.ms': '500' },
  });
});
after(() => cluster?.stop());

test('kill -9 of the partition leader loses no acknowledged record', { timeout: 180_000 }, async () => {
  const kafka = new Kafka({
    clientId: 'leader-kill',
    brokers: cluster.bootstrap.split(','),
    logLevel: logLevel.NOTHING,
  });
  const topic = uniqueName('durable');
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      {
        topic,
        numPartitions: 1,
        replicationFactor: 3,
        configEntries: [{ name: 'min.insync.replicas', value: '2' }],
      },
    ],
    waitForLeaders: true,
  });
  const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
  const leader = meta!.partitions[0]!.leader;

  const producer = kafka.producer({ retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
  await producer.connect();
  const acked: number[] = [];
  let failed = 0;
  const total = 1500;
  for (let i = 0; i < total; i++) {
    if (i === 300) await cluster.kill(leader); // mid-stream, no warning
    try {
      await producer.send({ topic, acks: -1, messages: [{ value: String(i) }] });
      acked.push(i);
    } catch {
      failed++; // not acknowledged: allowed to be missing
    }
  }
  await producer.disconnect();
  assert.ok(
    acked.length > total / 2,
    `most sends are acknowledged after fail-over (acked ${acked.length}, failed ${failed})`,
  );

  const [after] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
  assert.notEqual(after!.partitions[0]!.leader, leader, 'leadership moved off the killed node');

  const seen = new Set<number>();
  const consumer = kafka.consumer({ groupId: uniqueName('durable-check') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => void seen.add(Number(message.value!.toString())),
  });
  const deadline = Date.now() + 60_000;
  while (acked.some((i) => !seen.has(i)) && Date.now() < deadline) await sleep(250);
  await consumer.disconnect();
  await admin.disconnect();

  const lost = acked.filter((i) => !seen.has(i));
  assert.deepEqual(
    lost,
    [],
    `acknowledged records missing after the leader was killed: ${lost.slice(0, 20).join(',')}`,
  );

  await cluster.restart(leader); // the killed node comes back and rejoins
});
