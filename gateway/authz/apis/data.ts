/**
 * The data path: Produce, ListOffsets, OffsetForLeaderEpoch, DeleteRecords, DescribeProducers
 * (Fetch, with its sessions, is fetch.ts). Each names topics (by name, or by id from Produce v13),
 * each topic is authorized on its own, and a partly denied request is split: the allowed topics go
 * to the broker, the denied ones are answered here with per-partition errors, merged in request
 * order.
 */
import { ErrorCode } from '../../../protocol/errors.js';
import { ApiKey } from '../../../protocol/index.js';
import { AclOperation, ResourceType } from '../../../security/acl/index.js';
import type { FilterDecision } from '../../session/client-session.js';
import type { RequestAuthz } from '../context.js';
import { splitByDecision } from '../merge.js';
import { FORWARD, answer, forwardPatched, type ApiHandler, type HandlerEnv } from '../types.js';

const { TOPIC, TRANSACTIONAL_ID } = ResourceType;
const { READ, WRITE, DESCRIBE, DELETE, CLUSTER_ACTION } = AclOperation;
export { fetch } from './fetch.js';

/** Thrown when a request must be refused by closing the connection (acks=0 produce, as Kafka). */
export class CloseConnection extends Error {
  override readonly name = 'CloseConnection';
}

/** Does any v2 batch in these records carry the transactional attribute bit? */
export function hasTransactionalBatch(records: Buffer | null): boolean {
  if (!records) return false;
  let pos = 0;
  while (pos + 23 <= records.length) {
    const length = records.readInt32BE(pos + 8);
    const magic = records.readInt8(pos + 16);
    if (magic >= 2 && (records.readInt16BE(pos + 21) & 0x10) !== 0) return true;
    if (length <= 0) break;
    pos += 12 + length;
  }
  return false;
}

/** Names of topics for a request that may name them by id; undefined = unknown id. */
export async function topicNames<T>(
  byId: boolean,
  topics: readonly T[],
  name: (t: T) => string,
  id: (t: T) => string,
  env: HandlerEnv,
  /** The operation the topics need: ids about to be refused for it are confirmed to exist first. */
  check?: { az: RequestAuthz; op: AclOperation },
): Promise<(t: T) => string | undefined> {
  if (!byId) return name;
  let names = await env.topicIds.resolve(topics.map(id));
  if (check) {
    const refused = [...names].filter(([, n]) => n !== undefined && !check.az.wouldAllow(TOPIC, n, check.op));
    if (refused.length > 0) {
      const confirmed = await env.topicIds.confirm(refused.map(([i]) => i));
      names = new Map([...names, ...confirmed]);
    }
  }
  return (t) => names.get(id(t));
}

/** The decision for one topic: undefined (allowed) or the error code to answer with. */
function topicError(az: RequestAuthz, name: string | undefined, op: AclOperation): number | undefined {
  if (name === undefined) return ErrorCode.UNKNOWN_TOPIC_ID;
  return az.can(TOPIC, name, op) ? undefined : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
}

export const produce: ApiHandler = async (frame, az, env) => {
  const body = frame.body(ApiKey.Produce);
  const byId = frame.apiVersion >= 13;
  const key = (t: { name: string; topicId: string }): string => (byId ? t.topicId : t.name);
  const partition = (index: number, errorCode: number) => ({
    index,
    errorCode,
    baseOffset: -1n,
    logAppendTimeMs: -1n,
    logStartOffset: -1n,
    recordErrors: [],
    errorMessage: null,
  });
  let txnDenied = false;
  if (body.topicData.some((t) => t.partitionData.some((p) => hasTransactionalBatch(p.records)))) {
    const id = body.transactionalId;
    txnDenied = id === null || !az.can(TRANSACTIONAL_ID, id, WRITE);
  }
  const nameOf = await topicNames(
    byId,
    body.topicData,
    (t) => t.name,
    (t) => t.topicId,
    env,
    { az, op: WRITE },
  );
  const split = splitByDecision(
    body.topicData,
    (t) => {
      const code = txnDenied
        ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
        : topicError(az, nameOf(t), WRITE);
      if (code === undefined) return undefined;
      return {
        name: t.name,
        topicId: t.topicId,
        partitionResponses: t.partitionData.map((p) => partition(p.index, code)),
      };
    },
    key,
    key,
  );
  if (split.deniedCount === 0) return FORWARD;
  if (body.acks === 0) {
    // No response is expected: Kafka closes the connection so the producer notices.
    throw new CloseConnection(`${az.principal} may not write some topics of an acks=0 produce`);
  }
  if (split.allowed.length === 0)
    return answer(frame, ApiKey.Produce, { responses: split.merge([]), throttleTimeMs: 0 });
  frame.setBody(ApiKey.Produce, { ...body, topicData: split.allowed });
  return forwardPatched(ApiKey.Produce, (r) => (r.responses = split.merge(r.responses)));
};

