/**
 * A running mirror follows the source's topics without a restart: partitions added with
 * kafka-topics --alter appear on the target and records in them land in the same partition index;
 * config changes made with kafka-configs arrive filtered (excluded properties neither copied nor
 * wiped on the target); a new topic matching the filter is picked up.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { uniqueName } from '../../harness/index.js';
import {
  EAST,
  WEST,
  endOffsets,
  kafka,
  killAllMirrors,
  mm2Properties,
  readAll,
  startMirror,
  waitFor,
  writeConfig,
  type MirrorProcess,
  type ReadRecord,
} from './helpers.js';
import { dynamicTopicConfig, explainedBy, tool } from './kafka-tools.js';

const base = uniqueName('mt-fl');
const topicA = `${base}-a`;
const topicB = `${base}-b`;

async function createWithConfig(
  topic: string,
  partitions: number,
  config: Record<string, string>,
): Promise<void> {
  const admin = kafka(EAST()).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: false,
      topics: [
        {
          topic,
          numPartitions: partitions,
          configEntries: Object.entries(config).map(([name, value]) => ({ name, value })),
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
  // kafkajs' own waitForLeaders gives up early on a cluster that has just started.
  await waitFor(`${topic} with leaders`, async () =>
    (await endOffsets(EAST(), topic)).size === partitions ? true : undefined,
  );
}

/** Produces `perPartition` records into each listed partition, values `<tag>-p<partition>-<i>`. */
async function produceTo(topic: string, partitions: number[], perPartition: number, tag: string) {
  const producer = kafka(EAST()).producer({ idempotent: true });
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: partitions.flatMap((p) =>
        Array.from({ length: perPartition }, (_, i) => ({
          partition: p,
          key: `k${i}`,
          value: `${tag}-p${p}-${i}`,
        })),
      ),
    });
  } finally {
    await producer.disconnect();
  }
}

const byPartition = (records: ReadRecord[], p: number): string[][] =>
  records.filter((r) => r.partition === p).map((r) => [r.key, r.value]);

/** Waits until the target topic has exactly the source's partitions and end offsets. */
async function waitForSameEnds(source: string, target: string, partitions: number): Promise<void> {
  await waitFor(`${target} on west with ${partitions} partitions and the source's end offsets`, async () => {
    const [s, t] = await Promise.all([endOffsets(EAST(), source), endOffsets(WEST(), target)]);
    if (s.size !== partitions || t.size !== partitions) return undefined;
    return [...s].every(([p, end]) => t.get(p) === end) ? true : undefined;
  });
}

async function assertSameRecords(source: string, target: string, partitions: number): Promise<void> {
  const [s, t] = await Promise.all([readAll(EAST(), source), readAll(WEST(), target)]);
  for (let p = 0; p < partitions; p++) {
    assert.ok(byPartition(s, p).length > 0, `source partition ${p} has records`);
    assert.deepEqual(
      byPartition(t, p),
      byPartition(s, p),
      `${target} partition ${p}: same records, same order`,
    );
  }
}

describe('mirror follows topics while running', () => {
  let mirror: MirrorProcess;
  const mirrorTest = (name: string, fn: () => Promise<void>): void => {
    test(name, () => explainedBy(() => mirror.output(), fn));
  };

  before(async () => {
    await createWithConfig(topicA, 2, { 'retention.ms': '3600000', 'max.message.bytes': '200000' });
    mirror = await startMirror(
      writeConfig(
        'follow.properties',
        mm2Properties({
          'east->west.enabled': 'true',
          topics: `${base}-.*`,
          'refresh.topics.interval.seconds': '1',
          'sync.topic.configs.interval.seconds': '1',
          'emit.checkpoints.enabled': 'false',
        }),
      ),
    );
  });
  after(async () => {
    await mirror?.stop();
    killAllMirrors();
  });

  mirrorTest('partition increase: new target partitions, records keep their partition index', async () => {
    await produceTo(topicA, [0, 1], 10, 'before');
    await waitForSameEnds(topicA, `east.${topicA}`, 2);

    await tool('topics', ['--bootstrap-server', EAST(), '--alter', '--topic', topicA, '--partitions', '4']);
    await waitFor('east.<topic> on west grows to 4 partitions', async () =>
      (await endOffsets(WEST(), `east.${topicA}`)).size === 4 ? true : undefined,
    );
    // Different counts per partition, so a record landing in the wrong partition changes the ends.
    await produceTo(topicA, [2], 7, 'after');
    await produceTo(topicA, [3], 13, 'after');
    await produceTo(topicA, [0, 1], 5, 'after');
    await waitForSameEnds(topicA, `east.${topicA}`, 4);
    await assertSameRecords(topicA, `east.${topicA}`, 4);
  });

  mirrorTest(
    'config change: copied filtered; excluded properties neither copied nor wiped on the target',
    async () => {
      const target = `east.${topicA}`;
      await waitFor('source config on the target at creation', async () => {
        const c = await dynamicTopicConfig(WEST(), target);
        return c.get('retention.ms') === '3600000' && c.get('max.message.bytes') === '200000'
          ? true
          : undefined;
      });
      // An operator's own setting on the target, of a property MM2 excludes from replication.
      await tool('configs', [
        '--bootstrap-server',
        WEST(),
        '--alter',
        '--entity-type',
        'topics',
        '--entity-name',
        target,
        '--add-config',
        'min.insync.replicas=1',
      ]);
      await tool('configs', [
        '--bootstrap-server',
        EAST(),
        '--alter',
        '--entity-type',
        'topics',
        '--entity-name',
        topicA,
        '--add-config',
        'retention.ms=7200000,cleanup.policy=compact,unclean.leader.election.enable=true',
        '--delete-config',
        'max.message.bytes',
      ]);
      const synced = await waitFor('changed config on the target', async () => {
        const c = await dynamicTopicConfig(WEST(), target);
        return c.get('retention.ms') === '7200000' ? c : undefined;
      });
      assert.equal(synced.get('cleanup.policy'), 'compact', 'added property copied');
      assert.equal(synced.has('max.message.bytes'), false, 'property deleted on the source is gone');
      assert.equal(
        synced.has('unclean.leader.election.enable'),
        false,
        'excluded property (config.properties.exclude) not copied',
      );
      assert.equal(
        synced.get('min.insync.replicas'),
        '1',
        "the target's own value of an excluded property survives the sync",
      );
      // And stays so over further sync rounds (interval 1 s).
      await new Promise((r) => setTimeout(r, 3000));
      const later = await dynamicTopicConfig(WEST(), target);
      assert.deepEqual(Object.fromEntries(later), Object.fromEntries(synced), 'config stable after sync');
    },
  );

  mirrorTest('a new topic matching the filter is picked up without a restart', async () => {
    const pid = mirror.child.pid;
    await createWithConfig(topicB, 3, { 'retention.ms': '1800000' });
    await produceTo(topicB, [0, 1, 2], 4, 'new');
    await waitForSameEnds(topicB, `east.${topicB}`, 3);
    await assertSameRecords(topicB, `east.${topicB}`, 3);
    assert.equal((await dynamicTopicConfig(WEST(), `east.${topicB}`)).get('retention.ms'), '1800000');
    assert.equal(mirror.child.pid, pid);
    assert.equal(mirror.child.exitCode, null, 'the same mirror process, still running');
  });
});
