/**
 * Transactions and idempotence: WRITE on the transactional id (and READ on the group for
 * transactional offset commits), IDEMPOTENT_WRITE on the cluster or WRITE on any topic for an
 * idempotent producer id, DESCRIBE on transactional ids to look at them.
 */
import { ErrorCode } from '../../../protocol/errors.js';
import { ApiKey } from '../../../protocol/index.js';
import { AclOperation, ResourceType } from '../../../security/acl/index.js';
import { splitByDecision } from '../merge.js';
import { FORWARD, answer, forwardPatched, type ApiHandler } from '../types.js';
import { topLevelError } from './groups.js';

const { TOPIC, GROUP, TRANSACTIONAL_ID, CLUSTER } = ResourceType;
const { READ, WRITE, DESCRIBE, IDEMPOTENT_WRITE, CLUSTER_ACTION, TWO_PHASE_COMMIT } = AclOperation;

export const initProducerId: ApiHandler = (frame, az) => {
  const body = frame.body(ApiKey.InitProducerId);
  let code: number | undefined;
  if (body.transactionalId !== null) {
    // KafkaApis.handleInitProducerIdRequest: WRITE, then (KIP-939, v6+) TWO_PHASE_COMMIT for a
    // producer that asks for two-phase commit — its transactions outlive the producer and its
    // timeout, holding back read_committed consumers until someone commits or aborts them.
    if (
      !az.can(TRANSACTIONAL_ID, body.transactionalId, WRITE) ||
      (body.enable2Pc && !az.can(TRANSACTIONAL_ID, body.transactionalId, TWO_PHASE_COMMIT))
    )
      code = ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
  } else if (!az.cluster(IDEMPOTENT_WRITE) && !az.canAny(TOPIC, WRITE)) {
    code = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
  }
  if (code === undefined) return FORWARD;
  return answer(frame, ApiKey.InitProducerId, {
    throttleTimeMs: 0,
    errorCode: code,
    producerId: -1n,
    producerEpoch: -1,
    ongoingTxnProducerId: -1n,
    ongoingTxnProducerEpoch: -1,
  });
};

export const addPartitionsToTxn: ApiHandler = (frame, az) => {
  const body = frame.body(ApiKey.AddPartitionsToTxn);
  if (frame.apiVersion >= 4) {
    // The batched versions are the brokers' (transaction verification): CLUSTER_ACTION.
    az.denied(CLUSTER, 'kafka-cluster', CLUSTER_ACTION);
    return topLevelError(frame, ApiKey.AddPartitionsToTxn, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
  }
  const all = (code: (topic: string) => number) =>
    answer(frame, ApiKey.AddPartitionsToTxn, {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      resultsByTransaction: [],
      resultsByTopicV3AndBelow: body.v3AndBelowTopics.map((t) => ({
        name: t.name,
        resultsByPartition: t.partitions.map((partitionIndex) => ({
          partitionIndex,
          partitionErrorCode: code(t.name),
        })),
      })),
    });
  if (!az.can(TRANSACTIONAL_ID, body.v3AndBelowTransactionalId, WRITE))
    return all(() => ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  const denied = new Set(
    body.v3AndBelowTopics.filter((t) => !az.can(TOPIC, t.name, WRITE)).map((t) => t.name),
  );
  if (denied.size === 0) return FORWARD;
  // Kafka adds none of the partitions when any topic is refused; the others are "not attempted".
  return all((topic) =>
    denied.has(topic) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.OPERATION_NOT_ATTEMPTED,
  );
};

export const addOffsetsToTxn: ApiHandler = (frame, az) => {
  const body = frame.body(ApiKey.AddOffsetsToTxn);
  if (!az.can(TRANSACTIONAL_ID, body.transactionalId, WRITE))
    return answer(frame, ApiKey.AddOffsetsToTxn, {
      throttleTimeMs: 0,
      errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
    });
  if (!az.can(GROUP, body.groupId, READ))
    return answer(frame, ApiKey.AddOffsetsToTxn, {
      throttleTimeMs: 0,
      errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
    });
  return FORWARD;
};

export const endTxn: ApiHandler = (frame, az) => {
  const body = frame.body(ApiKey.EndTxn);
  if (az.can(TRANSACTIONAL_ID, body.transactionalId, WRITE)) return FORWARD;
  return answer(frame, ApiKey.EndTxn, {
    throttleTimeMs: 0,
    errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
    producerId: -1n,
    producerEpoch: -1,
  });
};

export const txnOffsetCommit: ApiHandler = (frame, az) => {
  const body = frame.body(ApiKey.TxnOffsetCommit);
  const errorTopic = (t: (typeof body.topics)[number], errorCode: number) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
  });
  const whole = (code: number) =>
    answer(frame, ApiKey.TxnOffsetCommit, {
      throttleTimeMs: 0,
      topics: body.topics.map((t) => errorTopic(t, code)),
    });
  if (!az.can(TRANSACTIONAL_ID, body.transactionalId, WRITE))
    return whole(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  if (!az.can(GROUP, body.groupId, READ)) return whole(ErrorCode.GROUP_AUTHORIZATION_FAILED);
  const split = splitByDecision(
    body.topics,
    (t) => (az.can(TOPIC, t.name, READ) ? undefined : errorTopic(t, ErrorCode.TOPIC_AUTHORIZATION_FAILED)),
    (t) => t.name,
    (t) => t.name,
  );
  if (split.deniedCount === 0) return FORWARD;
  if (split.allowed.length === 0)
    return answer(frame, ApiKey.TxnOffsetCommit, { throttleTimeMs: 0, topics: split.merge([]) });
  frame.setBody(ApiKey.TxnOffsetCommit, { ...body, topics: split.allowed });
  return forwardPatched(ApiKey.TxnOffsetCommit, (r) => (r.topics = split.merge(r.topics)));
};

export const describeTransactions: ApiHandler = (frame, az) => {
  const body = frame.body(ApiKey.DescribeTransactions);
  const split = splitByDecision(
    body.transactionalIds,
    (id) =>
      az.can(TRANSACTIONAL_ID, id, DESCRIBE)
        ? undefined
        : {
            errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
            transactionalId: id,
            transactionState: '',
            transactionTimeoutMs: 0,
            // Kafka sets the code only; the rest keep the message's defaults (zeros).
            transactionStartTimeMs: 0n,
            producerId: 0n,
            producerEpoch: 0,
            topics: [],
          },
    (id) => id,
    (r) => r.transactionalId,
  );
  if (split.allowed.length === 0)
    return answer(frame, ApiKey.DescribeTransactions, {
      throttleTimeMs: 0,
      transactionStates: split.merge([]),
    });
  if (split.deniedCount > 0) frame.setBody(ApiKey.DescribeTransactions, { transactionalIds: split.allowed });
  return forwardPatched(ApiKey.DescribeTransactions, (r) => {
    // Only partitions of topics the client may DESCRIBE are shown.
    for (const s of r.transactionStates)
      s.topics = s.topics.filter((t) => az.can(TOPIC, t.topic, DESCRIBE, false));
    r.transactionStates = split.merge(r.transactionStates);
  });
};

export const listTransactions: ApiHandler = (_frame, az) =>
  forwardPatched(ApiKey.ListTransactions, (r) => {
    r.transactionStates = r.transactionStates.filter((s) =>
      az.can(TRANSACTIONAL_ID, s.transactionalId, DESCRIBE, false),
    );
  });
