/**
 * Topic and configuration administration, and the cluster-wide operations: CREATE/DELETE/ALTER
 * on topics, DESCRIBE_CONFIGS/ALTER_CONFIGS on the resource a config belongs to (brokers, broker
 * loggers and client-metrics subscriptions are the cluster's), ALTER/DESCRIBE on the cluster.
 */
import { ErrorCode } from '../../../protocol/errors.js';
import {
  ApiKey,
  ZERO_UUID,
  type RequestApiKey,
  type RequestFrame,
  type ResponseTypes,
} from '../../../protocol/index.js';
import { AclOperation, ResourceType } from '../../../security/acl/index.js';
import type { RequestAuthz } from '../context.js';
import { clusterOperationMessage, errorMessage } from '../errors.js';
import { splitByDecision } from '../merge.js';
import { FORWARD, answer, forwardPatched, type ApiHandler } from '../types.js';
import { topLevelError } from './groups.js';

const { TOPIC, GROUP } = ResourceType;
const { CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS } = AclOperation;

export const createTopics: ApiHandler = (frame, az) => {
  const body = frame.body(ApiKey.CreateTopics);
  const clusterCreate = az.cluster(CREATE, false);
  const split = splitByDecision(
    body.topics,
    (t) =>
      // CREATE on the cluster covers every topic but the gateway's reserved ones, which `can`
      // refuses whatever the ACLs (else TOPIC_ALREADY_EXISTS would confirm their names).
      (clusterCreate && !az.reserved(t.name)) || az.can(TOPIC, t.name, CREATE)
        ? undefined
        : {
            name: t.name,
            topicId: ZERO_UUID,
            errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
            errorMessage: 'Authorization failed.',
            // KRaft's ControllerApis.createTopics: code and message only, the rest at defaults.
            numPartitions: -1,
            replicationFactor: -1,
            configs: [],
          },
    (t) => t.name,
    (r) => r.name,
  );
  if (split.allowed.length === 0)
    return answer(frame, ApiKey.CreateTopics, { throttleTimeMs: 0, topics: split.merge([]) });
  if (split.deniedCount > 0) frame.setBody(ApiKey.CreateTopics, { ...body, topics: split.allowed });
  // v5+ answers carry the new topic's configs: hidden without DESCRIBE_CONFIGS on it.
  const hideConfigs =
    frame.apiVersion >= 5 && split.allowed.some((t) => !az.can(TOPIC, t.name, DESCRIBE_CONFIGS, false));
  if (split.deniedCount === 0 && !hideConfigs) return FORWARD;
  return forwardPatched(ApiKey.CreateTopics, (r) => {
    for (const t of r.topics) {
      if (frame.apiVersion >= 5 && !az.can(TOPIC, t.name, DESCRIBE_CONFIGS, false)) {
        t.topicConfigErrorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
        t.configs = null;
        t.numPartitions = -1;
        t.replicationFactor = -1;
      }
    }
    r.topics = split.merge(r.topics);
  });
};

