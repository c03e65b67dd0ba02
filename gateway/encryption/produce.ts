/**
 * Produce: the records of every partition of an encrypted topic are encrypted before the request
 * goes to the broker (after authorization, so only what may be written is touched). A partition
 * that cannot be encrypted is never forwarded in plaintext: it is taken out of the request and
 * answered here with an error (CORRUPT_MESSAGE for a malformed batch, as the broker would;
 * UNKNOWN_SERVER_ERROR with a message naming the topic and KEK when the KMS fails), merged into
 * the broker's answer for the rest.
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { Logger } from 'pino';
import { ApiKey, type RequestFrame, type ResponseTypes } from '../../protocol/index.js';
import { KmsError } from '../../security/kms/index.js';
import type { DataKeys } from './data-keys.js';
import { failureReason, type EncryptionMetrics } from './metrics.js';
import type { EncryptionPolicies } from './policy.js';
import { UnencryptableRecords, encryptRecords } from './record-batches.js';

type ProduceResponse = ResponseTypes[typeof ApiKey.Produce];

export interface ProduceEncryptionDeps {
  policies: EncryptionPolicies;
  keys: DataKeys;
  /** Topic name of a topic id (Produce v13+ names topics by id). */
  topicName(id: string): string | undefined;
  log: Logger;
  metrics?: EncryptionMetrics;
}

export interface FailedPartition {
  name: string;
  topicId: string;
  index: number;
  errorCode: number;
  errorMessage: string;
}

/**
 * Encrypts the request's records in place (the frame's body is replaced when anything changed).
 * Returns the partitions that could not be encrypted (already removed from the request).
 */
export async function encryptProduceRequest(
  frame: RequestFrame,
  deps: ProduceEncryptionDeps,
): Promise<{ changed: boolean; failed: FailedPartition[] }> {
  const body = frame.body(ApiKey.Produce);
  const byId = frame.apiVersion >= 13;
  const failed: FailedPartition[] = [];
  let changed = false;
  const topicData = [];
  for (const t of body.topicData) {
    const name = byId ? deps.topicName(t.topicId) : t.name;
    if (name === undefined) {
      // Whether it must be encrypted cannot be decided: never forward it (authorization normally
      // answers unknown ids first).
      changed = true;
      for (const p of t.partitionData) {
        deps.metrics?.failure('unknown', 'encrypt', 'unknown_topic');
        failed.push({
          name: t.name,
          topicId: t.topicId,
          index: p.index,
          errorCode: ErrorCode.UNKNOWN_TOPIC_ID,
          errorMessage: `kgw does not know topic id ${t.topicId}`,
        });
      }
      continue;
    }
    const policy = deps.policies.forTopic(name);
    if (!policy) {
      topicData.push(t);
      continue;
    }
    changed = true;
    const partitionData = [];
    for (const p of t.partitionData) {
      try {
        const count = { records: 0 };
        partitionData.push({ ...p, records: await encryptRecords(p.records, policy, deps.keys, count) });
        deps.metrics?.records(name, 'encrypt', count.records);
      } catch (e) {
        deps.metrics?.failure(name, 'encrypt', failureReason(e));
        const f = failure(e, name, policy.kek);
        deps.log.error(
          { topic: name, partition: p.index, kek: policy.kek, err: f.log },
          'cannot encrypt produce',
        );
        failed.push({ name: t.name, topicId: t.topicId, index: p.index, ...f.answer });
      }
    }
    if (partitionData.length > 0) topicData.push({ ...t, partitionData });
  }
  if (changed) frame.setBody(ApiKey.Produce, { ...body, topicData });
  return { changed, failed };
}

function failure(
  e: unknown,
  topic: string,
  kek: string,
): { answer: { errorCode: number; errorMessage: string }; log: string } {
  if (e instanceof UnencryptableRecords)
    return { answer: { errorCode: e.errorCode, errorMessage: e.message }, log: e.message };
  const reason = e instanceof KmsError ? e.message : `internal error: ${(e as Error).message}`;
  return {
    answer: {
      errorCode: ErrorCode.UNKNOWN_SERVER_ERROR,
      errorMessage: `kgw cannot encrypt records for topic ${topic} (KEK "${kek}"): ${reason}`,
    },
    log: reason,
  };
}

/** Adds the partitions answered here to a Produce response, in their topics (by name or id). */
export function mergeFailedPartitions(
  response: ProduceResponse,
  failed: readonly FailedPartition[],
  byId: boolean,
): void {
  for (const f of failed) {
    const partition = {
      index: f.index,
      errorCode: f.errorCode,
      baseOffset: -1n,
      logAppendTimeMs: -1n,
      logStartOffset: -1n,
      recordErrors: [],
      errorMessage: f.errorMessage,
    };
    const topic = response.responses.find((r) => (byId ? r.topicId === f.topicId : r.name === f.name));
    if (topic) topic.partitionResponses.push(partition);
    else response.responses.push({ name: f.name, topicId: f.topicId, partitionResponses: [partition] });
  }
}
