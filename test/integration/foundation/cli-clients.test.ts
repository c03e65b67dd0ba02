/** Kafka's own console tools and kcat against a real broker, each reading what the other wrote. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clusterBootstrap, kafkaTool, kcat, uniqueName } from '../../harness/index.js';

const lines = (s: string): string[] => s.split('\n').filter((l) => l.length > 0);

describe('real CLI clients', () => {
  const bootstrap = clusterBootstrap('east');

  test('kafka-topics creates and describes a topic', async () => {
    const topic = uniqueName('cli-topic');
    const create = await kafkaTool('topics', [
      '--bootstrap-server',
      bootstrap,
      '--create',
      '--topic',
      topic,
      '--partitions',
      '2',
    ]);
    assert.equal(create.code, 0, create.stderr);
    const describe = await kafkaTool('topics', [
      '--bootstrap-server',
      bootstrap,
      '--describe',
      '--topic',
      topic,
    ]);
    assert.equal(describe.code, 0, describe.stderr);
    assert.match(describe.stdout, new RegExp(`Topic: ${topic}\\s+TopicId: \\S+\\s+PartitionCount: 2`));
  });

  test('console producer → kcat consumer', async () => {
    const topic = uniqueName('cli-java-to-kcat');
    const input = ['k1:alpha', 'k2:beta', 'k3:gamma'];
    const produce = await kafkaTool(
      'console-producer',
      [
        '--bootstrap-server',
        bootstrap,
        '--topic',
        topic,
        '--property',
        'parse.key=true',
        '--property',
        'key.separator=:',
      ],
      { input: input.join('\n') + '\n', timeoutMs: 60_000 },
    );
    assert.equal(produce.code, 0, produce.stderr);
    const consume = await kcat(['-b', bootstrap, '-t', topic, '-C', '-e', '-q', '-f', '%k:%s\\n'], {
      timeoutMs: 30_000,
    });
    assert.equal(consume.code, 0, consume.stderr);
    assert.deepEqual(lines(consume.stdout), input);
  });

  test('kcat producer → console consumer', async () => {
    const topic = uniqueName('cli-kcat-to-java');
    const input = Array.from({ length: 20 }, (_, i) => `line ${i}`);
    const produce = await kcat(['-b', bootstrap, '-t', topic, '-P', '-X', 'acks=all'], {
      input: input.join('\n') + '\n',
    });
    assert.equal(produce.code, 0, produce.stderr);
    const consume = await kafkaTool(
      'console-consumer',
      [
        '--bootstrap-server',
        bootstrap,
        '--topic',
        topic,
        '--from-beginning',
        '--max-messages',
        String(input.length),
        '--timeout-ms',
        '30000',
      ],
      { timeoutMs: 60_000 },
    );
    assert.equal(consume.code, 0, consume.stderr);
    assert.deepEqual(lines(consume.stdout), input);
  });
});
