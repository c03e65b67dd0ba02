/**
 * Encrypting and decrypting the records field of one partition. Batches are decoded and encoded by
 * protocol/records (decompressed, records changed, recompressed with the batch's own codec, CRC-32C
 * recomputed); everything else in a batch header is kept: base offset, offset deltas, timestamps,
 * producer id / epoch / base sequence (idempotence), the transactional and control bits, and
 * lastOffsetDelta (which can exceed the last record's delta in a compacted batch). Control batches
 * (transaction markers) and batches with nothing to change are passed on as their original bytes.
 */
import {
  BatchAttributes,
  decodeRecordBatch,
  encodeRecordBatch,
  scanBatches,
  type KafkaRecord,
} from '../../protocol/index.js';
import {
  isSealed,
  needsSealing,
  openRecord,
  sealRecord,
  envelopeOf,
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

export const CORRUPT_MESSAGE = 2;
export const UNSUPPORTED_FOR_MESSAGE_FORMAT = 43;

const isControl = (attributes: number): boolean => (attributes & BatchAttributes.control) !== 0;

/** Encrypts every record of a Produce partition under the policy's KEK. */
export async function encryptRecords(
  records: Buffer | null,
  policy: TopicPolicy,
  keys: DataKeys,
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
    throw new UnencryptableRecords(CORRUPT_MESSAGE, `corrupt record batch: ${(e as Error).message}`);
  }
  if (scan.remainder.length > 0) throw new UnencryptableRecords(CORRUPT_MESSAGE, 'truncated record batch');
  const out: Buffer[] = [];
  for (let i = 0; i < batches.length; i++) {
    const batch = batches[i];
    if (!batch)
      throw new UnencryptableRecords(
        UNSUPPORTED_FOR_MESSAGE_FORMAT,
        `message format v${scan.batches[i]!.magic} cannot be encrypted (v2 record batches only)`,
      );
    const toSeal = isControl(batch.attributes)
      ? 0
      : batch.records.filter((r) => needsSealing(r, policy.encryptHeaders)).length;
    if (toSeal === 0) {
      out.push(scan.batches[i]!.bytes);
      continue;
    }
    const key = await keys.forRecords(policy.kek, toSeal);
    const sealed: KafkaRecord[] = batch.records.map((r) => ({
      ...r,
      ...sealRecord(r, key, policy.encryptHeaders),
    }));
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
export async function decryptRecords(records: Buffer, keys: DataKeys): Promise<Decrypted> {
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
      const opened: KafkaRecord[] = [];
      let last: { ref: WrappedKeyRef; dek: Buffer } | undefined;
      for (const r of batch.records) {
        if (!isSealed(r)) {
          opened.push(r);
          continue;
        }
        const envelope = envelopeOf(r);
        const ref = envelope.key;
        // Records of one batch almost always share a data key: skip the cache lookup then.
        const same =
          last !== undefined &&
          last.ref.kekId === ref.kekId &&
          last.ref.kekVersion === ref.kekVersion &&
          last.ref.wrapped.equals(ref.wrapped);
        const dek = same ? last!.dek : await keys.unwrap(ref);
        last = { ref, dek };
        opened.push({ ...r, ...openRecord(r, dek, envelope) });
      }
      out.push(await encodeRecordBatch({ ...batch, records: opened }));
    } catch (e) {
      return { records: Buffer.concat(out), failure: { offset: raw.baseOffset, error: e as Error } };
    }
  }
  return { records: out.length === 1 ? out[0]! : Buffer.concat(out) };
}
