/**
 * The offset-syncs topic is named after the cluster it does NOT live on, as MirrorSourceConfig and
 * MirrorCheckpointConfig name it, and the monitor tails the same topic on the same cluster that the
 * mirror (and MM2) write, for both values of `offset-syncs.topic.location`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { offsetSyncsTopic } from '../../../mm2/replication-policy.js';
import { offsetSyncsTail } from '../../../monitor/lag/replication.js';

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
