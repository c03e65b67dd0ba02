/**
 * Consumer groups (classic and KIP-848), share and streams groups: the group is authorized first
 * (READ to take part or commit, DESCRIBE to look, DELETE to delete), then the topics named inside.
 */
import { ErrorCode } from '../../../protocol/errors.js';
import {
  ApiKey,
  type OffsetFetchRequestOffsetFetchRequestGroup,
  type OffsetFetchResponseOffsetFetchResponseGroup,
  type ConsumerGroupDescribeResponseDescribedGroup,
  type ShareGroupDescribeResponseDescribedGroup,
  type StreamsGroupDescribeResponseDescribedGroup,
  type DescribeGroupsResponseDescribedGroup,
} from '../../../protocol/index.js';
import { AclOperation, ResourceType } from '../../../security/acl/index.js';
import { blankResponse } from '../blank.js';
import type { RequestAuthz } from '../context.js';
import { OPS_NOT_REQUESTED, errorMessage } from '../errors.js';
import { splitByDecision } from '../merge.js';
import { FORWARD, answer, forwardPatched, type ApiHandler } from '../types.js';
import type { FilterDecision } from '../../session/client-session.js';
import type { RequestFrame, RequestApiKey, ResponseTypes } from '../../../protocol/index.js';

const { TOPIC, GROUP, TRANSACTIONAL_ID } = ResourceType;
const { READ, DESCRIBE, DELETE, CREATE, CLUSTER_ACTION } = AclOperation;

/** The whole request refused with one top-level error (Kafka's getErrorResponse for these APIs). */
export function topLevelError<K extends RequestApiKey>(
  frame: RequestFrame,
  apiKey: K,
  code: number,
  extra: Partial<ResponseTypes[K]> = {},
): FilterDecision {
  const body = { ...blankResponse(apiKey), errorCode: code, ...extra } as Record<string, unknown>;
  if ('errorMessage' in body && !('errorMessage' in extra)) body.errorMessage = errorMessage(code);
  return answer(frame, apiKey, body as unknown as ResponseTypes[K]);
}

/** JoinGroup, SyncGroup, Heartbeat, LeaveGroup and the KIP-848 heartbeats: READ on the group. */
function groupMember<K extends RequestApiKey>(
  apiKey: K,
  groupOf: (frame: RequestFrame) => string,
): ApiHandler {
  return (frame, az) => {
    if (az.can(GROUP, groupOf(frame), READ)) return FORWARD;
    return topLevelError(frame, apiKey, ErrorCode.GROUP_AUTHORIZATION_FAILED);
  };
}

export const joinGroup: ApiHandler = (frame, az) => {
  const body = frame.body(ApiKey.JoinGroup);
  if (az.can(GROUP, body.groupId, READ)) return FORWARD;
  return answer(frame, ApiKey.JoinGroup, {
    throttleTimeMs: 0,
    errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
    generationId: -1,
    protocolType: null,
    protocolName: frame.apiVersion >= 7 ? null : '',
    leader: '',
    skipAssignment: false,
    memberId: '',
    members: [],
  });
};

export const syncGroup: ApiHandler = (frame, az) => {
  const body = frame.body(ApiKey.SyncGroup);
  // KafkaApis.handleSyncGroupRequest checks protocol type and name (v5+) before authorization.
  const protocolMissing = frame.apiVersion >= 5 && (body.protocolType === null || body.protocolName === null);
  if (!protocolMissing && az.can(GROUP, body.groupId, READ)) return FORWARD;
  return answer(frame, ApiKey.SyncGroup, {
    throttleTimeMs: 0,
    errorCode: protocolMissing ? ErrorCode.INCONSISTENT_GROUP_PROTOCOL : ErrorCode.GROUP_AUTHORIZATION_FAILED,
    protocolType: null,
    protocolName: null,
    assignment: Buffer.alloc(0),
  });
};

export const heartbeat = groupMember(ApiKey.Heartbeat, (f) => f.body(ApiKey.Heartbeat).groupId);
export const leaveGroup = groupMember(ApiKey.LeaveGroup, (f) => f.body(ApiKey.LeaveGroup).groupId);

