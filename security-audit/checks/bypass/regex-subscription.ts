/**
 * KIP-848 consumer groups resolve a member's regex subscription on the broker, and Kafka assigns
 * only topics the member may describe. A proxy that authorizes the heartbeat as a group request
 * alone lets the broker assign (ids and partitions of) every topic matching the regex
 * (issue #12, finding 4). The member subscribes to `.*` and every assigned topic id must be one the
 * user's own Metadata shows.
 */
import { ErrorCode } from '../../../protocol/errors.js';
import { budgetOf } from '../../budget.js';
import { ApiKey } from '../../../protocol/generated/api-keys.js';
import type { ConsumerGroupHeartbeatRequest } from '../../../protocol/generated/messages.js';
import { AuditIncomplete } from '../../context.js';
import { viewThrough } from '../../discovery.js';
import { fail, pass, skip, type Check } from '../../types.js';
import { randomKafkaUuid } from './streams-topics.js';

function heartbeat(
  groupId: string,
  memberId: string,
  memberEpoch: number,
  owned: { topicId: string; partitions: number[] }[],
): ConsumerGroupHeartbeatRequest {
  const joining = memberEpoch === 0;
  return {
    groupId,
    memberId,
    memberEpoch,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: joining ? 30_000 : -1,
    subscribedTopicNames: joining ? [] : null,
    subscribedTopicRegex: joining ? '.*' : null,
    serverAssignor: null,
    topicPartitions: memberEpoch < 0 ? null : owned,
  };
}

export const bypassRegexSubscription: Check = {
  id: 'bypass.regex-subscription',
  family: 'bypass',
  title: 'A regex subscription is assigned only topics the user may describe',
  requires: ['user'],
  timeoutMs: 25_000,
  budget: budgetOf(1, 10),
  async run(ctx) {
    const groupId = ctx.fixtures?.userConsumerGroup ?? ctx.opts.group;
    if (!groupId)
      return skip('needs a consumer group the user may use: --admin-user (the audit grants one) or --group');
    const user = await ctx.connect('user');
    if (!user.offers(ApiKey.ConsumerGroupHeartbeat))
      return skip('the endpoint does not offer ConsumerGroupHeartbeat (KIP-848)');
    const v = user.version(ApiKey.ConsumerGroupHeartbeat, 1, 1);
    const memberId = randomKafkaUuid();
    let epoch = 0;
    let owned: { topicId: string; partitions: number[] }[] = [];
    const details: string[] = [];
    let stableBeats = 0;
    for (let beat = 0; beat < 8 && stableBeats < 2; beat++) {
      const r = await user.request(
        ApiKey.ConsumerGroupHeartbeat,
        v,
        heartbeat(groupId, memberId, epoch, owned),
      );
      if (r.errorCode !== ErrorCode.NONE) {
        details.push(
          `heartbeat ${beat + 1}: error ${r.errorCode}${r.errorMessage ? ` (${r.errorMessage})` : ''}`,
        );
        const why = `the user could not join ${groupId}: error ${r.errorCode} ${r.errorMessage ?? ''}`;
        // A group the audit granted must work; one given with --group may simply not be the user's.
        if (beat === 0 && ctx.fixtures?.userConsumerGroup) throw new AuditIncomplete(why);
        if (beat === 0) return skip(why);
        break;
      }
      epoch = r.memberEpoch;
      if (r.assignment) {
        owned = r.assignment.topicPartitions.map((t) => ({
          topicId: t.topicId,
          partitions: [...t.partitions],
        }));
        stableBeats = 0;
      } else if (owned.length > 0) stableBeats++;
      await ctx.sleep(400);
    }
    await user.attempt(ApiKey.ConsumerGroupHeartbeat, v, heartbeat(groupId, memberId, -1, []));
    const visibleIds = new Map(
      [...(await viewThrough(user, 'user')).topics.values()].map((t) => [t.id, t.name]),
    );
    const adminNames = new Map([...(ctx.views.admin?.topics.values() ?? [])].map((t) => [t.id, t.name]));
    if (ctx.fixtures?.hiddenTopic) adminNames.set(ctx.fixtures.hiddenTopic.id, ctx.fixtures.hiddenTopic.name);
    // '.*' matches every topic the user may describe: no assignment at all means the probe did not happen.
    const visibleTopics = [...visibleIds.values()].filter((n) => !n.startsWith('__'));
    if (owned.length === 0 && visibleTopics.length > 0)
      throw new AuditIncomplete(
        `no assignment arrived in ${groupId} although the user may describe ${visibleTopics.length} topic(s): ${details.join('; ') || 'heartbeats answered without one'}`,
      );
    const foreign = owned
      .filter((t) => !visibleIds.has(t.topicId))
      .map((t) => adminNames.get(t.topicId) ?? `topic id ${t.topicId}`);
    details.push(
      `assigned ${owned.length} topic(s) in group ${groupId}: ${owned.map((t) => visibleIds.get(t.topicId) ?? adminNames.get(t.topicId) ?? t.topicId).join(', ') || 'none'}`,
    );
    if (foreign.length > 0)
      return fail(
        `the regex subscription was assigned topics the user may not describe: ${foreign.join(', ')}`,
        'Resolve regex subscriptions only against topics the member may describe, as Kafka does (kgw gateway: issue #12, finding 4).',
        details,
      );
    return pass(`all ${owned.length} assigned topic(s) are ones the user may describe`, details);
  },
};
