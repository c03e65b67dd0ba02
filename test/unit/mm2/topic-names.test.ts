/**
 * The offset-syncs topic is named after the cluster it does NOT live on, as MirrorSourceConfig and
 * MirrorCheckpointConfig name it, and the monitor tails the same topic on the same cluster that the
 * mirror (and MM2) write, for both values of `offset-syncs.topic.location`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { offsetSyncsTopic, policyFor } from '../../../mm2/replication-policy.js';
import {
  isMirrorInternalTopic,
  mirrorPolicy,
  offsetSyncsTail,
  targetTopicName,
} from '../../../monitor/lag/replication.js';

describe('offset-syncs topic name', () => {
  test('on the source (the default) it is named after the target alias', () => {
    assert.equal(
      offsetSyncsTopic({ source: 'east', target: 'west', location: 'source' }),
      'mm2-offset-syncs.west.internal',
    );
  });

  test('with location=target it lives on the target and is named after the source alias', () => {
    assert.equal(
      offsetSyncsTopic({ source: 'east', target: 'west', location: 'target' }),
      'mm2-offset-syncs.east.internal',
    );
  });

  test('the monitor tails the topic the mirror writes, on the cluster that holds it', () => {
    assert.deepEqual(offsetSyncsTail({ source: 'east', target: 'west', offsetSyncsLocation: 'source' }), {
      cluster: 'east',
      topic: 'mm2-offset-syncs.west.internal',
    });
    // Before issue #14 the monitor tailed mm2-offset-syncs.west.internal on west here: a topic
    // nobody writes, so replication lag by offset syncs was never known with location=target.
    assert.deepEqual(offsetSyncsTail({ source: 'east', target: 'west', offsetSyncsLocation: 'target' }), {
      cluster: 'west',
      topic: 'mm2-offset-syncs.east.internal',
    });
  });
});

describe('the monitor names mirrored topics with the mirror policy of mm2/', () => {
  const flow = { source: 'east', separator: '.' } as const;
  const viaDefault = { ...flow, replicationPolicy: 'default' } as const;
  const viaIdentity = { ...flow, replicationPolicy: 'identity' } as const;

  test('the target topic is the policy remote name, as the mirror writes it', () => {
    assert.equal(targetTopicName(viaDefault, 'orders'), 'east.orders');
    assert.equal(targetTopicName({ ...viaDefault, separator: '_' }, 'orders'), 'east_orders');
    assert.equal(targetTopicName(viaIdentity, 'orders'), 'orders');
    // MM2's IdentityReplicationPolicy still prefixes heartbeats (the monitor once kept the name).
    assert.equal(targetTopicName(viaIdentity, 'heartbeats'), 'east.heartbeats');
    for (const m of [viaDefault, viaIdentity])
      assert.equal(
        targetTopicName(m, 'orders'),
        policyFor({ policy: m.replicationPolicy, ...flow }).formatRemoteTopic('east', 'orders'),
      );
  });

  test('internal topics and heartbeats are not counted as replicated data', () => {
    const policy = mirrorPolicy(viaDefault);
    for (const t of [
      'mm2-offset-syncs.west.internal',
      'east.checkpoints.internal',
      '__consumer_offsets',
      'heartbeats',
      'west.heartbeats',
      'connect-configs-internal',
    ])
      assert.equal(isMirrorInternalTopic(policy, t), true, t);
    for (const t of ['orders', 'west.orders', 'heartbeat-log'])
      assert.equal(isMirrorInternalTopic(policy, t), false, t);
  });
});