/** KIP-848 heartbeat: READ on the group, DESCRIBE on every subscribed topic (else TOPIC_AUTHORIZATION_FAILED). */
function subscribingHeartbeat<K extends RequestApiKey>(
  apiKey: K,
  read: (frame: RequestFrame) => { groupId: string; topics: string[] | null },
): ApiHandler {
  return (frame, az) => {
    const { groupId, topics } = read(frame);
    // Kafka's *HeartbeatRequest.getErrorResponse: the code only.
    if (!az.can(GROUP, groupId, READ))
      return topLevelError(frame, apiKey, ErrorCode.GROUP_AUTHORIZATION_FAILED, {
        errorMessage: null,
      } as never);
    const denied = (topics ?? []).filter((t) => !az.can(TOPIC, t, DESCRIBE));
    if (denied.length > 0)
      return topLevelError(frame, apiKey, ErrorCode.TOPIC_AUTHORIZATION_FAILED, {
        errorMessage: null,
      } as never);
    return FORWARD;
  };
}

const consumerGroupMember = subscribingHeartbeat(ApiKey.ConsumerGroupHeartbeat, (f) => {
  const b = f.body(ApiKey.ConsumerGroupHeartbeat);
  return { groupId: b.groupId, topics: b.subscribedTopicNames };
});

/**
 * KIP-848 heartbeat. The broker resolves a member's subscribedTopicRegex with the permissions of
 * the principal that sent it (Kafka 4's group coordinator keeps only the topics that principal may
 * DESCRIBE); through the gateway that principal is the gateway's own, so the assignment the broker
 * answers is filtered here: a topic the member may not DESCRIBE is never handed to it (issue #12
 * finding 4). Ids the gateway has not seen yet are looked up before the filter (a topic created
 * since the last Metadata answer); only an id the cluster does not know at all is left out.
 */
export const consumerGroupHeartbeat: ApiHandler = async (frame, az, env) => {
  const decision = await consumerGroupMember(frame, az, env);
  if (decision.kind !== 'forward') return decision;
  return {
    kind: 'forward',
    transformResponse: async (response) => {
      const r = response.body(ApiKey.ConsumerGroupHeartbeat);
      if (!r.assignment) return;
      const names = await env.topicIds.resolve(r.assignment.topicPartitions.map((t) => t.topicId));
      const before = r.assignment.topicPartitions.length;
      r.assignment.topicPartitions = r.assignment.topicPartitions.filter((t) => {
        const name = names.get(t.topicId);
        return name !== undefined && az.can(TOPIC, name, DESCRIBE, false);
      });
      if (r.assignment.topicPartitions.length !== before) response.setBody(ApiKey.ConsumerGroupHeartbeat, r);
    },
  };
};

const shareGroupMember = subscribingHeartbeat(ApiKey.ShareGroupHeartbeat, (f) => {
  const b = f.body(ApiKey.ShareGroupHeartbeat);
  return { groupId: b.groupId, topics: b.subscribedTopicNames };
});

/**
 * KIP-932 heartbeat: READ on the group first; then, as Kafka validates the request before it
 * authorizes the subscribed topics, a heartbeat without a member id is INVALID_REQUEST.
 */
export const shareGroupHeartbeat: ApiHandler = (frame, az, env) => {
  const b = frame.body(ApiKey.ShareGroupHeartbeat);
  if (az.can(GROUP, b.groupId, READ) && (b.memberId === null || b.memberId === ''))
    return topLevelError(frame, ApiKey.ShareGroupHeartbeat, ErrorCode.INVALID_REQUEST, {
      errorMessage: null,
    });
  return shareGroupMember(frame, az, env);
};

const streamsGroupMember = subscribingHeartbeat(ApiKey.StreamsGroupHeartbeat, (f) => {
  const b = f.body(ApiKey.StreamsGroupHeartbeat);
  // Kafka's handleStreamsGroupHeartbeat: DESCRIBE on every topic the topology names.
  const topics = (b.topology?.subtopologies ?? []).flatMap((s) => [
    ...s.sourceTopics,
    ...s.repartitionSinkTopics,
    ...s.repartitionSourceTopics.map((t) => t.name),
    ...s.stateChangelogTopics.map((t) => t.name),
  ]);
  return { groupId: b.groupId, topics };
});

