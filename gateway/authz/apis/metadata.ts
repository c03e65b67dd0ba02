/**
 * Metadata, DescribeTopicPartitions and DescribeCluster. Topics the principal may not DESCRIBE
 * never show in a listing of all topics; named ones are answered with TOPIC_AUTHORIZATION_FAILED
 * (without their topic id, as Kafka does). The *AuthorizedOperations bitfields the broker computed
 * for the gateway's own principal are recomputed for the client's.
 */
import { ErrorCode } from '../../../protocol/errors.js';
import { ApiKey, ZERO_UUID, type MetadataResponse } from '../../../protocol/index.js';
import { AclOperation, ResourceType } from '../../../security/acl/index.js';
import type { RequestAuthz } from '../context.js';
import { OPS_NOT_REQUESTED } from '../errors.js';
import { splitByDecision } from '../merge.js';
import { FORWARD, answer, forwardPatched, type ApiHandler } from '../types.js';

const { TOPIC, CLUSTER } = ResourceType;
const { DESCRIBE, CREATE } = AclOperation;

const clusterOps = (az: RequestAuthz): number =>
  az.cluster(DESCRIBE) ? az.authorizedOps(CLUSTER, 'kafka-cluster') : 0;

function errorTopic(errorCode: number, name: string | null, topicId: string) {
  return {
    errorCode,
    name,
    topicId,
    isInternal: false,
    partitions: [],
    topicAuthorizedOperations: OPS_NOT_REQUESTED,
  };
}

