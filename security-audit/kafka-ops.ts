/**
 * The few Kafka operations the audit performs besides its probes (create and delete topics, write
 * one record, commit an offset, grant and revoke ACLs, delete groups), on the generated codec.
 * Requests that must reach a partition leader or a group coordinator go through `NodeRouter`,
 * which opens at most one connection per broker address.
 */
import { ErrorCode, errorName } from '../protocol/errors.js';
import { ApiKey } from '../protocol/generated/api-keys.js';
import { ZERO_UUID } from '../protocol/runtime/reader.js';
import { encodeRecordBatch } from '../protocol/records/index.js';
import { COORDINATOR_MOVED } from '../client/kafka-errors.js';
import { withRetries } from '../client/retry.js';
import type { AuditConnection } from './connection.js';
import type { AclSpec } from './context.js';
import { describeByName } from './discovery.js';
import { formatAddress, type Address } from './net.js';

export const RESOURCE = { TOPIC: 2, GROUP: 3, CLUSTER: 4 } as const;
export const OPERATION = { ANY: 1, READ: 3, WRITE: 4, CREATE: 5, DESCRIBE: 8 } as const;
export const PERMISSION = { ANY: 1, ALLOW: 3 } as const;
export const PATTERN = { LITERAL: 3, PREFIXED: 4 } as const;
const KEY_TYPE_GROUP = 0;
/** COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR. */

export class KafkaOpError extends Error {
  constructor(
    what: string,
    readonly code: number,
    message?: string | null,
  ) {
    super(`${what}: ${errorName(code)}${message ? ` (${message})` : ''}`);
    this.name = 'KafkaOpError';
  }
}

/** Connections to specific brokers (leaders, coordinators), one per address, opened on demand. */
export class NodeRouter {
  private readonly byAddress = new Map<string, Promise<AuditConnection>>();

  constructor(
    readonly bootstrap: AuditConnection,
    private readonly open: (address: Address) => Promise<AuditConnection>,
  ) {
    this.byAddress.set(formatAddress(bootstrap.inner.address), Promise.resolve(bootstrap));
  }

  to(address: Address): Promise<AuditConnection> {
    const key = formatAddress(address);
    let c = this.byAddress.get(key);
    if (!c) {
      c = this.open(address);
      this.byAddress.set(key, c);
      c.catch(() => this.byAddress.delete(key));
    }
    return c;
  }
}

export async function createTopics(
  conn: AuditConnection,
  names: string[],
  validateOnly = false,
): Promise<Map<string, { code: number; message: string | null; id: string }>> {
  const v = conn.version(ApiKey.CreateTopics, 2, 7);
  const r = await conn.request(ApiKey.CreateTopics, v, {
    topics: names.map((name) => ({
      name,
      numPartitions: 1,
      replicationFactor: -1,
      assignments: [],
      configs: [],
    })),
    timeoutMs: 10_000,
    validateOnly,
  });
  return new Map(
    r.topics.map((t) => [t.name, { code: t.errorCode, message: t.errorMessage, id: t.topicId }]),
  );
}

export async function deleteTopics(conn: AuditConnection, names: string[]): Promise<Map<string, number>> {
  if (names.length === 0) return new Map();
  const v = conn.version(ApiKey.DeleteTopics, 1, 5);
  // v1–v5 name topics in topicNames, v6+ in topics (which may carry ids instead).
  const r = await conn.request(ApiKey.DeleteTopics, v, {
    topics: v >= 6 ? names.map((name) => ({ name, topicId: ZERO_UUID })) : [],
    topicNames: v < 6 ? names : [],
    timeoutMs: 10_000,
  });
  return new Map(r.responses.map((t) => [t.name ?? '', t.errorCode]));
}