/**
 * KIP-1071 heartbeat. The broker creates a topology's missing internal topics (changelog and
 * repartition topics) on the member's behalf; Kafka's KafkaApis creates only those the principal
 * may CREATE (on the cluster, else on the topic) and reports the others in the response status
 * ("Unauthorized to CREATE on topics …"). Through the gateway the broker would create every one
 * of them as the gateway's principal, so a heartbeat whose topology has a missing internal topic
 * the member may not CREATE is refused here, before the broker sees it, with the denial audited
 * (issue #12 finding 2; the answer differs from Kafka's, see docs/acls.md).
 */
export const streamsGroupHeartbeat: ApiHandler = async (frame, az, env) => {
  const decision = await streamsGroupMember(frame, az, env);
  if (decision.kind !== 'forward') return decision;
  const b = frame.body(ApiKey.StreamsGroupHeartbeat);
  const internal = [
    ...new Set(
      (b.topology?.subtopologies ?? []).flatMap((s) => [
        ...s.stateChangelogTopics.map((t) => t.name),
        ...s.repartitionSourceTopics.map((t) => t.name),
      ]),
    ),
  ];
  if (internal.length === 0 || az.cluster(CREATE, false)) return decision;
  const mayNotCreate = internal.filter((t) => !az.can(TOPIC, t, CREATE, false));
  if (mayNotCreate.length === 0) return decision;
  const existing = new Set(await env.topicIds.allNames());
  const refused = mayNotCreate.filter((t) => !existing.has(t));
  if (refused.length === 0) return decision;
  for (const t of refused) az.denied(TOPIC, t, CREATE);
  return topLevelError(frame, ApiKey.StreamsGroupHeartbeat, ErrorCode.TOPIC_AUTHORIZATION_FAILED, {
    errorMessage: `Unauthorized to CREATE on topics ${refused.join(',')}.`,
  } as never);
};

