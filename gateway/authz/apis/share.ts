/**
 * Share groups (KIP-932) data and offsets APIs: READ on the group, READ on each topic fetched or
 * acknowledged (by id), DESCRIBE/READ/DELETE for offsets administration.
 */
import { ApiKey, ZERO_UUID } from '../../../protocol/index.js';
import { AclOperation, ResourceType } from '../../../security/acl/index.js';
import { Err, errorMessage } from '../errors.js';
import { splitByDecision } from '../merge.js';
import { FORWARD, answer, forwardPatched, type ApiHandler } from '../types.js';
import { topLevelError } from './groups.js';

const { TOPIC, GROUP } = ResourceType;
const { READ, DESCRIBE, DELETE } = AclOperation;
const leader = () => ({ leaderId: -1, leaderEpoch: -1 });

/** Kafka's Uuid.fromString: 22 characters of URL-safe base64 for 16 bytes. */
const isUuid = (s: string | null): boolean =>
  s !== null && /^[A-Za-z0-9_-]{22}$/.test(s) && Buffer.from(s, 'base64url').length === 16;

export const shareFetch: ApiHandler = async (frame, az, env) => {
  const body = frame.body(ApiKey.ShareFetch);
  if (body.groupId !== null && !az.can(GROUP, body.groupId, READ))
    return topLevelError(frame, ApiKey.ShareFetch, Err.GROUP_AUTHORIZATION_FAILED, { errorMessage: null });
  // The share session's member id is parsed (Uuid.fromString) before topics are authorized.
  if (!isUuid(body.memberId))
    return topLevelError(frame, ApiKey.ShareFetch, Err.INVALID_REQUEST, { errorMessage: null });
  const names = await env.topicIds.resolve(body.topics.map((t) => t.topicId));
  const split = splitByDecision(
    body.topics,
    (t) => {
      const name = names.get(t.topicId);
      const code =
        name === undefined
          ? Err.UNKNOWN_TOPIC_ID
          : az.can(TOPIC, name, READ)
            ? undefined
            : Err.TOPIC_AUTHORIZATION_FAILED;
      if (code === undefined) return undefined;
      return {
        topicId: t.topicId,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: code,
          errorMessage: errorMessage(code),
          acknowledgeErrorCode: 0,
          acknowledgeErrorMessage: null,
          currentLeader: leader(),
          records: Buffer.alloc(0),
          acquiredRecords: [],
        })),
      };
    },
    (t) => t.topicId,
    (t) => t.topicId,
  );
  if (split.deniedCount === 0) return FORWARD;
  if (split.allowed.length === 0)
    return topLevelError(frame, ApiKey.ShareFetch, 0, { errorMessage: null, responses: split.merge([]) });
  frame.setBody(ApiKey.ShareFetch, { ...body, topics: split.allowed });
  return forwardPatched(ApiKey.ShareFetch, (r) => (r.responses = split.merge(r.responses)));
};

export const shareAcknowledge: ApiHandler = async (frame, az, env) => {
  const body = frame.body(ApiKey.ShareAcknowledge);
  if (body.groupId !== null && !az.can(GROUP, body.groupId, READ))
    return topLevelError(frame, ApiKey.ShareAcknowledge, Err.GROUP_AUTHORIZATION_FAILED, {
      errorMessage: null,
    });
  if (!isUuid(body.memberId))
    return topLevelError(frame, ApiKey.ShareAcknowledge, Err.INVALID_REQUEST, { errorMessage: null });
  const names = await env.topicIds.resolve(body.topics.map((t) => t.topicId));
  const split = splitByDecision(
    body.topics,
    (t) => {
      const name = names.get(t.topicId);
      const code =
        name === undefined
          ? Err.UNKNOWN_TOPIC_ID
          : az.can(TOPIC, name, READ)
            ? undefined
            : Err.TOPIC_AUTHORIZATION_FAILED;
      if (code === undefined) return undefined;
      return {
        topicId: t.topicId,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: code,
          errorMessage: errorMessage(code),
          currentLeader: leader(),
        })),
      };
    },
    (t) => t.topicId,
    (t) => t.topicId,
  );
  if (split.deniedCount === 0) return FORWARD;
  if (split.allowed.length === 0)
    return topLevelError(frame, ApiKey.ShareAcknowledge, 0, {
      errorMessage: null,
      responses: split.merge([]),
    });
  frame.setBody(ApiKey.ShareAcknowledge, { ...body, topics: split.allowed });
  return forwardPatched(ApiKey.ShareAcknowledge, (r) => (r.responses = split.merge(r.responses)));
};

/**
 * Kafka's handleDescribeShareGroupOffsetsRequest: DESCRIBE on each group; named topics without
 * DESCRIBE are left out of the coordinator's request and appended after its answer, each
 * partition TOPIC_AUTHORIZATION_FAILED; an all-topics answer is filtered silently.
 */