/** The leader's address of partition 0 once it has one (polled for up to `withinMs`). */
export async function leaderOf(conn: AuditConnection, topic: string, withinMs: number): Promise<Address> {
  return withRetries({ retryForMs: withinMs, isRetriable: (e) => e instanceof KafkaOpError }, async () => {
    const v = conn.version(ApiKey.Metadata, 4, 12);
    const m = await conn.request(ApiKey.Metadata, v, {
      topics: [{ topicId: ZERO_UUID, name: topic }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    const leader = m.topics[0]?.partitions.find((p) => p.partitionIndex === 0)?.leaderId ?? -1;
    const broker = m.brokers.find((b) => b.nodeId === leader);
    if (!broker)
      throw new KafkaOpError(`leader of ${topic}`, m.topics[0]?.errorCode || ErrorCode.LEADER_NOT_AVAILABLE);
    return { host: broker.host, port: broker.port };
  });
}

/** UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE, NOT_LEADER_OR_FOLLOWER: a new topic's leader is not settled yet. */
const LEADER_MOVING = new Set<number>([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
]);

/**
 * Writes one record to partition 0 of a new topic (acks=all) at its leader, retrying while the
 * leadership settles; returns its offset.
 */
export async function produceToNewTopic(
  router: NodeRouter,
  topic: string,
  value: string,
  withinMs: number,
): Promise<bigint> {
  return withRetries(
    { retryForMs: withinMs, isRetriable: (e) => e instanceof KafkaOpError && LEADER_MOVING.has(e.code) },
    async () => produceOne(await router.to(await leaderOf(router.bootstrap, topic, withinMs)), topic, value),
  );
}

/** Writes one record to partition 0 (acks=all); returns its offset. */
export async function produceOne(conn: AuditConnection, topic: string, value: string): Promise<bigint> {
  const now = BigInt(Date.now());
  const records = await encodeRecordBatch({
    baseOffset: 0n,
    partitionLeaderEpoch: -1,
    attributes: 0,
    baseTimestamp: now,
    maxTimestamp: now,
    producerId: -1n,
    producerEpoch: -1,
    baseSequence: -1,
    records: [
      { attributes: 0, timestampDelta: 0, offsetDelta: 0, key: null, value: Buffer.from(value), headers: [] },
    ],
  });
  const v = conn.version(ApiKey.Produce, 3, 12);
  const r = await conn.request(ApiKey.Produce, v, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 10_000,
    topicData: [{ name: topic, topicId: ZERO_UUID, partitionData: [{ index: 0, records }] }],
  });
  const p = r.responses[0]?.partitionResponses[0];
  if (!p || p.errorCode !== ErrorCode.NONE)
    throw new KafkaOpError(`produce to ${topic}`, p?.errorCode ?? -1, p?.errorMessage);
  return p.baseOffset;
}

/** FindCoordinator for a group: v0–v3 carry one key, v4+ a list (each field only in its versions). */
export const findGroupCoordinatorBody = (version: number, groupId: string) => ({
  key: version < 4 ? groupId : '',
  keyType: KEY_TYPE_GROUP,
  coordinatorKeys: version >= 4 ? [groupId] : [],
});

/** The coordinator's address for a group (FindCoordinator, retried while it is being loaded). */
export async function coordinatorOf(
  conn: AuditConnection,
  groupId: string,
  withinMs: number,
): Promise<Address> {
  return withRetries(
    { retryForMs: withinMs, isRetriable: (e) => e instanceof KafkaOpError && COORDINATOR_MOVED.has(e.code) },
    async () => {
      const v = conn.version(ApiKey.FindCoordinator, 1, 6);
      const r = await conn.request(ApiKey.FindCoordinator, v, findGroupCoordinatorBody(v, groupId));
      const c = v >= 4 ? r.coordinators[0] : r;
      if (!c || c.errorCode !== ErrorCode.NONE)
        throw new KafkaOpError(`coordinator of group ${groupId}`, c?.errorCode ?? 15, c?.errorMessage);
      return { host: c.host, port: c.port };
    },
  );
}

/** Commits offset `offset` of `topic`-0 into a group without members (generation -1), as the admin client does. */
export async function commitOffset(
  router: NodeRouter,
  o: { groupId: string; topic: string; offset: bigint; withinMs: number },
): Promise<void> {
  await withRetries(
    {
      retryForMs: o.withinMs,
      isRetriable: (e) => e instanceof KafkaOpError && COORDINATOR_MOVED.has(e.code),
    },
    async () => {
      const conn = await router.to(await coordinatorOf(router.bootstrap, o.groupId, o.withinMs));
      const v = conn.version(ApiKey.OffsetCommit, 2, 9);
      const r = await conn.request(ApiKey.OffsetCommit, v, {
        groupId: o.groupId,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        retentionTimeMs: -1n,
        topics: [
          {
            name: o.topic,
            topicId: ZERO_UUID,
            partitions: [
              {
                partitionIndex: 0,
                committedOffset: o.offset,
                committedLeaderEpoch: -1,
                committedMetadata: '',
              },
            ],
          },
        ],
      });
      const code = r.topics[0]?.partitions[0]?.errorCode ?? -1;
      if (code !== ErrorCode.NONE) throw new KafkaOpError(`offset commit into group ${o.groupId}`, code);
    },
  );
}

/** Deletes groups at their coordinators; returns the error code per group. */
export async function deleteGroups(
  router: NodeRouter,
  groups: string[],
  withinMs: number,
): Promise<Map<string, number>> {
  const codes = new Map<string, number>();
  for (const g of groups) {
    try {
      const conn = await router.to(await coordinatorOf(router.bootstrap, g, withinMs));
      const r = await conn.request(ApiKey.DeleteGroups, conn.version(ApiKey.DeleteGroups, 0, 2), {
        groupsNames: [g],
      });
      codes.set(g, r.results[0]?.errorCode ?? -1);
    } catch (e) {
      codes.set(g, e instanceof KafkaOpError ? e.code : ErrorCode.UNKNOWN_SERVER_ERROR);
    }
  }
  return codes;
}

/** Grants the bindings; SECURITY_DISABLED (no authorizer) is returned, other errors thrown. */
export async function createAcls(conn: AuditConnection, acls: AclSpec[]): Promise<number> {
  const v = conn.version(ApiKey.CreateAcls, 1, 3);
  const r = await conn.request(ApiKey.CreateAcls, v, {
    creations: acls.map((a) => ({
      resourceType: a.resourceType,
      resourceName: a.resourceName,
      resourcePatternType: a.patternType,
      principal: a.principal,
      host: a.host,
      operation: a.operation,
      permissionType: a.permissionType,
    })),
  });
  for (const x of r.results) {
    if (x.errorCode === ErrorCode.SECURITY_DISABLED) return ErrorCode.SECURITY_DISABLED;
    if (x.errorCode !== ErrorCode.NONE) throw new KafkaOpError('CreateAcls', x.errorCode, x.errorMessage);
  }
  return ErrorCode.NONE;
}

/** Removes exactly these bindings; returns how many the endpoint deleted. */
export async function deleteAcls(conn: AuditConnection, acls: AclSpec[]): Promise<number> {
  if (acls.length === 0) return 0;
  const v = conn.version(ApiKey.DeleteAcls, 1, 3);
  const r = await conn.request(ApiKey.DeleteAcls, v, {
    filters: acls.map((a) => ({
      resourceTypeFilter: a.resourceType,
      resourceNameFilter: a.resourceName,
      patternTypeFilter: a.patternType,
      principalFilter: a.principal,
      hostFilter: a.host,
      operation: a.operation,
      permissionType: a.permissionType,
    })),
  });
  return r.filterResults.reduce((n, f) => n + f.matchingAcls.length, 0);
}

/** Whether a topic exists, asked by someone allowed to describe it (UNKNOWN_TOPIC → false). */
export async function topicExists(conn: AuditConnection, name: string): Promise<boolean> {
  const code = (await describeByName(conn, [name])).get(name);
  return code === ErrorCode.NONE;
}
