/**
 * Builds the record batch (magic v2) the mirror writes to one target partition: records in order
 * with offset deltas 0..n-1, timestamps kept (CreateTime; deltas against the first record, so
 * out-of-order timestamps survive), key/value/header bytes copied from the fetched views into the
 * batch once. Uncompressed, like the kafkajs path before it; the broker compresses if the topic's
 * compression.type asks (the topic config is mirrored).
 *
 * The producer fields (id, epoch, base sequence) are written at encode time and can be rewritten
 * in place (`restamp`) when the producer has to take a new id and resend.
 */
import { crc32c } from '../../protocol/records/crc32c.js';
import { encodeRecordBatch, type KafkaRecord, type RecordHeader } from '../../protocol/records/batch.js';

export interface ProducerStamp {
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  /** Part of a transaction (the batch's isTransactional attribute, KIP-98): hidden from read_committed readers until its commit marker. */
  transactional?: boolean;
}

/** Byte offsets inside a v2 batch header (Kafka's DefaultRecordBatch layout). */
const CRC_OFFSET = 17;
const ATTRIBUTES_OFFSET = 21;
const PRODUCER_ID_OFFSET = 43;
const PRODUCER_EPOCH_OFFSET = 51;
const BASE_SEQUENCE_OFFSET = 53;
/** Kafka's RecordBatch.TRANSACTIONAL_FLAG_MASK. */
const TRANSACTIONAL_ATTRIBUTE = 0x10;

export class BatchBuilder {
  readonly records: KafkaRecord[] = [];
  private baseTimestamp = 0;
  private maxTimestamp = 0;

  get count(): number {
    return this.records.length;
  }

  add(timestamp: number, key: Buffer | null, value: Buffer | null, headers: RecordHeader[]): void {
    const n = this.records.length;
    if (n === 0) {
      this.baseTimestamp = timestamp;
      this.maxTimestamp = timestamp;
    } else if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    this.records.push({
      attributes: 0,
      timestampDelta: timestamp - this.baseTimestamp,
      offsetDelta: n,
      key,
      value,
      headers,
    });
  }

  encode(stamp: ProducerStamp): Promise<Buffer> {
    return encodeRecordBatch({
      baseOffset: 0n,
      partitionLeaderEpoch: -1,
      attributes: stamp.transactional === true ? TRANSACTIONAL_ATTRIBUTE : 0,
      baseTimestamp: BigInt(this.baseTimestamp),
      maxTimestamp: BigInt(this.maxTimestamp),
      producerId: stamp.producerId,
      producerEpoch: stamp.producerEpoch,
      baseSequence: stamp.baseSequence,
      records: this.records,
    });
  }
}

/** Rewrites an encoded batch's producer id, epoch and base sequence, and its CRC. */
export function restamp(batch: Buffer, stamp: ProducerStamp): void {
  batch.writeBigInt64BE(stamp.producerId, PRODUCER_ID_OFFSET);
  batch.writeInt16BE(stamp.producerEpoch, PRODUCER_EPOCH_OFFSET);
  batch.writeInt32BE(stamp.baseSequence, BASE_SEQUENCE_OFFSET);
  batch.writeUInt32BE(crc32c(batch, ATTRIBUTES_OFFSET, batch.length), CRC_OFFSET);
}

/** The sequence after `count` records from `sequence` (Kafka wraps at Int32.MAX_VALUE to 0). */
export function nextSequence(sequence: number, count: number): number {
  const next = sequence + count;
  return next > 0x7fffffff ? next - 0x80000000 : next;
}