export const deleteTopics: ApiHandler = async (frame, az, env) => {
  const body = frame.body(ApiKey.DeleteTopics);
  const v = frame.apiVersion;
  if (v < 6) {
    const split = splitByDecision(
      body.topicNames,
      (name) =>
        az.can(TOPIC, name, DELETE)
          ? undefined
          : {
              name,
              topicId: ZERO_UUID,
              errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
              // The message field exists from v5; Kafka sets the error's default message.
              errorMessage: v >= 5 ? errorMessage(ErrorCode.TOPIC_AUTHORIZATION_FAILED) : null,
            },
      (n) => n,
      (r) => r.name ?? '',
    );
    if (split.deniedCount === 0) return FORWARD;
    if (split.allowed.length === 0)
      return answer(frame, ApiKey.DeleteTopics, { throttleTimeMs: 0, responses: split.merge([]) });
    frame.setBody(ApiKey.DeleteTopics, { ...body, topicNames: split.allowed });
    return forwardPatched(ApiKey.DeleteTopics, (r) => (r.responses = split.merge(r.responses)));
  }
  const ids = body.topics.filter((t) => t.name === null).map((t) => t.topicId);
  const names = ids.length > 0 ? await env.topicIds.resolve(ids) : new Map<string, string | undefined>();
  const key = (t: { name: string | null; topicId: string }): string => t.name ?? t.topicId;
  // KRaft's ControllerApis.deleteTopics refuses an entry naming both a topic and an id first;
  // its refusals carry the error's default message.
  const split = splitByDecision(
    body.topics,
    (t) => {
      if (t.name !== null && t.topicId !== ZERO_UUID)
        return {
          name: t.name,
          topicId: t.topicId,
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: 'You may not specify both topic name and topic id.',
        };
      const denied = (name: string | null, errorCode: number) => ({
        name,
        topicId: t.topicId,
        errorCode,
        errorMessage: errorMessage(errorCode),
      });
      if (t.name !== null)
        return az.can(TOPIC, t.name, DELETE)
          ? undefined
          : denied(t.name, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      const name = names.get(t.topicId);
      if (name === undefined) return denied(null, ErrorCode.UNKNOWN_TOPIC_ID);
      // By id without DESCRIBE the name stays hidden.
      if (!az.can(TOPIC, name, DESCRIBE)) return denied(null, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      return az.can(TOPIC, name, DELETE) ? undefined : denied(name, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    },
    key,
    (r) =>
      r.topicId !== ZERO_UUID && !body.topics.some((t) => t.name === r.name && t.name !== null)
        ? r.topicId
        : (r.name ?? r.topicId),
  );
  if (split.deniedCount === 0) return FORWARD;
  if (split.allowed.length === 0)
    return answer(frame, ApiKey.DeleteTopics, { throttleTimeMs: 0, responses: split.merge([]) });
  frame.setBody(ApiKey.DeleteTopics, { ...body, topics: split.allowed });
  return forwardPatched(ApiKey.DeleteTopics, (r) => (r.responses = split.merge(r.responses)));
};

export const createPartitions: ApiHandler = (frame, az) => {
  const body = frame.body(ApiKey.CreatePartitions);
  const split = splitByDecision(
    body.topics,
    (t) =>
      az.can(TOPIC, t.name, ALTER)
        ? undefined
        : {
            name: t.name,
            errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
            errorMessage: null,
          },
    (t) => t.name,
    (r) => r.name,
  );
  if (split.deniedCount === 0) return FORWARD;
  if (split.allowed.length === 0)
    return answer(frame, ApiKey.CreatePartitions, { throttleTimeMs: 0, results: split.merge([]) });
  frame.setBody(ApiKey.CreatePartitions, { ...body, topics: split.allowed });
  return forwardPatched(ApiKey.CreatePartitions, (r) => (r.results = split.merge(r.results)));
};

/** Kafka's ConfigResource.Type codes. */
const ConfigType = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8, CLIENT_METRICS: 16, GROUP: 32 } as const;

/** The error code for a config resource the principal may not `op`, or undefined when allowed. */
function configDenied(az: RequestAuthz, type: number, name: string, op: AclOperation): number | undefined {
  switch (type) {
    case ConfigType.TOPIC:
      return az.can(TOPIC, name, op) ? undefined : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
    case ConfigType.GROUP:
      return az.can(GROUP, name, op) ? undefined : ErrorCode.GROUP_AUTHORIZATION_FAILED;
    case ConfigType.BROKER:
    case ConfigType.BROKER_LOGGER:
    case ConfigType.CLIENT_METRICS:
      return az.cluster(op) ? undefined : ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
    default:
      return undefined; // the broker answers INVALID_REQUEST for types it does not know
  }
}

const configKey = (r: { resourceType: number; resourceName: string }): string =>
  `${r.resourceType}:${r.resourceName}`;

const KNOWN_CONFIG_TYPES: ReadonlySet<number> = new Set(Object.values(ConfigType));

export const describeConfigs: ApiHandler = (frame, az) => {
  const body = frame.body(ApiKey.DescribeConfigs);
  // KafkaApis.handleDescribeConfigsRequest throws InvalidRequestException on a resource type it
  // does not know, which fails the whole request (DescribeConfigsRequest.getErrorResponse: every
  // resource INVALID_REQUEST with the error's default message). Answered here, so that a broker
  // knowing a newer type never authorizes it as the gateway's principal.
  if (body.resources.some((r) => !KNOWN_CONFIG_TYPES.has(r.resourceType)))
    return answer(frame, ApiKey.DescribeConfigs, {
      throttleTimeMs: 0,
      results: body.resources.map((r) => ({
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: errorMessage(ErrorCode.INVALID_REQUEST),
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        configs: [],
      })),
    });
  const split = splitByDecision(
    body.resources,
    (r) => {
      const code = configDenied(az, r.resourceType, r.resourceName, DESCRIBE_CONFIGS);
      return code === undefined
        ? undefined
        : {
            errorCode: code,
            errorMessage: errorMessage(code),
            resourceType: r.resourceType,
            resourceName: r.resourceName,
            configs: [],
          };
    },
    configKey,
    configKey,
  );
  if (split.deniedCount === 0) return FORWARD;
  if (split.allowed.length === 0)
    return answer(frame, ApiKey.DescribeConfigs, { throttleTimeMs: 0, results: split.merge([]) });
  frame.setBody(ApiKey.DescribeConfigs, { ...body, resources: split.allowed });
  return forwardPatched(ApiKey.DescribeConfigs, (r) => (r.results = split.merge(r.results)));
};

interface AlterConfigsLike {
  resources: { resourceType: number; resourceName: string }[];
}
interface AlterConfigsResult {
  responses: { errorCode: number; errorMessage: string | null; resourceType: number; resourceName: string }[];
}

/** AlterConfigs and IncrementalAlterConfigs share their shape where authorization is concerned. */
function alterConfigsOf(
  apiKey: typeof ApiKey.AlterConfigs | typeof ApiKey.IncrementalAlterConfigs,
): ApiHandler {
  const key = apiKey as typeof ApiKey.AlterConfigs; // same resources/responses shape for both
  return (frame, az) => {
    const body = frame.body(key) as unknown as AlterConfigsLike;
    const split = splitByDecision(
      body.resources,
      (r) => {
        // Kafka's ConfigAdminManager refuses a type it does not know per resource (42, "Unknown
        // resource type N"): answered here, so no broker authorizes it as the gateway's principal.
        if (!KNOWN_CONFIG_TYPES.has(r.resourceType))
          return {
            errorCode: ErrorCode.INVALID_REQUEST,
            errorMessage: `Unknown resource type ${r.resourceType}`,
            resourceType: r.resourceType,
            resourceName: r.resourceName,
          };
        const code = configDenied(az, r.resourceType, r.resourceName, ALTER_CONFIGS);
        return code === undefined
          ? undefined
          : {
              errorCode: code,
              errorMessage: errorMessage(code),
              resourceType: r.resourceType,
              resourceName: r.resourceName,
            };
      },
      configKey,
      configKey,
    );
    if (split.deniedCount === 0) return FORWARD;
    if (split.allowed.length === 0)
      return answer(frame, key, { throttleTimeMs: 0, responses: split.merge([]) });
    frame.setBody(key, { ...(body as unknown as object), resources: split.allowed } as never);
    return forwardPatched(key, (r) => {
      const res = r as unknown as AlterConfigsResult;
      res.responses = split.merge(res.responses);
    });
  };
}

export const alterConfigs = alterConfigsOf(ApiKey.AlterConfigs);
export const incrementalAlterConfigs = alterConfigsOf(ApiKey.IncrementalAlterConfigs);

/** A cluster-level API: `op` on the cluster, else one top-level CLUSTER_AUTHORIZATION_FAILED. */
/**
 * An API Kafka authorizes with one cluster permission; `denial` sets the fields Kafka's answer
 * differs in from the blank response with the default error message (e.g. no message).
 */
export function clusterApi<K extends RequestApiKey>(
  apiKey: K,
  op: AclOperation,
  denial: Partial<ResponseTypes[K]> | ((frame: RequestFrame) => Partial<ResponseTypes[K]>) = {},
): ApiHandler {
  return (frame, az) =>
    az.cluster(op)
      ? FORWARD
      : topLevelError(
          frame,
          apiKey,
          ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
          typeof denial === 'function' ? denial(frame) : denial,
        );
}

/** The KRaft controller's refusal (AuthHelper.authorizeClusterOperation): its own message. */
export const controllerDenial =
  (op: string) =>
  (frame: RequestFrame): { errorMessage: string } => ({ errorMessage: clusterOperationMessage(frame, op) });

const CLUSTER_DENIED = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
const clusterMessage = errorMessage(CLUSTER_DENIED);

/**
 * DescribeLogDirs: DESCRIBE on the cluster (KafkaApis.handleDescribeLogDirsRequest), which lists
 * every topic on the brokers' disks; the gateway's reserved topics (credentials, audit) are left
 * out, as from every other listing.
 */
export const describeLogDirs: ApiHandler = (frame, az) => {
  if (!az.cluster(DESCRIBE)) return topLevelError(frame, ApiKey.DescribeLogDirs, CLUSTER_DENIED);
  return forwardPatched(ApiKey.DescribeLogDirs, (r) => {
    for (const d of r.results) d.topics = d.topics.filter((t) => !az.reserved(t.name));
  });
};

export const electLeaders: ApiHandler = (frame, az) => {
  if (az.cluster(ALTER)) return FORWARD;
  const body = frame.body(ApiKey.ElectLeaders);
  return answer(frame, ApiKey.ElectLeaders, {
    throttleTimeMs: 0,
    errorCode: frame.apiVersion >= 1 ? CLUSTER_DENIED : ErrorCode.NONE, // no top-level error code in v0
    replicaElectionResults: (body.topicPartitions ?? []).map((t) => ({
      topic: t.topic,
      partitionResult: t.partitions.map((partitionId) => ({
        partitionId,
        errorCode: CLUSTER_DENIED,
        errorMessage: clusterMessage,
      })),
    })),
  });
};

export const alterPartitionReassignments: ApiHandler = (frame, az) => {
  if (az.cluster(ALTER)) return FORWARD;
  const body = frame.body(ApiKey.AlterPartitionReassignments);
  // Refused by the KRaft controller (AuthHelper.authorizeClusterOperation), message and all.
  const message = clusterOperationMessage(frame, 'ALTER');
  return answer(frame, ApiKey.AlterPartitionReassignments, {
    throttleTimeMs: 0,
    allowReplicationFactorChange: body.allowReplicationFactorChange,
    errorCode: CLUSTER_DENIED,
    errorMessage: message,
    responses: body.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: CLUSTER_DENIED,
        errorMessage: message,
      })),
    })),
  });
};

