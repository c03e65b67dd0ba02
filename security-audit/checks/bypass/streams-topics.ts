/**
 * KIP-1071 streams groups: a member's StreamsGroupHeartbeat declares its topology, and the broker
 * creates the internal (changelog, repartition) topics it names. Kafka creates them only when the
 * member holds CREATE (on the cluster or the topic); a proxy that authorizes the heartbeat as a group
 * request alone lets a user with READ on a group create topics (issue #12, finding 2).
 *
 * The user gets, from the fixtures, READ on a streams group and on a source topic and DESCRIBE on
 * the group's topic prefix, but no CREATE: the heartbeat then reaches Kafka's CREATE check.
 */
import { ErrorCode } from '../../../protocol/errors.js';
import { AuditIncomplete } from '../../context.js';
import { budgetOf } from '../../budget.js';
import { randomUUID } from 'node:crypto';
import { ApiKey } from '../../../protocol/generated/api-keys.js';
import { createTopics, topicExists } from '../../kafka-ops.js';
import type { StreamsGroupHeartbeatRequest } from '../../../protocol/generated/messages.js';
import { fail, pass, skip, type Check } from '../../types.js';

/** A Kafka Uuid in its string form (URL-safe base64 of 16 random bytes, no padding). */
export const randomKafkaUuid = (): string =>
  Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');

function heartbeat(o: {
  groupId: string;
  memberId: string;
  memberEpoch: number;
  sourceTopic: string;
  changelog: string;
}): StreamsGroupHeartbeatRequest {
  const joining = o.memberEpoch === 0;
  return {
    groupId: o.groupId,
    memberId: o.memberId,
    memberEpoch: o.memberEpoch,
    endpointInformationEpoch: 0,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: joining ? 30_000 : -1,
    topology: joining
      ? {
          epoch: 0,
          subtopologies: [
            {
              subtopologyId: '0',
              sourceTopics: [o.sourceTopic],
              sourceTopicRegex: [],
              // partitions 0: as many as the source topic; replication factor 0: the broker default
              stateChangelogTopics: [
                { name: o.changelog, partitions: 0, replicationFactor: 0, topicConfigs: [] },
              ],
              repartitionSinkTopics: [],
              repartitionSourceTopics: [],
              copartitionGroups: [],
            },
          ],
        }
      : null,
    activeTasks: joining ? [] : null,
    standbyTasks: joining ? [] : null,
    warmupTasks: joining ? [] : null,
    processId: joining ? randomKafkaUuid() : null,
    userEndpoint: null,
    clientTags: joining ? [] : null,
    taskOffsets: null,
    taskEndOffsets: null,
    shutdownApplication: false,
  };
}

export const bypassStreamsTopics: Check = {
  id: 'bypass.streams-topics',
  family: 'bypass',
  title: 'A streams group member cannot create topics without CREATE',
  requires: ['user', 'admin'],
  timeoutMs: 25_000,
  budget: budgetOf(2, 14),
  async run(ctx) {
    const f = ctx.fixtures;
    if (!f?.userStreamsGroup || !f.userSourceTopic)
      throw new AuditIncomplete(`no streams group or source topic for the user (${f?.notes.join('; ')})`);
    const user = await ctx.connect('user');
    if (!user.offers(ApiKey.StreamsGroupHeartbeat))
      return skip('the endpoint does not offer StreamsGroupHeartbeat (KIP-1071)');
    const groupId = f.userStreamsGroup;
    const changelog = `${groupId}-kgw-audit-store-changelog`;
    const mayCreate = (await createTopics(user, [changelog], true)).get(changelog)?.code === ErrorCode.NONE;
    if (mayCreate)
      return skip(
        `the user may create ${changelog} (CreateTopics validateOnly succeeded): nothing to bypass`,
      );
    const admin = await ctx.connect('admin');
    const v = user.version(ApiKey.StreamsGroupHeartbeat, 0, 0);
    const memberId = randomKafkaUuid();
    const details: string[] = [];
    let epoch = 0;
    let created = false;
    for (let beat = 0; beat < 6 && !created; beat++) {
      const r = await user.request(
        ApiKey.StreamsGroupHeartbeat,
        v,
        heartbeat({ groupId, memberId, memberEpoch: epoch, sourceTopic: f.userSourceTopic, changelog }),
      );
      details.push(
        `heartbeat ${beat + 1}: error ${r.errorCode}${r.errorMessage ? ` (${r.errorMessage})` : ''}${r.status?.length ? `, status ${r.status.map((s) => `${s.statusCode}: ${s.statusDetail}`).join('; ')}` : ''}`,
      );
      // The user was granted READ on this group: a group refusal means the probe never reached the broker.
      if (r.errorCode === ErrorCode.GROUP_AUTHORIZATION_FAILED)
        throw new AuditIncomplete(`the user could not join ${groupId}: ${details.join('; ')}`);
      if (r.errorCode !== ErrorCode.NONE) break; // refused: e.g. for want of CREATE, as it should be
      epoch = r.memberEpoch;
      await ctx.sleep(500);
      created = await topicExists(admin, changelog);
    }
    if (epoch > 0)
      await user.attempt(
        ApiKey.StreamsGroupHeartbeat,
        v,
        heartbeat({ groupId, memberId, memberEpoch: -1, sourceTopic: f.userSourceTopic, changelog }),
      );
    if (created) {
      f.created.topics.add(changelog);
      return fail(
        `the user's heartbeat made the broker create ${changelog}, though it may not create topics`,
        'Authorize what the broker does for a streams member: create its internal topics only if the member has CREATE on the cluster or on each topic, as Kafka does (kgw gateway: issue #12, finding 2).',
        details,
      );
    }
    return pass(`${changelog} was not created`, details);
  },
};
