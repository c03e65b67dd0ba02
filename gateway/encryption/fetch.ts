/**
 * Fetch and ShareFetch: records of encrypted topics are decrypted for principals the topic's policy
 * lets read plaintext (authorization to READ was decided before). Other topics' partitions are
 * left untouched. A partition whose first batch cannot be decrypted (its KEK is missing from the
 * KMS, the KMS is down, or the ciphertext fails authentication) gets CORRUPT_MESSAGE and no
 * records: the Java consumer raises "Encountered corrupt message when fetching offset N", and the
 * gateway logs the topic, partition, offset and reason. Batches before a failing one are delivered;
 * the client's next fetch starts at the failing batch and gets the error.
 */
import type { Logger } from 'pino';
import { ApiKey, type ResponseFrame } from '../../protocol/index.js';
import type { DataKeys } from './data-keys.js';
import { failureReason, type EncryptionMetrics } from './metrics.js';
import { EncryptionPolicies } from './policy.js';
import { decryptRecords } from './record-batches.js';
import { ErrorCode } from '../../protocol/errors.js';

export interface FetchDecryptionDeps {
  policies: EncryptionPolicies;
  keys: DataKeys;
  topicName(id: string): string | undefined;
  log: Logger;
  metrics?: EncryptionMetrics;
}

interface PartitionWithRecords {
  errorCode: number;
  records: Buffer | null;
}

/** Which topics of a response this principal reads decrypted. */
export function decryptsTopic(
  deps: FetchDecryptionDeps,
  topic: string | undefined,
  principal: string,
): boolean {
  if (topic === undefined) return false;
  const policy = deps.policies.forTopic(topic);
  return policy !== undefined && EncryptionPolicies.mayDecrypt(policy, principal);
}

async function decryptPartitions(
  deps: FetchDecryptionDeps,
  topic: string,
  partitions: readonly (PartitionWithRecords & { index: number })[],
): Promise<boolean> {
  let changed = false;
  for (const p of partitions) {
    if (!p.records || p.records.length === 0) continue;
    const count = { records: 0 };
    const result = await decryptRecords(p.records, deps.keys, count);
    changed = true;
    deps.metrics?.records(topic, 'decrypt', count.records);
    if (result.failure) {
      deps.metrics?.failure(topic, 'decrypt', failureReason(result.failure.error));
      deps.log.error(
        {
          topic,
          partition: p.index,
          offset: result.failure.offset.toString(),
          err: result.failure.error.message,
        },
        'cannot decrypt fetched records; the partition is answered with CORRUPT_MESSAGE from this offset',
      );
      if (result.records.length === 0) p.errorCode = ErrorCode.CORRUPT_MESSAGE;
    }
    p.records = result.records;
  }
  return changed;
}

/** A fetched partition as both Fetch and ShareFetch responses carry it. */
interface FetchedPartition {
  partitionIndex: number;
  errorCode: number;
  records: PartitionWithRecords['records'];
}

/** Decrypts one topic's partitions in place; false when nothing in them was changed. */
async function decryptTopic(
  deps: FetchDecryptionDeps,
  topic: string | undefined,
  principal: string,
  partitions: FetchedPartition[],
): Promise<boolean> {
  if (!decryptsTopic(deps, topic, principal)) return false;
  const parts = partitions.map((p) => ({
    index: p.partitionIndex,
    errorCode: p.errorCode,
    records: p.records,
  }));
  if (!(await decryptPartitions(deps, topic!, parts))) return false;
  partitions.forEach((p, i) => {
    p.errorCode = parts[i]!.errorCode;
    p.records = parts[i]!.records;
  });
  return true;
}

export async function decryptFetchResponse(
  response: ResponseFrame,
  principal: string,
  deps: FetchDecryptionDeps,
): Promise<void> {
  const body = response.body(ApiKey.Fetch);
  let changed = false;
  for (const t of body.responses)
    if (await decryptTopic(deps, t.topic || deps.topicName(t.topicId), principal, t.partitions))
      changed = true;
  if (changed) response.setBody(ApiKey.Fetch, body);
}

/** KIP-932 share groups: same treatment for ShareFetch responses (topics by id). */
export async function decryptShareFetchResponse(
  response: ResponseFrame,
  principal: string,
  deps: FetchDecryptionDeps,
): Promise<void> {
  const body = response.body(ApiKey.ShareFetch);
  let changed = false;
  for (const t of body.responses)
    if (await decryptTopic(deps, deps.topicName(t.topicId), principal, t.partitions)) changed = true;
  if (changed) response.setBody(ApiKey.ShareFetch, body);
}
