/**
 * Encrypting and decrypting the records field of one partition. Batches are decoded and encoded by
 * protocol/records (decompressed, records changed, recompressed with the batch's own codec, CRC-32C
 * recomputed); everything else in a batch header is kept: base offset, offset deltas, timestamps,
 * producer id / epoch / base sequence (idempotence), the transactional and control bits, and
 * lastOffsetDelta (which can exceed the last record's delta in a compacted batch). Control batches
 * (transaction markers) and batches with nothing to change are passed on as their original bytes.
 */
import { ErrorCode } from '../../protocol/errors.js';
import {
  BatchAttributes,
  decodeRecordBatch,
  encodeRecordBatch,
  scanBatches,
  type KafkaRecord,
} from '../../protocol/index.js';
import {
  envelopeAfter,
  isSealed,
  needsSealing,
  openRecords,
  sealRecords,
  type Envelope,
  type WrappedKeyRef,
} from '../../security/encryption/index.js';
import type { DataKeys } from './data-keys.js';
import type { TopicPolicy } from './policy.js';

/** A produce batch the gateway cannot encrypt; `errorCode` is the Kafka error for the partition. */
export class UnencryptableRecords extends Error {
  override readonly name = 'UnencryptableRecords';
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

const isControl = (attributes: number): boolean => (attributes & BatchAttributes.control) !== 0;

/** Records changed by encryptRecords / decryptRecords (added to, for metrics). */
export interface RecordCount {
  records: number;
}

/** Encrypts every record of a Produce partition under the policy's KEK. */
export async function encryptRecords(
  records: Buffer | null,
  policy: TopicPolicy,
  keys: DataKeys,
  count: RecordCount = { records: 0 },
): Promise<Buffer | null> {
  if (records === null || records.length === 0) return records;
  let scan;
  let batches;
  try {
    scan = scanBatches(records);
    batches = await Promise.all(
      scan.batches.map((b) => (b.magic === 2 ? decodeRecordBatch(b.bytes) : Promise.resolve(undefined))),
    );
  } catch (e) {
    throw new UnencryptableRecords(
      ErrorCode.CORRUPT_MESSAGE,
      `corrupt record batch: ${(e as Error).message}`,
    );
  }
  if (scan.remainder.length > 0)
    throw new UnencryptableRecords(ErrorCode.CORRUPT_MESSAGE, 'truncated record batch');
  const out: Buffer[] = [];
  for (let i = 0; i < batches.length; i++) {
    const batch = batches[i];
    if (!batch)
      throw new UnencryptableRecords(
        ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
        `message format v${scan.batches[i]!.magic} cannot be encrypted (v2 record batches only)`,
      );
    let toSeal = 0;
    if (!isControl(batch.attributes))
      for (const r of batch.records) if (needsSealing(r, policy.encryptHeaders)) toSeal++;
    if (toSeal === 0) {
      out.push(scan.batches[i]!.bytes);
      continue;
    }
    const key = await keys.forRecords(policy.kek, toSeal);
    let sealed;
    try {
      sealed = sealRecords(batch.records, key, policy.encryptHeaders);
    } finally {
      key.release(); // a key rotated out meanwhile is wiped once its last batch is sealed
    }
    count.records += toSeal;
    out.push(await encodeRecordBatch({ ...batch, records: sealed }));
  }
  return out.length === 1 ? out[0]! : Buffer.concat(out);
}

export interface Decrypted {
  /** The records field to send: decrypted batches up to (not including) a failed one. */
  records: Buffer;
  /** Why the batch at `offset` (and everything after it) could not be decrypted. */
  failure?: { offset: bigint; error: Error };
}

/**
 * Decrypts the encrypted records of a Fetch partition. Stops at the first batch that cannot be
 * decrypted (missing KEK, failed authentication, corrupt batch): nothing from it or after it is
 * passed on, so ciphertext is never handed out as if it were the record's plaintext. A trailing
 * partial batch (brokers cut the last one at the fetch size) is dropped: clients ignore it anyway.
 */
export async function decryptRecords(
  records: Buffer,
  keys: DataKeys,
  count: RecordCount = { records: 0 },
): Promise<Decrypted> {
  const scan = scanBatches(records);
  const out: Buffer[] = [];
  for (const raw of scan.batches) {
    if (raw.magic !== 2) {
      out.push(raw.bytes);
      continue;
    }
    try {
      const batch = await decodeRecordBatch(raw.bytes);
      if (isControl(batch.attributes) || !batch.records.some(isSealed)) {
        out.push(raw.bytes);
        continue;
      }
      const opened = await openBatchRecords(batch.records, keys);
      out.push(await encodeRecordBatch({ ...batch, records: opened.records }));
      count.records += opened.count;
    } catch (e) {
      return { records: Buffer.concat(out), failure: { offset: raw.baseOffset, error: e as Error } };
    }
  }
  return { records: out.length === 1 ? out[0]! : Buffer.concat(out) };
}

const sameKey = (a: WrappedKeyRef, b: WrappedKeyRef): boolean =>
  a.kekVersion === b.kekVersion && a.kekId === b.kekId && a.wrapped.equals(b.wrapped);

/**
 * Opens the sealed records of one batch; the others are kept. Records of a batch almost always
 * share one data key (one producer batch is sealed under one DEK): each run of records under the
 * same key is unwrapped once and opened in one engine call.
 */
async function openBatchRecords(
  records: KafkaRecord[],
  keys: DataKeys,
): Promise<{ records: KafkaRecord[]; count: number }> {
  const result = records.slice();
  let count = 0;
  let run: { ref: WrappedKeyRef; at: number[]; envelopes: Envelope[] } | undefined;
  const flush = async (): Promise<void> => {
    if (!run) return;
    const { at, envelopes } = run;
    const members = at.map((i) => records[i]!);
    const opened = await keys.withDataKey(run.ref, (dek) => openRecords(members, dek, envelopes));
    at.forEach((i, k) => (result[i] = opened[k]!));
    count += opened.length;
    run = undefined;
  };
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (!isSealed(r)) continue;
    // Records of one run share the key object when parsed `like` the run's last envelope.
    const envelope = envelopeAfter(r, run?.envelopes[run.envelopes.length - 1]);
    if (run && envelope.key !== run.ref && !sameKey(run.ref, envelope.key)) await flush();
    run ??= { ref: envelope.key, at: [], envelopes: [] };
    run.at.push(i);
    run.envelopes.push(envelope);
  }
  await flush();
  return { records: result, count };
}
