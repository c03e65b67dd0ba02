/**
 * What the broker computes for a group member is filtered by the member's own permissions: a
 * KIP-848 assignment (e.g. from a regex subscription the broker resolved as the gateway's
 * principal) never hands over a topic the member may not DESCRIBE (issue #12 finding 4).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ApiKey,
  defaultConsumerGroupHeartbeatRequest,
  defaultConsumerGroupHeartbeatResponse,
} from '../../../protocol/index.js';
import { AclOperation as Op, ResourceType as RT } from '../../../security/acl/index.js';
import { acl, harness, request, tid, upstreamAsync } from './helpers.js';

describe('authz: KIP-848 assignments', () => {
  it('a regex subscription is never assigned a topic the member may not DESCRIBE', async () => {
    const ids = { [tid('orders')]: 'orders', [tid('secret')]: 'secret' };
    // 'fresh' was created after the gateway's last Metadata answer: its id is looked up, not dropped.
    const h = harness(
      [
        acl(RT.GROUP, 'g', Op.READ),
        acl(RT.TOPIC, 'orders', Op.DESCRIBE),
        acl(RT.TOPIC, 'fresh', Op.DESCRIBE),
      ],
      { ids, lookup: { [tid('fresh')]: 'fresh', [tid('hidden-new')]: 'hidden-new' } },
    );
    const f = request(ApiKey.ConsumerGroupHeartbeat, 1, {
      ...defaultConsumerGroupHeartbeatRequest(),
      groupId: 'g',
      memberId: 'm',
      subscribedTopicRegex: '.*',
    });
    const d = await h.run(f);
    const r = await upstreamAsync(d, ApiKey.ConsumerGroupHeartbeat, 1, {
      ...defaultConsumerGroupHeartbeatResponse(),
      memberId: 'm',
      memberEpoch: 1,
      assignment: {
        topicPartitions: [
          { topicId: tid('orders'), partitions: [0] },
          { topicId: tid('secret'), partitions: [0, 1] },
          { topicId: tid('never-seen'), partitions: [0] },
          { topicId: tid('fresh'), partitions: [0] },
          { topicId: tid('hidden-new'), partitions: [0] },
        ],
      },
    });
    assert.deepEqual(
      r.assignment!.topicPartitions.map((t) => t.topicId),
      [tid('orders'), tid('fresh')],
    );
  });
});
