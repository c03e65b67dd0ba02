import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { clusterBootstrap, uniqueName } from '../../harness/index.js';
import { SHARED_CLUSTERS } from '../../harness/env.js';

describe('kafkajs produce/consume round trip', () => {
  for (const cluster of SHARED_CLUSTERS) {
    test(`on ${cluster}`, async () => {
      const kafka = new Kafka({
        clientId: 'roundtrip',
        brokers: clusterBootstrap(cluster).split(','),
        logLevel: logLevel.ERROR,
      });
      const topic = uniqueName(`rt-${cluster}`);
      const admin = kafka.admin();
      await admin.connect();
      after(() => admin.disconnect());
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });

      const producer = kafka.producer();
      await producer.connect();
      const sent = Array.from({ length: 30 }, (_, i) => ({
        key: `k${i % 3}`,
        value: `value-${i}`,
        headers: { seq: String(i) },
      }));
      await producer.send({ topic, acks: -1, messages: sent });
      await producer.disconnect();

      const consumer = kafka.consumer({ groupId: uniqueName('rt-group') });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const received: { key: string; value: string; seq: string; partition: number }[] = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`received ${received.length}/30 records`)), 30_000);
        void consumer.run({
          eachMessage: async ({ message, partition }) => {
            received.push({
              key: message.key!.toString(),
              value: message.value!.toString(),
              seq: message.headers!.seq!.toString(),
              partition,
            });
            if (received.length === sent.length) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
      await consumer.disconnect();

      assert.deepEqual(received.map((r) => r.value).sort(), sent.map((s) => s.value).sort());
      for (const r of received) assert.equal(r.value, `value-${r.seq}`, 'headers travel with their record');
      // Same key → same partition, and per-partition order is the send order.
      for (const key of ['k0', 'k1', 'k2']) {
        const forKey = received.filter((r) => r.key === key);
        assert.equal(new Set(forKey.map((r) => r.partition)).size, 1, `${key} stays on one partition`);
        const seqs = forKey.map((r) => Number(r.seq));
        assert.deepEqual(
          seqs,
          [...seqs].sort((a, b) => a - b),
          `${key} keeps its order`,
        );
      }
    });
  }
});