export const metadata: ApiHandler = async (frame, az, env) => {
  const body = frame.body(ApiKey.Metadata);
  const v = frame.apiVersion;
  const fixOps = (r: MetadataResponse): void => {
    if (v < 8) return;
    if (v <= 10 && body.includeClusterAuthorizedOperations) r.clusterAuthorizedOperations = clusterOps(az);
    if (body.includeTopicAuthorizedOperations)
      for (const t of r.topics)
        if (t.name !== null && t.errorCode !== ErrorCode.TOPIC_AUTHORIZATION_FAILED)
          t.topicAuthorizedOperations = az.authorizedOps(TOPIC, t.name);
  };

  const allTopics = body.topics === null || (v === 0 && body.topics.length === 0);
  if (allTopics) {
    return forwardPatched(ApiKey.Metadata, (r) => {
      // Listing: unauthorized topics are left out silently (Kafka does not log these denials).
      r.topics = r.topics.filter((t) => t.name !== null && az.can(TOPIC, t.name, DESCRIBE, false));
      fixOps(r);
    });
  }
  const topics = body.topics!;
  // Kafka's handleTopicMetadataRequest refuses names of null and topic ids below v12 with
  // INVALID_REQUEST for the whole request (MetadataRequest.getErrorResponse: no brokers).
  if (v < 12 && topics.some((t) => t.name === null || (v >= 10 && t.topicId !== ZERO_UUID)))
    return answer(frame, ApiKey.Metadata, {
      throttleTimeMs: 0,
      brokers: [],
      clusterId: null,
      controllerId: -1,
      topics: topics.map((t) => ({
        ...errorTopic(ErrorCode.INVALID_REQUEST, t.name ?? '', t.topicId),
        topicAuthorizedOperations: OPS_NOT_REQUESTED,
      })),
      clusterAuthorizedOperations: OPS_NOT_REQUESTED,
      errorCode: ErrorCode.NONE,
    });
  // From v12, one non-zero topic id puts the request in id mode: Kafka then looks up the ids only
  // (each once) and ignores every name in it.
  const useIds = v >= 12 && topics.some((t) => t.topicId !== ZERO_UUID);
  const asked = useIds
    ? [...new Map(topics.filter((t) => t.topicId !== ZERO_UUID).map((t) => [t.topicId, t])).values()]
    : topics;
  const names = useIds
    ? await env.topicIds.resolve(asked.map((t) => t.topicId))
    : new Map<string, string | undefined>();
  const nameOf = (t: { name: string | null; topicId: string }): string | undefined =>
    useIds ? names.get(t.topicId) : (t.name ?? undefined);

  // Kafka's answer lists unknown ids first, then the authorized topics, then the denied ones.
  const unknown: ReturnType<typeof errorTopic>[] = [];
  const denied: ReturnType<typeof errorTopic>[] = [];
  const local = (list: ReturnType<typeof errorTopic>[], t: ReturnType<typeof errorTopic>) => {
    list.push(t);
    return t;
  };
  const split = splitByDecision(
    asked,
    (t) => {
      const name = nameOf(t);
      if (name === undefined) return local(unknown, errorTopic(ErrorCode.UNKNOWN_TOPIC_ID, null, t.topicId));
      if (az.can(TOPIC, name, DESCRIBE)) return undefined;
      // By id: ids are not secret, so the id is echoed; by name: no id for an unauthorized topic.
      return local(
        denied,
        useIds
          ? errorTopic(ErrorCode.TOPIC_AUTHORIZATION_FAILED, null, t.topicId)
          : errorTopic(ErrorCode.TOPIC_AUTHORIZATION_FAILED, name, ZERO_UUID),
      );
    },
    (t) => (useIds ? t.topicId : t.name!),
    (r) => (useIds ? r.topicId : r.name!),
  );
  const inKafkaOrder = <T>(upstream: T[]): (T | ReturnType<typeof errorTopic>)[] => [
    ...unknown,
    ...upstream,
    ...createRefused,
    ...denied,
  ];

  // Auto-creation needs CREATE on the cluster or on the topic. Which topics exist is only known
  // to the broker, so creation is switched off for the request when some topic lacks CREATE, and
  // those topics' UNKNOWN_TOPIC_OR_PARTITION becomes TOPIC_AUTHORIZATION_FAILED (Kafka's answer
  // with auto.create.topics.enable=true, its default).
  const noCreate = new Set<string>();
  if (body.allowAutoTopicCreation && split.allowed.length > 0 && !az.cluster(CREATE, false)) {
    for (const t of split.allowed) {
      const name = nameOf(t)!;
      if (!az.can(TOPIC, name, CREATE, false)) noCreate.add(name);
    }
  }
  // v0-3 cannot switch creation off (Kafka reads allowAutoTopicCreation as true), and the broker
  // behind the gateway would create a missing topic for the gateway's principal: the topics
  // that lack CREATE and do not exist now are answered here, after the forwarded ones, as Kafka's
  // handleTopicMetadataRequest lists unauthorizedForCreateTopics (a topic that exists is forwarded:
  // the broker creates nothing for it).
  const createRefused: ReturnType<typeof errorTopic>[] = [];
  let forwarded = split.allowed;
  if (v < 4 && noCreate.size > 0) {
    const existing = new Set(await env.topicIds.allNames());
    const missing = new Set([...noCreate].filter((n) => !existing.has(n)));
    if (missing.size > 0) {
      forwarded = split.allowed.filter((t) => !missing.has(nameOf(t)!));
      for (const name of missing) {
        az.denied(TOPIC, name, CREATE);
        createRefused.push(errorTopic(ErrorCode.TOPIC_AUTHORIZATION_FAILED, name, ZERO_UUID));
      }
    }
  }
  if (split.deniedCount === 0 && noCreate.size === 0) {
    const needsOps =
      v >= 8 &&
      (body.includeTopicAuthorizedOperations || (v <= 10 && body.includeClusterAuthorizedOperations));
    return needsOps ? forwardPatched(ApiKey.Metadata, fixOps) : FORWARD;
  }
  if (forwarded.length === 0 && v === 0) {
    // v0 cannot ask for "no topics" (empty means all): ask for all for the broker list, as Kafka
    // answers brokers with the denied topics, and keep none of the listed topics.
    frame.setBody(ApiKey.Metadata, { ...body, topics: [] });
    return forwardPatched(ApiKey.Metadata, (r) => {
      r.topics = inKafkaOrder([]);
    });
  }
  // With every topic denied, the broker is still asked for the (topic-less) broker list.
  frame.setBody(ApiKey.Metadata, {
    ...body,
    topics: forwarded,
    // v0-3 have no such field (and v0-3 brokers auto-create only with CREATE checks of their own).
    allowAutoTopicCreation:
      v >= 4 ? body.allowAutoTopicCreation && noCreate.size === 0 : body.allowAutoTopicCreation,
  });
  return forwardPatched(ApiKey.Metadata, (r) => {
    for (const t of r.topics) {
      if (t.name !== null && noCreate.has(t.name) && t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
        Object.assign(t, errorTopic(ErrorCode.TOPIC_AUTHORIZATION_FAILED, t.name, ZERO_UUID));
        az.denied(TOPIC, t.name, CREATE);
      }
    }
    fixOps(r);
    r.topics = inKafkaOrder(r.topics);
  });
};

