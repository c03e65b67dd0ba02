/**
 * Committing a consumer group's offsets from outside the group, as Kafka's admin client does for
 * alterConsumerGroupOffsets: FindCoordinator (key type group), then OffsetCommit to the coordinator
 * with generation -1 and an empty member id. The coordinator accepts such a commit only while the
 * group has no members (Empty, or unknown); otherwise it answers UNKNOWN_MEMBER_ID /
 * ILLEGAL_GENERATION and nothing is written, so a group with live consumers is never touched.
 * Whether an offset moves a group backwards is the caller's business.
 */
import { ErrorCode, errorName } from '../protocol/errors.js';
import { ApiKey } from '../protocol/generated/api-keys.js';
import { defaultFindCoordinatorRequest } from '../protocol/generated/messages.js';
import { ZERO_UUID } from '../protocol/runtime/reader.js';
import type { ClusterClient } from './cluster.js';
import { ConnectionError } from './connection.js';
import { COORDINATOR_MOVED } from './kafka-errors.js';
import { withRetries } from './retry.js';

export interface GroupOffset {
  topic: string;
  partition: number;
  offset: bigint;
}

const KEY_TYPE_GROUP = 0;
/** COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR: ask again. */

/** A group-level error answered by a coordinator. */
export class GroupCommitError extends Error {
  constructor(
    readonly code: number,
    groupId: string,
    what: string,
    readonly retriable: boolean,
  ) {
    super(`${what} group ${groupId}: ${errorName(code)}`);
    this.name = 'GroupCommitError';
  }
}

/** The node id of the group's coordinator (FindCoordinator v0–v6). */
export async function findCoordinator(cluster: ClusterClient, groupId: string): Promise<number> {
  const conn = await cluster.connectionToAny();
  const version = conn.version(ApiKey.FindCoordinator, 0, 6);
  // v0–v3 ask for one key, v4+ for a list.
  const r = await conn.request(ApiKey.FindCoordinator, version, {
    ...defaultFindCoordinatorRequest(),
    keyType: KEY_TYPE_GROUP,
    ...(version >= 4 ? { coordinatorKeys: [groupId] } : { key: groupId }),
  });
  const c = version >= 4 ? r.coordinators[0] : r;
  if (c === undefined)
    throw new GroupCommitError(ErrorCode.COORDINATOR_NOT_AVAILABLE, groupId, 'coordinator of', true);
  if (c.errorCode !== ErrorCode.NONE)
    throw new GroupCommitError(c.errorCode, groupId, 'coordinator of', COORDINATOR_MOVED.has(c.errorCode));
  return c.nodeId;
}

/**
 * Commits `offsets` (metadata "") into a group without members. Coordinator moves and lost
 * connections are retried until `retryForMs`; any other error is thrown and nothing is assumed
 * written.
 */
export async function commitGroupOffsets(
  cluster: ClusterClient,
  groupId: string,
  offsets: readonly GroupOffset[],
  retryForMs = 15_000,
): Promise<void> {
  if (offsets.length === 0) return;
  const byTopic = new Map<string, GroupOffset[]>();
  for (const o of offsets) {
    const list = byTopic.get(o.topic);
    if (list) list.push(o);
    else byTopic.set(o.topic, [o]);
  }
  await withRetries(
    {
      retryForMs,
      isRetriable: (e) => e instanceof ConnectionError || (e instanceof GroupCommitError && e.retriable),
    },
    () => commitOnce(cluster, groupId, byTopic),
  );
}

async function commitOnce(
  cluster: ClusterClient,
  groupId: string,
  byTopic: Map<string, GroupOffset[]>,
): Promise<void> {
  const nodeId = await findCoordinator(cluster, groupId);
  let conn;
  try {
    conn = await cluster.connection(nodeId);
  } catch (e) {
    // A broker this client has not seen in Metadata yet: learn the brokers, then try again.
    await cluster.refresh([]).catch(() => undefined);
    throw e instanceof ConnectionError
      ? e
      : new ConnectionError(String(e), { host: `node ${nodeId}`, port: 0 });
  }
  // v2–v9 name topics (v10 switches to topic ids).
  const version = conn.version(ApiKey.OffsetCommit, 2, 9);
  let response;
  try {
    response = await conn.request(ApiKey.OffsetCommit, version, {
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [...byTopic.entries()].map(([name, list]) => ({
        name,
        topicId: ZERO_UUID,
        partitions: list.map((o) => ({
          partitionIndex: o.partition,
          committedOffset: o.offset,
          committedLeaderEpoch: -1,
          committedMetadata: '',
        })),
      })),
    });
  } catch (e) {
    if (e instanceof ConnectionError) cluster.drop(nodeId);
    throw e;
  }
  for (const t of response.topics)
    for (const p of t.partitions)
      if (p.errorCode !== ErrorCode.NONE)
        throw new GroupCommitError(
          p.errorCode,
          groupId,
          `offset commit of ${t.name}-${p.partitionIndex} into`,
          COORDINATOR_MOVED.has(p.errorCode),
        );
}