export const listOffsets: ApiHandler = (frame, az) => {
  const body = frame.body(ApiKey.ListOffsets);
  const split = splitByDecision(
    body.topics,
    (t) =>
      az.can(TOPIC, t.name, DESCRIBE)
        ? undefined
        : {
            name: t.name,
            partitions: t.partitions.map((p) => ({
              partitionIndex: p.partitionIndex,
              errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
              timestamp: -1n,
              offset: -1n,
              leaderEpoch: -1,
            })),
          },
    (t) => t.name,
    (t) => t.name,
  );
  if (split.deniedCount === 0) return FORWARD;
  if (split.allowed.length === 0)
    return answer(frame, ApiKey.ListOffsets, { throttleTimeMs: 0, topics: split.merge([]) });
  frame.setBody(ApiKey.ListOffsets, { ...body, topics: split.allowed });
  return forwardPatched(ApiKey.ListOffsets, (r) => (r.topics = split.merge(r.topics)));
};

export const offsetForLeaderEpoch: ApiHandler = (frame, az) => {
  // Followers use it with CLUSTER_ACTION; consumers (KIP-320) with DESCRIBE on each topic.
  if (az.cluster(CLUSTER_ACTION, false)) return FORWARD;
  const body = frame.body(ApiKey.OffsetForLeaderEpoch);
  const split = splitByDecision(
    body.topics,
    (t) =>
      az.can(TOPIC, t.topic, DESCRIBE)
        ? undefined
        : {
            topic: t.topic,
            partitions: t.partitions.map((p) => ({
              errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
              partition: p.partition,
              leaderEpoch: -1,
              endOffset: -1n,
            })),
          },
    (t) => t.topic,
    (t) => t.topic,
  );
  if (split.deniedCount === 0) return FORWARD;
  if (split.allowed.length === 0)
    return answer(frame, ApiKey.OffsetForLeaderEpoch, { throttleTimeMs: 0, topics: split.merge([]) });
  frame.setBody(ApiKey.OffsetForLeaderEpoch, { ...body, topics: split.allowed });
  return forwardPatched(ApiKey.OffsetForLeaderEpoch, (r) => (r.topics = split.merge(r.topics)));
};

export const deleteRecords: ApiHandler = (frame, az) => {
  const body = frame.body(ApiKey.DeleteRecords);
  const split = splitByDecision(
    body.topics,
    (t) =>
      az.can(TOPIC, t.name, DELETE)
        ? undefined
        : {
            name: t.name,
            partitions: t.partitions.map((p) => ({
              partitionIndex: p.partitionIndex,
              lowWatermark: -1n,
              errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
            })),
          },
    (t) => t.name,
    (t) => t.name,
  );
  if (split.deniedCount === 0) return FORWARD;
  if (split.allowed.length === 0)
    return answer(frame, ApiKey.DeleteRecords, { throttleTimeMs: 0, topics: split.merge([]) });
  frame.setBody(ApiKey.DeleteRecords, { ...body, topics: split.allowed });
  return forwardPatched(ApiKey.DeleteRecords, (r) => (r.topics = split.merge(r.topics)));
};

export const describeProducers: ApiHandler = (frame, az) => {
  const body = frame.body(ApiKey.DescribeProducers);
  const split = splitByDecision(
    body.topics,
    (t) =>
      az.can(TOPIC, t.name, READ)
        ? undefined
        : {
            name: t.name,
            partitions: t.partitionIndexes.map((partitionIndex) => ({
              partitionIndex,
              errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
              errorMessage: null,
              activeProducers: [],
            })),
          },
    (t) => t.name,
    (t) => t.name,
  );
  if (split.deniedCount === 0) return FORWARD;
  if (split.allowed.length === 0)
    return answer(frame, ApiKey.DescribeProducers, { throttleTimeMs: 0, topics: split.merge([]) });
  frame.setBody(ApiKey.DescribeProducers, { ...body, topics: split.allowed });
  return forwardPatched(ApiKey.DescribeProducers, (r) => (r.topics = split.merge(r.topics)));
};

export type { FilterDecision };
