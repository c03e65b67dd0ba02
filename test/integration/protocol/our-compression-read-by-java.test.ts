/**
 * Batches compressed by our codecs (xerial snappy, LZ4 frames, zstd — through the kafkajs adapter the
 * mirror and monitor use) are read by Kafka's own Java console consumer, including a record larger
 * than one LZ4 block.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import { installKafkajsCodecs } from '../../../client/kafkajs/codecs.js';
import { clusterBootstrap, kafkaTool, uniqueName } from '../../harness/index.js';

const { Kafka, logLevel, CompressionTypes } = kafkajs;

test('Java reads batches we compressed with snappy, lz4 and zstd', { timeout: 180_000 }, async () => {
  installKafkajsCodecs();
  const kafka = new Kafka({ brokers: clusterBootstrap('east').split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  const big = 'y'.repeat(300_000);
  try {
    for (const [name, codec] of [
      ['snappy', CompressionTypes.Snappy],
      ['lz4', CompressionTypes.LZ4],
      ['zstd', CompressionTypes.ZSTD],
    ] as const) {
      const topic = uniqueName(`ours-${name}`);
      const values = Array.from({ length: 50 }, (_, i) => (i === 49 ? big : `${name}-${i}`));
      await producer.send({
        topic,
        acks: -1,
        compression: codec,
        messages: values.map((value) => ({ value })),
      });
      const r = await kafkaTool(
        'console-consumer',
        [
          '--bootstrap-server',
          clusterBootstrap('east'),
          '--topic',
          topic,
          '--from-beginning',
          '--max-messages',
          '50',
          '--timeout-ms',
          '30000',
        ],
        { timeoutMs: 90_000 },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.split('\n').filter(Boolean), values, `${name} batches read back by Java`);
    }
  } finally {
    await producer.disconnect();
  }
});