export const offsetCommit: ApiHandler = async (frame, az, env) => {
  const body = frame.body(ApiKey.OffsetCommit);
  const byId = frame.apiVersion >= 10;
  const key = (t: { name: string; topicId: string }): string => (byId ? t.topicId : t.name);
  const errorTopic = (t: (typeof body.topics)[number], errorCode: number) => ({
    name: t.name,
    topicId: t.topicId,
    partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
  });
  if (!az.can(GROUP, body.groupId, READ))
    return answer(frame, ApiKey.OffsetCommit, {
      throttleTimeMs: 0,
      topics: body.topics.map((t) => errorTopic(t, ErrorCode.GROUP_AUTHORIZATION_FAILED)),
    });
  const names = byId ? await env.topicIds.resolve(body.topics.map((t) => t.topicId)) : undefined;
  const split = splitByDecision(
    body.topics,
    (t) => {
      const name = names ? names.get(t.topicId) : t.name;
      if (name === undefined) return errorTopic(t, ErrorCode.UNKNOWN_TOPIC_ID);
      return az.can(TOPIC, name, READ) ? undefined : errorTopic(t, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    },
    key,
    key,
  );
  if (split.deniedCount === 0) return FORWARD;
  if (split.allowed.length === 0)
    return answer(frame, ApiKey.OffsetCommit, { throttleTimeMs: 0, topics: split.merge([]) });
  frame.setBody(ApiKey.OffsetCommit, { ...body, topics: split.allowed });
  return forwardPatched(ApiKey.OffsetCommit, (r) => (r.topics = split.merge(r.topics)));
};

type FetchGroup = OffsetFetchRequestOffsetFetchRequestGroup;
type FetchGroupResult = OffsetFetchResponseOffsetFetchResponseGroup;

/**
 * OffsetFetch, one group (v0-7) or many (v8+): DESCRIBE on each group; named topics without
 * DESCRIBE answered TOPIC_AUTHORIZATION_FAILED, all-topics answers filtered silently.
 */
export const offsetFetch: ApiHandler = async (frame, az, env) => {
  const body = frame.body(ApiKey.OffsetFetch);
  const v = frame.apiVersion;
  const byId = v >= 10;
  const unauthorizedPartition = (partitionIndex: number, errorCode: number) => ({
    partitionIndex,
    committedOffset: -1n,
    committedLeaderEpoch: -1,
    metadata: '',
    errorCode,
  });
  if (v < 8) {
    if (!az.can(GROUP, body.groupId, DESCRIBE)) {
      return answer(frame, ApiKey.OffsetFetch, {
        throttleTimeMs: 0,
        errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
        groups: [],
        // v0-1 have no top-level error: each partition carries it.
        topics:
          v < 2
            ? (body.topics ?? []).map((t) => ({
                name: t.name,
                partitions: t.partitionIndexes.map((p) =>
                  unauthorizedPartition(p, ErrorCode.GROUP_AUTHORIZATION_FAILED),
                ),
              }))
            : [],
      });
    }
    if (body.topics === null) {
      return forwardPatched(ApiKey.OffsetFetch, (r) => {
        r.topics = r.topics.filter((t) => az.can(TOPIC, t.name, DESCRIBE, false));
      });
    }
    const split = splitByDecision(
      body.topics,
      (t) =>
        az.can(TOPIC, t.name, DESCRIBE)
          ? undefined
          : {
              name: t.name,
              partitions: t.partitionIndexes.map((p) =>
                unauthorizedPartition(p, ErrorCode.TOPIC_AUTHORIZATION_FAILED),
              ),
            },
      (t) => t.name,
      (t) => t.name,
    );
    if (split.deniedCount === 0) return FORWARD;
    if (split.allowed.length === 0)
      return answer(frame, ApiKey.OffsetFetch, {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        groups: [],
        topics: split.merge([]),
      });
    frame.setBody(ApiKey.OffsetFetch, { ...body, topics: split.allowed });
    return forwardPatched(ApiKey.OffsetFetch, (r) => (r.topics = split.merge(r.topics)));
  }

  // v8+: a batch of groups, each with its own topic list (by id from v10).
  const ids = byId ? body.groups.flatMap((g) => (g.topics ?? []).map((t) => t.topicId)) : [];
  const names = byId ? await env.topicIds.resolve(ids) : undefined;
  const nameOf = (t: { name: string; topicId: string }): string | undefined =>
    names ? names.get(t.topicId) : t.name;
  const topicKey = (t: { name: string; topicId: string }): string => (byId ? t.topicId : t.name);
  const allTopicGroups = new Set<string>();
  const topicSplits = new Map<string, ReturnType<typeof splitTopics>>();
  const splitTopics = (g: FetchGroup) =>
    splitByDecision(
      g.topics!,
      (t) => {
        const name = nameOf(t);
        const code =
          name === undefined
            ? ErrorCode.UNKNOWN_TOPIC_ID
            : az.can(TOPIC, name, DESCRIBE)
              ? undefined
              : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
        if (code === undefined) return undefined;
        return {
          name: t.name,
          topicId: t.topicId,
          partitions: t.partitionIndexes.map((p) => unauthorizedPartition(p, code)),
        };
      },
      topicKey,
      topicKey,
    );
  let changed = false;
  const groups = splitByDecision<FetchGroup, FetchGroupResult>(
    body.groups,
    (g) => {
      if (!az.can(GROUP, g.groupId, DESCRIBE))
        return { groupId: g.groupId, topics: [], errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
      if (g.topics === null) allTopicGroups.add(g.groupId);
      else {
        const s = splitTopics(g);
        if (s.deniedCount > 0) {
          topicSplits.set(g.groupId, s);
          changed = true;
        }
      }
      return undefined;
    },
    (g) => g.groupId,
    (g) => g.groupId,
  );
  if (groups.allowed.length === 0)
    return answer(frame, ApiKey.OffsetFetch, {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      topics: [],
      groups: groups.merge([]),
    });
  if (groups.deniedCount > 0 || changed) {
    frame.setBody(ApiKey.OffsetFetch, {
      ...body,
      groups: groups.allowed.map((g) => {
        const s = topicSplits.get(g.groupId);
        return s ? { ...g, topics: s.allowed } : g;
      }),
    });
  } else if (allTopicGroups.size === 0) return FORWARD;
  return forwardPatched(ApiKey.OffsetFetch, (r) => {
    for (const g of r.groups) {
      if (g.errorCode !== ErrorCode.NONE) continue;
      if (allTopicGroups.has(g.groupId))
        g.topics = g.topics.filter((t) => {
          const name = byId ? t.name || env.topicIds.known(t.topicId) : t.name;
          return name !== undefined && az.can(TOPIC, name, DESCRIBE, false);
        });
      const s = topicSplits.get(g.groupId);
      if (s) g.topics = s.merge(g.topics);
    }
    r.groups = groups.merge(r.groups);
  });
};

export const findCoordinator: ApiHandler = (frame, az) => {
  const body = frame.body(ApiKey.FindCoordinator);
  const v = frame.apiVersion;
  /**
   * The error for one key, and its message when Kafka's differs from the default (the code's
   * message in v0-3, "" per key in v4+). KafkaApis.handleFindCoordinatorRequest refuses share-state
   * keys below v6 and a key type it does not know as INVALID_REQUEST before any authorization
   * (per key from v4, with the default message for an unknown type); share-state coordinators are
   * for brokers (CLUSTER_ACTION): never through the gateway.
   */
  const check = (key: string): { code: number; message?: string } | undefined => {
    switch (body.keyType) {
      case 0:
        return az.can(GROUP, key, DESCRIBE) ? undefined : { code: ErrorCode.GROUP_AUTHORIZATION_FAILED };
      case 1:
        return az.can(TRANSACTIONAL_ID, key, DESCRIBE)
          ? undefined
          : { code: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
      case 2:
        if (v < 6) return { code: ErrorCode.INVALID_REQUEST };
        az.denied(ResourceType.CLUSTER, 'kafka-cluster', CLUSTER_ACTION);
        return {
          code: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
          message: errorMessage(ErrorCode.CLUSTER_AUTHORIZATION_FAILED) ?? '',
        };
      default:
        return { code: ErrorCode.INVALID_REQUEST, message: errorMessage(ErrorCode.INVALID_REQUEST) ?? '' };
    }
  };
  if (v < 4) {
    const denied = check(body.key);
    if (denied === undefined) return FORWARD;
    return answer(frame, ApiKey.FindCoordinator, {
      throttleTimeMs: 0,
      errorCode: denied.code,
      errorMessage: errorMessage(denied.code),
      nodeId: -1,
      host: '',
      port: -1,
      coordinators: [],
    });
  }
  const split = splitByDecision(
    body.coordinatorKeys,
    (key) => {
      const denied = check(key);
      return denied === undefined
        ? undefined
        : // Kafka sets the code only: the message keeps its default, "".
          { key, nodeId: -1, host: '', port: -1, errorCode: denied.code, errorMessage: denied.message ?? '' };
    },
    (k) => k,
    (c) => c.key,
  );
  if (split.deniedCount === 0) return FORWARD;
  const top = {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    nodeId: 0,
    host: '',
    port: 0,
  };
  if (split.allowed.length === 0)
    return answer(frame, ApiKey.FindCoordinator, { ...top, coordinators: split.merge([]) });
  frame.setBody(ApiKey.FindCoordinator, { ...body, coordinatorKeys: split.allowed });
  return forwardPatched(ApiKey.FindCoordinator, (r) => (r.coordinators = split.merge(r.coordinators)));
};

/** Describe-style group APIs: per group DESCRIBE, denied groups answered GROUP_AUTHORIZATION_FAILED. */
function describeGroupsOf<
  K extends RequestApiKey,
  G extends { groupId: string; errorCode: number; authorizedOperations: number },
>(
  apiKey: K,
  read: (frame: RequestFrame) => { ids: string[]; includeOps: boolean },
  write: (frame: RequestFrame, ids: string[]) => void,
  groupsOf: (r: ResponseTypes[K]) => G[],
  setGroups: (r: ResponseTypes[K], groups: G[]) => void,
  deniedGroup: (groupId: string, version: number) => G,
  extraCheck?: (g: G, az: RequestAuthz) => G | undefined,
): ApiHandler {
  return (frame, az) => {
    const { ids, includeOps } = read(frame);
    const split = splitByDecision(
      ids,
      (id) => (az.can(GROUP, id, DESCRIBE) ? undefined : deniedGroup(id, frame.apiVersion)),
      (id) => id,
      (g: G) => g.groupId,
    );
    if (split.allowed.length === 0) {
      const body = blankResponse(apiKey) as unknown as ResponseTypes[K];
      setGroups(body, split.merge([]));
      return answer(frame, apiKey, body);
    }
    if (split.deniedCount > 0) write(frame, split.allowed);
    if (split.deniedCount === 0 && !includeOps && !extraCheck) return FORWARD;
    return forwardPatched(apiKey, (r) => {
      const groups = groupsOf(r).map((g) => {
        const replaced = g.errorCode === ErrorCode.NONE && extraCheck ? extraCheck(g, az) : undefined;
        if (replaced) return replaced;
        if (includeOps && g.errorCode === ErrorCode.NONE)
          g.authorizedOperations = az.authorizedOps(GROUP, g.groupId);
        return g;
      });
      setGroups(r, split.merge(groups));
    });
  };
}

export const describeGroups = describeGroupsOf<
  typeof ApiKey.DescribeGroups,
  DescribeGroupsResponseDescribedGroup
>(
  ApiKey.DescribeGroups,
  (f) => {
    const b = f.body(ApiKey.DescribeGroups);
    return { ids: b.groups, includeOps: b.includeAuthorizedOperations };
  },
  (f, ids) => f.setBody(ApiKey.DescribeGroups, { ...f.body(ApiKey.DescribeGroups), groups: ids }),
  (r) => r.groups,
  (r, g) => (r.groups = g),
  // errorMessage (v6+) stays null in every version: a message set where the version cannot carry
  // it would make the encoder refuse the answer (issue #12 finding 5).
  (groupId) => ({
    errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
    // Kafka's DescribeGroupsResponse.groupError: code only, no message.
    errorMessage: null,
    groupId,
    groupState: '',
    protocolType: '',
    protocolData: '',
    members: [],
    authorizedOperations: OPS_NOT_REQUESTED,
  }),
);

/** KIP-848 describe: a group whose members hold topics the client may not DESCRIBE is refused as a whole. */
function topicsHidden<G extends { groupId: string; errorCode: number; errorMessage: string | null }>(
  topicsOf: (g: G) => string[],
  refused: (g: G) => G = (g) => ({
    ...g,
    errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    errorMessage: 'The group has described topic(s) that the client is not authorized to describe.',
    members: [],
    authorizedOperations: OPS_NOT_REQUESTED,
  }),
): (g: G, az: RequestAuthz) => G | undefined {
  return (g, az) => {
    const hidden = topicsOf(g).some((t) => !az.can(TOPIC, t, DESCRIBE, false));
    return hidden ? refused(g) : undefined;
  };
}

/** Kafka's KafkaApis answers an unauthorized group with the code only (errorMessage null). */
const describedNewGroup = (groupId: string) => ({
  errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
  errorMessage: null,
  groupId,
  groupState: '',
  groupEpoch: 0,
  assignmentEpoch: 0,
  assignorName: '',
  members: [],
  authorizedOperations: OPS_NOT_REQUESTED,
});

export const consumerGroupDescribe = describeGroupsOf<
  typeof ApiKey.ConsumerGroupDescribe,
  ConsumerGroupDescribeResponseDescribedGroup
>(
  ApiKey.ConsumerGroupDescribe,
  (f) => {
    const b = f.body(ApiKey.ConsumerGroupDescribe);
    return { ids: b.groupIds, includeOps: b.includeAuthorizedOperations };
  },
  (f, ids) =>
    f.setBody(ApiKey.ConsumerGroupDescribe, { ...f.body(ApiKey.ConsumerGroupDescribe), groupIds: ids }),
  (r) => r.groups,
  (r, g) => (r.groups = g),
  describedNewGroup,
  topicsHidden((g) =>
    g.members.flatMap((m) => [
      ...m.assignment.topicPartitions.map((t) => t.topicName),
      ...m.targetAssignment.topicPartitions.map((t) => t.topicName),
    ]),
  ),
);

export const shareGroupDescribe = describeGroupsOf<
  typeof ApiKey.ShareGroupDescribe,
  ShareGroupDescribeResponseDescribedGroup
>(
  ApiKey.ShareGroupDescribe,
  (f) => {
    const b = f.body(ApiKey.ShareGroupDescribe);
    return { ids: b.groupIds, includeOps: b.includeAuthorizedOperations };
  },
  (f, ids) => f.setBody(ApiKey.ShareGroupDescribe, { ...f.body(ApiKey.ShareGroupDescribe), groupIds: ids }),
  (r) => r.groups,
  (r, g) => (r.groups = g),
  describedNewGroup,
  topicsHidden((g) => g.members.flatMap((m) => m.assignment.topicPartitions.map((t) => t.topicName))),
);

export const streamsGroupDescribe = describeGroupsOf<
  typeof ApiKey.StreamsGroupDescribe,
  StreamsGroupDescribeResponseDescribedGroup
>(
  ApiKey.StreamsGroupDescribe,
  (f) => {
    const b = f.body(ApiKey.StreamsGroupDescribe);
    return { ids: b.groupIds, includeOps: b.includeAuthorizedOperations };
  },
  (f, ids) =>
    f.setBody(ApiKey.StreamsGroupDescribe, { ...f.body(ApiKey.StreamsGroupDescribe), groupIds: ids }),
  (r) => r.groups,
  (r, g) => (r.groups = g),
  (groupId) => describedStreamsGroup(groupId, ErrorCode.GROUP_AUTHORIZATION_FAILED, null),
  // KafkaApis.handleStreamsGroupDescribe: a group whose topology names a topic (source,
  // repartition or changelog) the client may not DESCRIBE is replaced by a fresh one carrying
  // only the error, so neither its topology nor its members' tasks are shown.
  topicsHidden(
    (g) =>
      (g.topology?.subtopologies ?? []).flatMap((s) => [
        ...s.sourceTopics,
        ...s.repartitionSinkTopics,
        ...s.repartitionSourceTopics.map((t) => t.name),
        ...s.stateChangelogTopics.map((t) => t.name),
      ]),
    (g) =>
      describedStreamsGroup(
        g.groupId,
        ErrorCode.TOPIC_AUTHORIZATION_FAILED,
        'The described group uses topics that the client is not authorized to describe.',
      ),
  ),
);

function describedStreamsGroup(
  groupId: string,
  errorCode: number,
  errorMessage: string | null,
): StreamsGroupDescribeResponseDescribedGroup {
  return {
    errorCode,
    errorMessage,
    groupId,
    groupState: '',
    groupEpoch: 0,
    assignmentEpoch: 0,
    topology: null,
    members: [],
    authorizedOperations: OPS_NOT_REQUESTED,
  };
}

export const listGroups: ApiHandler = (_frame, az) => {
  if (az.cluster(DESCRIBE, false)) return FORWARD;
  return forwardPatched(ApiKey.ListGroups, (r) => {
    r.groups = r.groups.filter((g) => az.can(GROUP, g.groupId, DESCRIBE, false));
  });
};

export const deleteGroups: ApiHandler = (frame, az) => {
  const body = frame.body(ApiKey.DeleteGroups);
  const split = splitByDecision(
    body.groupsNames,
    (groupId) =>
      az.can(GROUP, groupId, DELETE)
        ? undefined
        : { groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED },
    (g) => g,
    (r) => r.groupId,
  );
  if (split.deniedCount === 0) return FORWARD;
  if (split.allowed.length === 0)
    return answer(frame, ApiKey.DeleteGroups, { throttleTimeMs: 0, results: split.merge([]) });
  frame.setBody(ApiKey.DeleteGroups, { groupsNames: split.allowed });
  return forwardPatched(ApiKey.DeleteGroups, (r) => (r.results = split.merge(r.results)));
};

export const offsetDelete: ApiHandler = (frame, az) => {
  const body = frame.body(ApiKey.OffsetDelete);
  if (!az.can(GROUP, body.groupId, DELETE))
    return answer(frame, ApiKey.OffsetDelete, {
      errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
      throttleTimeMs: 0,
      topics: [],
    });
  const split = splitByDecision(
    body.topics,
    (t) =>
      az.can(TOPIC, t.name, READ)
        ? undefined
        : {
            name: t.name,
            partitions: t.partitions.map((p) => ({
              partitionIndex: p.partitionIndex,
              errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
            })),
          },
    (t) => t.name,
    (t) => t.name,
  );
  if (split.deniedCount === 0) return FORWARD;
  if (split.allowed.length === 0)
    return answer(frame, ApiKey.OffsetDelete, {
      errorCode: ErrorCode.NONE,
      throttleTimeMs: 0,
      topics: split.merge([]),
    });
  frame.setBody(ApiKey.OffsetDelete, { ...body, topics: split.allowed });
  return forwardPatched(ApiKey.OffsetDelete, (r) => (r.topics = split.merge(r.topics)));
};