export const describeShareGroupOffsets: ApiHandler = (frame, az) => {
  const body = frame.body(ApiKey.DescribeShareGroupOffsets);
  const code = Err.GROUP_AUTHORIZATION_FAILED;
  const deniedTopics = new Map<string, (typeof body.groups)[number]['topics']>();
  const split = splitByDecision(
    body.groups,
    (g) =>
      az.can(GROUP, g.groupId, DESCRIBE)
        ? undefined
        : { groupId: g.groupId, topics: [], errorCode: code, errorMessage: null },
    (g) => g.groupId,
    (g) => g.groupId,
  );
  if (split.allowed.length === 0)
    return answer(frame, ApiKey.DescribeShareGroupOffsets, { throttleTimeMs: 0, groups: split.merge([]) });
  const allowed = split.allowed.map((g) => {
    if (g.topics === null) return g;
    const denied = g.topics.filter((t) => !az.can(TOPIC, t.topicName, DESCRIBE));
    if (denied.length === 0) return g;
    deniedTopics.set(g.groupId, denied);
    return { ...g, topics: g.topics.filter((t) => !denied.includes(t)) };
  });
  if (split.deniedCount > 0 || deniedTopics.size > 0)
    frame.setBody(ApiKey.DescribeShareGroupOffsets, { groups: allowed });
  const topicDenied = Err.TOPIC_AUTHORIZATION_FAILED;
  return forwardPatched(ApiKey.DescribeShareGroupOffsets, (r) => {
    for (const g of r.groups) {
      g.topics = g.topics.filter((t) => az.can(TOPIC, t.topicName, DESCRIBE, false));
      const denied = deniedTopics.get(g.groupId);
      if (!denied || g.errorCode !== 0) continue;
      for (const t of denied)
        g.topics.push({
          topicName: t.topicName,
          topicId: ZERO_UUID,
          partitions: t.partitions.map((partitionIndex) => ({
            partitionIndex,
            startOffset: -1n,
            leaderEpoch: 0,
            lag: -1n,
            errorCode: topicDenied,
            errorMessage: errorMessage(topicDenied),
          })),
        });
    }
    r.groups = split.merge(r.groups);
  });
};

/**
 * Kafka's handleAlterShareGroupOffsetsRequest: READ on the group for the whole request, then READ
 * on each topic; an unauthorized topic is answered per partition (TOPIC_AUTHORIZATION_FAILED with
 * the topic's id) after the coordinator's answer for the others.
 */
export const alterShareGroupOffsets: ApiHandler = async (frame, az, env) => {
  const body = frame.body(ApiKey.AlterShareGroupOffsets);
  if (!az.can(GROUP, body.groupId, READ))
    return topLevelError(frame, ApiKey.AlterShareGroupOffsets, Err.GROUP_AUTHORIZATION_FAILED);
  const denied = body.topics.filter((t) => !az.can(TOPIC, t.topicName, READ));
  if (denied.length === 0) return FORWARD;
  const ids = await env.topicIds.idsOf(denied.map((t) => t.topicName)).catch(() => new Map<string, string>());
  const code = Err.TOPIC_AUTHORIZATION_FAILED;
  const deniedResponses = denied.map((t) => ({
    topicName: t.topicName,
    topicId: ids.get(t.topicName) ?? ZERO_UUID,
    partitions: t.partitions.map((p) => ({
      partitionIndex: p.partitionIndex,
      errorCode: code,
      errorMessage: errorMessage(code),
    })),
  }));
  const allowed = body.topics.filter((t) => !denied.includes(t));
  if (allowed.length === 0)
    return answer(frame, ApiKey.AlterShareGroupOffsets, {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      responses: deniedResponses,
    });
  frame.setBody(ApiKey.AlterShareGroupOffsets, { ...body, topics: allowed });
  return forwardPatched(ApiKey.AlterShareGroupOffsets, (r) => {
    if (r.errorCode === 0) r.responses = [...r.responses, ...deniedResponses];
  });
};

export const deleteShareGroupOffsets: ApiHandler = (frame, az) => {
  const body = frame.body(ApiKey.DeleteShareGroupOffsets);
  if (!az.can(GROUP, body.groupId, DELETE))
    return topLevelError(frame, ApiKey.DeleteShareGroupOffsets, Err.GROUP_AUTHORIZATION_FAILED);
  if (body.topics.some((t) => !az.can(TOPIC, t.topicName, READ)))
    return topLevelError(frame, ApiKey.DeleteShareGroupOffsets, Err.TOPIC_AUTHORIZATION_FAILED);
  return FORWARD;
};
