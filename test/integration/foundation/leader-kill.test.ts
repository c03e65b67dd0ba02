/**
 * Durability on a real three-node cluster: with acks=all, RF=3 and min.insync.replicas=2, killing
 * the partition leader (kill -9) mid-stream must not lose any record the producer saw acknowledged.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { produceThroughFailure } from '../../harness/durability.js';
import {
  createTopicsWithLeaders,
  partitionLeader,
  startPrivateCluster,
  uniqueName,
  type PrivateCluster,
} from '../../harness/index.js';

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
  await createTopicsWithLeaders(admin, [
    {
      topic,
      numPartitions: 1,
      replicationFactor: 3,
      configEntries: [{ name: 'min.insync.replicas', value: '2' }],
    },
  ]);
  const leader = await partitionLeader(admin, topic);

  const { acked, failed, lost } = await produceThroughFailure(kafka, topic, {
    total: 1500,
    disruptAt: 300,
    disrupt: () => cluster.kill(leader),
  });
  assert.ok(
    acked.length > 750,
    `most sends are acknowledged after fail-over (acked ${acked.length}, failed ${failed})`,
  );
  assert.notEqual(await partitionLeader(admin, topic), leader, 'leadership moved off the killed node');
  await admin.disconnect();
  assert.deepEqual(
    lost,
    [],
    `acknowledged records missing after the leader was killed: ${lost.slice(0, 20).join(',')}`,
  );

  await cluster.restart(leader); // the killed node comes back and rejoins
});