export const alterReplicaLogDirs: ApiHandler = (frame, az) => {
  if (az.cluster(ALTER)) return FORWARD;
  const body = frame.body(ApiKey.AlterReplicaLogDirs);
  return answer(frame, ApiKey.AlterReplicaLogDirs, {
    throttleTimeMs: 0,
    results: body.dirs.flatMap((d) =>
      d.topics.map((t) => ({
        topicName: t.name,
        partitions: t.partitions.map((partitionIndex) => ({ partitionIndex, errorCode: CLUSTER_DENIED })),
      })),
    ),
  });
};

export const alterClientQuotas: ApiHandler = (frame, az) => {
  if (az.cluster(ALTER_CONFIGS)) return FORWARD;
  const body = frame.body(ApiKey.AlterClientQuotas);
  return answer(frame, ApiKey.AlterClientQuotas, {
    throttleTimeMs: 0,
    entries: body.entries.map((e) => ({
      errorCode: CLUSTER_DENIED,
      errorMessage: clusterMessage,
      entity: e.entity.map((x) => ({ entityType: x.entityType, entityName: x.entityName })),
    })),
  });
};

/** UpdateFeatures: ALTER on the cluster, refused by the KRaft controller (no per-feature results). */
export const updateFeatures: ApiHandler = (frame, az) => {
  if (az.cluster(ALTER)) return FORWARD;
  return topLevelError(frame, ApiKey.UpdateFeatures, CLUSTER_DENIED, {
    errorMessage: clusterOperationMessage(frame, 'ALTER'),
    results: [],
  });
};

/**
 * ListPartitionReassignments: DESCRIBE on the cluster, checked by the KRaft controller, which
 * refuses with ListPartitionReassignmentsRequest.getErrorResponse (each named topic echoed with
 * its partitions) and the message of AuthHelper.authorizeClusterOperation.
 */
export const listPartitionReassignments: ApiHandler = (frame, az) => {
  if (az.cluster(DESCRIBE)) return FORWARD;
  const body = frame.body(ApiKey.ListPartitionReassignments);
  return answer(frame, ApiKey.ListPartitionReassignments, {
    throttleTimeMs: 0,
    errorCode: CLUSTER_DENIED,
    errorMessage: clusterOperationMessage(frame, 'DESCRIBE'),
    topics: (body.topics ?? []).map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => ({
        partitionIndex,
        replicas: [],
        addingReplicas: [],
        removingReplicas: [],
      })),
    })),
  });
};