/**
 * DescribeTopicPartitions: as Kafka's DescribeTopicPartitionsRequestHandler, a listing (no topics
 * named) pages through the topics the caller may DESCRIBE only, so neither a page nor its
 * nextCursor ever names another topic (issue #12 finding 3). The broker, asked by the gateway's
 * principal, would page through every topic; so the gateway names the authorized topics from the
 * cursor on, and the broker pages through exactly those, sorted, as Kafka's handler does.
 */
export const describeTopicPartitions: ApiHandler = async (frame, az, env) => {
  const body = frame.body(ApiKey.DescribeTopicPartitions);
  const fixOps = (
    topics: { name: string | null; errorCode: number; topicAuthorizedOperations: number }[],
  ): void => {
    for (const t of topics)
      if (t.name !== null && t.errorCode !== ErrorCode.TOPIC_AUTHORIZATION_FAILED)
        t.topicAuthorizedOperations = az.authorizedOps(TOPIC, t.name);
  };
  if (body.topics.length === 0) {
    const from = body.cursor?.topicName ?? '';
    const names = (await env.topicIds.allNames())
      .filter((n) => n >= from && az.can(TOPIC, n, DESCRIBE, false))
      .sort();
    if (names.length === 0)
      return answer(frame, ApiKey.DescribeTopicPartitions, {
        throttleTimeMs: 0,
        topics: [],
        nextCursor: null,
      });
    // Kafka starts at the cursor's partition only if the cursor topic is one it lists.
    const cursor = body.cursor && names[0] === body.cursor.topicName ? body.cursor : null;
    frame.setBody(ApiKey.DescribeTopicPartitions, {
      ...body,
      topics: names.map((name) => ({ name })),
      cursor,
    });
    const listed = new Set(names);
    return forwardPatched(ApiKey.DescribeTopicPartitions, (r) => {
      // A topic deleted since the listing is simply not listed, as in Kafka's all-topics answer.
      r.topics = r.topics.filter(
        (t) => t.name !== null && listed.has(t.name) && t.errorCode === ErrorCode.NONE,
      );
      fixOps(r.topics);
    });
  }
  const split = splitByDecision(
    body.topics,
    (t) =>
      az.can(TOPIC, t.name, DESCRIBE)
        ? undefined
        : errorTopic(ErrorCode.TOPIC_AUTHORIZATION_FAILED, t.name, ZERO_UUID),
    (t) => t.name,
    (r) => r.name ?? r.topicId,
  );
  if (split.allowed.length === 0)
    return answer(frame, ApiKey.DescribeTopicPartitions, {
      throttleTimeMs: 0,
      topics: split.merge([]),
      nextCursor: null,
    });
  if (split.deniedCount > 0)
    frame.setBody(ApiKey.DescribeTopicPartitions, { ...body, topics: split.allowed });
  return forwardPatched(ApiKey.DescribeTopicPartitions, (r) => {
    fixOps(r.topics);
    r.topics = split.merge(r.topics);
  });
};

export const describeCluster: ApiHandler = (frame, az) => {
  // Kafka authorizes nothing here but the optional operations bitfield (DESCRIBE on the cluster).
  const body = frame.body(ApiKey.DescribeCluster);
  if (!body.includeClusterAuthorizedOperations) return FORWARD;
  return forwardPatched(ApiKey.DescribeCluster, (r) => {
    r.clusterAuthorizedOperations = clusterOps(az);
  });
};
