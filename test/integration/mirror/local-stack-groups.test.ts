/**
 * The local stack's mirror configuration (deploy/local-stack/mirror.yaml, what `npm start` runs),
 * pointed at the test clusters: a consumer group that reads 400 records on east and commits gets an
 * exact checkpoint on west within seconds of its first commit (MM2's defaults took ten minutes and,
 * before exact translation, put it at offset 1), and group offset sync commits it there.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { uniqueName } from '../../harness/index.js';
import {
  EAST,
  WEST,
  createTopic,
  distRoot,
  kafka,
  killAllMirrors,
  produceNumbered,
  startMirror,
  waitFor,
  writeConfig,
  type MirrorProcess,
} from './helpers.js';
import { explainedBy } from './kafka-tools.js';
import { assertExact, latestCheckpoints, partitionRecords } from './translation-check.js';

describe('local stack mirror config: a new group is translated within seconds, exactly', () => {
  const topic = uniqueName('mt-ls');
  const group = uniqueName('mg-ls');
  let mirror: MirrorProcess;

  before(async () => {
    await Promise.all([createTopic(EAST(), topic, 2), createTopic(WEST(), topic, 2)]);
    const yaml = readFileSync(join(distRoot, '../deploy/local-stack/mirror.yaml'), 'utf8')
      .replace('127.0.0.1:19092', EAST())
      .replace('127.0.0.1:29092', WEST())
      .replace(/^kgw\.rest\.port: .*$/m, 'kgw.rest.port: 0');
    // Only this test's topic, so the shared clusters' other topics are not copied around.
    mirror = await startMirror(writeConfig('local-stack.yaml', `${yaml}\ntopics: ${topic}\n`));
  });
  after(async () => {
    await mirror?.stop();
    killAllMirrors();
  });

  test('400 records consumed and committed on east: checkpoint on west within seconds, exact', async () => {
    await produceNumbered(EAST(), topic, 'e', 500);
    const consumer = kafka(EAST()).consumer({ groupId: group });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const next = new Map<number, number>();
    let seen = 0;
    await new Promise<void>((resolve) => {
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          if (seen >= 400) return;
          next.set(partition, Number(message.offset) + 1);
          if (++seen === 400) resolve();
        },
      });
    });
    await consumer.commitOffsets(
      [...next].map(([partition, offset]) => ({ topic, partition, offset: String(offset) })),
    );
    const committedAt = Date.now();
    await consumer.disconnect();

    const checkpoints = await explainedBy(mirror.output, () =>
      waitFor(
        'checkpoints of the new group',
        async () => {
          const c = (await latestCheckpoints(WEST(), 'east')).get(group);
          return c !== undefined && [...next.keys()].every((p) => c.has(`${topic}:${p}`)) ? c : undefined;
        },
        120_000,
      ),
    );
    const seconds = (Date.now() - committedAt) / 1000;
    console.log(`checkpoint of a new group on west ${seconds.toFixed(1)} s after its first commit`);
    // refresh.groups 5 s + emit.checkpoints 5 s; generous for a loaded machine, far below MM2's 600 s.
    assert.ok(seconds < 60, `${seconds} s`);
    for (const [partition, upstream] of next) {
      const c = checkpoints.get(`${topic}:${partition}`)!;
      assert.equal(c.upstreamOffset, BigInt(upstream));
      assertExact({
        upstream,
        downstream: Number(c.downstreamOffset),
        target: await partitionRecords(WEST(), topic, partition),
        source: { cluster: 'east', topic, partition },
        why: `partition ${partition}`,
      });
    }
    // sync.group.offsets: the group on west gets the same offsets.
    await waitFor('group offsets on west', async () => {
      const admin = kafka(WEST()).admin();
      await admin.connect();
      try {
        const [o] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
        return o!.partitions.every(
          (p) =>
            !next.has(p.partition) ||
            BigInt(p.offset) === checkpoints.get(`${topic}:${p.partition}`)!.downstreamOffset,
        )
          ? true
          : undefined;
      } finally {
        await admin.disconnect();
      }
    });
  });
});
