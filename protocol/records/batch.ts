// Kafka record batches (magic v2) and recognition of legacy message sets (magic 0/1).
//
// A `records` field holds a sequence of log entries, each starting with
//   baseOffset int64 | length int32 (bytes after this field) | ... | magic int8 at byte 16
// so entries can be walked without decoding them (scanBatches); v2 batches are fully decoded and
// encoded here, legacy entries are only recognised and passed through untouched.
import { KafkaCodecError } from '../runtime/errors.js';
import { Reader } from '../runtime/reader.js';
import { Writer } from '../runtime/writer.js';
import { compress, decompress } from './compression.js';
import { crc32c } from './crc32c.js';

/** Bytes of a v2 batch header up to and including the record count. */
export const BATCH_HEADER_SIZE = 61;
const LOG_OVERHEAD = 12; // baseOffset + length
const CRC_OFFSET = 17;
const ATTRIBUTES_OFFSET = 21;

export const BatchAttributes = {
  compressionMask: 0x07,
  timestampTypeLogAppend: 0x08,
  transactional: 0x10,
  control: 0x20,
  deleteHorizon: 0x40,
} as const;

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface KafkaRecord {
  attributes: number;
  timestampDelta: number;
  offsetDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface RecordBatch {
  magic: 2;
  baseOffset: bigint;
  partitionLeaderEpoch: number;
  /** CRC-32C as read (decode) — recomputed on encode. */
  crc: number;
  /** Bits 0-2 compression, 3 timestamp type, 4 transactional, 5 control, 6 delete horizon. */
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  records: KafkaRecord[];
}

/** A magic 0/1 entry, recognised but not decoded; re-encoded as exactly these bytes. */
export interface LegacyEntry {
  magic: 0 | 1;
  baseOffset: bigint;
  bytes: Buffer;
}

/** One log entry found by scanBatches: its magic and the exact bytes (a view). */
export interface RawBatch {
  magic: number;
  baseOffset: bigint;
  bytes: Buffer;
}

export interface ScanResult {
  batches: RawBatch[];
  /** A trailing partial entry (brokers may cut the last batch of a fetch at max bytes). */
  remainder: Buffer;
}

function corrupt(msg: string): KafkaCodecError {
  return new KafkaCodecError('CORRUPT_RECORD_BATCH', msg);
}

export function compressionOf(attributes: number): number {
  return attributes & BatchAttributes.compressionMask;
}

/** Walks the entries of a records field without decompressing or copying anything. */
export function scanBatches(records: Buffer | null): ScanResult {
  const batches: RawBatch[] = [];
  if (records === null) return { batches, remainder: Buffer.alloc(0) };
  let p = 0;
  const end = records.length;
  while (end - p >= LOG_OVERHEAD + 5) {
    const length = records.readInt32BE(p + 8);
    const magic = records.readInt8(p + 16);
    if (length < 5) throw corrupt(`log entry length ${length} is too small`);
    if (magic < 0 || magic > 2) throw corrupt(`unknown magic ${magic}`);
    if (magic === 2 && length + LOG_OVERHEAD < BATCH_HEADER_SIZE)
      throw corrupt(`batch length ${length} is too small`);
    if (end - p - LOG_OVERHEAD < length) break;
    const size = LOG_OVERHEAD + length;
    batches.push({ magic, baseOffset: records.readBigInt64BE(p), bytes: records.subarray(p, p + size) });
    p += size;
  }
  return { batches, remainder: records.subarray(p) };
}

/** The header fields of a v2 batch a reader needs before (or instead of) decoding its records. */
export interface BatchHeader {
  baseOffset: bigint;
  lastOffset: bigint;
  attributes: number;
  /** -1 when the batch was written without a producer id. */
  producerId: bigint;
}

/** Reads a v2 batch's header fields (the exact bytes of the batch, as from scanBatches). */
export function batchHeader(bytes: Buffer): BatchHeader {
  if (bytes.length < BATCH_HEADER_SIZE) throw corrupt('record batch shorter than its header');
  const baseOffset = bytes.readBigInt64BE(0);
  return {
    baseOffset,
    lastOffset: baseOffset + BigInt(bytes.readInt32BE(23)),
    attributes: bytes.readInt16BE(ATTRIBUTES_OFFSET),
    producerId: bytes.readBigInt64BE(43),
  };
}

/** Control record types (Kafka's ControlRecordType): the key is {version int16, type int16}. */
export const ControlRecordType = { abort: 0, commit: 1 } as const;

/** The type of a control batch's marker (ControlRecordType), or -1 when it has no readable key. */
export function controlRecordType(batch: RecordBatch): number {
  const key = batch.records[0]?.key;
  return key === null || key === undefined || key.length < 4 ? -1 : key.readInt16BE(2);
}

export interface DecodeBatchOptions {
  /** Verify each v2 batch's CRC-32C (default true). */
  verifyCrc?: boolean;
  /** Upper bound on the uncompressed size of one batch's records (default 128 MiB). */
  maxUncompressedBytes?: number;
}

/** Decodes one v2 batch (the exact bytes of the batch, as from scanBatches). */
export async function decodeRecordBatch(bytes: Buffer, opts: DecodeBatchOptions = {}): Promise<RecordBatch> {
  if (bytes.length < BATCH_HEADER_SIZE) throw corrupt('record batch shorter than its header');
  if (bytes.readInt8(16) !== 2) throw corrupt(`magic ${bytes.readInt8(16)} is not a v2 batch`);
  if (bytes.readInt32BE(8) + LOG_OVERHEAD !== bytes.length)
    throw corrupt('batch length does not match its bytes');
  const crc = bytes.readUInt32BE(CRC_OFFSET);
  if (opts.verifyCrc !== false) {
    const actual = crc32c(bytes, ATTRIBUTES_OFFSET, bytes.length);
    if (actual !== crc) {
      throw new KafkaCodecError(
        'CRC_MISMATCH',
        `batch CRC ${crc.toString(16)} != computed ${actual.toString(16)}`,
      );
    }
  }
  const attributes = bytes.readInt16BE(ATTRIBUTES_OFFSET);
  const count = bytes.readInt32BE(57);
  const payload = await decompress(
    compressionOf(attributes),
    bytes.subarray(BATCH_HEADER_SIZE),
    opts.maxUncompressedBytes ?? 128 * 1024 * 1024,
  );
  if (count < 0 || count > payload.length) throw corrupt(`record count ${count} does not fit the batch`);
  const r = new Reader(payload);
  const records: KafkaRecord[] = [];
  try {
    for (let i = 0; i < count; i++) records.push(readRecord(r));
  } catch (e) {
    if (e instanceof KafkaCodecError && e.code !== 'CORRUPT_RECORD_BATCH')
      throw corrupt(`bad record: ${e.message}`);
    throw e;
  }
  if (r.remaining() !== 0) throw corrupt(`${r.remaining()} bytes after the last record`);
  return {
    magic: 2,
    baseOffset: bytes.readBigInt64BE(0),
    partitionLeaderEpoch: bytes.readInt32BE(12),
    crc,
    attributes,
    lastOffsetDelta: bytes.readInt32BE(23),
    baseTimestamp: bytes.readBigInt64BE(27),
    maxTimestamp: bytes.readBigInt64BE(35),
    producerId: bytes.readBigInt64BE(43),
    producerEpoch: bytes.readInt16BE(51),
    baseSequence: bytes.readInt32BE(53),
    records,
  };
}

function readRecord(r: Reader): KafkaRecord {
  const length = r.varint();
  if (length < 0 || length > r.remaining()) throw corrupt(`record length ${length} exceeds the data left`);
  const outer = r.end;
  const end = r.pos + length;
  r.end = end;
  const attributes = r.int8();
  const timestampDelta = r.varlongNumber();
  const offsetDelta = r.varint();
  const key = varBytes(r);
  const value = varBytes(r);
  const n = r.varint();
  if (n < 0 || n > r.remaining()) throw corrupt(`header count ${n} exceeds the data left`);
  const headers: RecordHeader[] = [];
  for (let i = 0; i < n; i++) {
    const kl = r.varint();
    if (kl < 0) throw corrupt('null header key');
    const kb = r.raw(kl);
    headers.push({ key: kb.toString('utf8'), value: varBytes(r) });
  }
  if (r.pos !== end) throw corrupt(`record has ${end - r.pos} unread bytes`);
  r.end = outer;
  return { attributes, timestampDelta, offsetDelta, key, value, headers };
}

function varBytes(r: Reader): Buffer | null {
  const n = r.varint();
  return n < 0 ? null : r.raw(n);
}

/** Decodes every entry of a records field: v2 batches fully, legacy entries as raw bytes. */
export async function decodeRecords(
  records: Buffer | null,
  opts: DecodeBatchOptions = {},
): Promise<{ batches: (RecordBatch | LegacyEntry)[]; remainder: Buffer }> {
  const scan = scanBatches(records);
  const batches: (RecordBatch | LegacyEntry)[] = [];
  for (const b of scan.batches) {
    if (b.magic === 2) batches.push(await decodeRecordBatch(b.bytes, opts));
    else batches.push({ magic: b.magic as 0 | 1, baseOffset: b.baseOffset, bytes: b.bytes });
  }
  return { batches, remainder: scan.remainder };
}

// ---------- encoding ----------

export type RecordBatchInput = Omit<RecordBatch, 'magic' | 'crc' | 'lastOffsetDelta'> & {
  lastOffsetDelta?: number;
};

function zigzagSize(v: number): number {
  let u = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (u >= 128) {
    u = Math.floor(u / 128);
    n++;
  }
  return n;
}

function recordBodySize(rec: KafkaRecord): number {
  let size = 1 + zigzagSize(rec.timestampDelta) + zigzagSize(rec.offsetDelta);
  size += rec.key === null ? 1 : zigzagSize(rec.key.length) + rec.key.length;
  size += rec.value === null ? 1 : zigzagSize(rec.value.length) + rec.value.length;
  size += zigzagSize(rec.headers.length);
  for (const h of rec.headers) {
    const kl = Buffer.byteLength(h.key);
    size += zigzagSize(kl) + kl;
    size += h.value === null ? 1 : zigzagSize(h.value.length) + h.value.length;
  }
  return size;
}

function writeVarBytes(w: Writer, b: Buffer | null): void {
  if (b === null) w.varint(-1);
  else {
    w.varint(b.length);
    w.raw(b);
  }
}

/** Serialises records (uncompressed) as they appear inside a v2 batch. */
export function encodeRecordsBody(records: readonly KafkaRecord[], w = new Writer(1024)): Buffer {
  // sizes first: each record is prefixed by its length, and the output is allocated once
  const sizes = new Array<number>(records.length);
  let total = 0;
  for (let i = 0; i < records.length; i++) {
    const size = recordBodySize(records[i]!);
    sizes[i] = size;
    total += zigzagSize(size) + size;
  }
  w.ensure(total);
  for (let i = 0; i < records.length; i++) {
    const rec = records[i]!;
    w.varint(sizes[i]!);
    w.int8(rec.attributes);
    w.varlongNumber(rec.timestampDelta);
    w.varint(rec.offsetDelta);
    writeVarBytes(w, rec.key);
    writeVarBytes(w, rec.value);
    w.varint(rec.headers.length);
    for (const h of rec.headers) {
      const kl = Buffer.byteLength(h.key);
      w.varint(kl);
      w.ensure(kl);
      w.pos += w.buf.write(h.key, w.pos, kl, 'utf8');
      writeVarBytes(w, h.value);
    }
  }
  return w.finish();
}

/** Encodes one v2 batch, compressing with the codec in `attributes` and computing length and CRC. */
export async function encodeRecordBatch(batch: RecordBatchInput): Promise<Buffer> {
  const codec = compressionOf(batch.attributes);
  let out: Buffer;
  if (codec === 0) {
    // uncompressed: records are written straight after a reserved header, no second copy
    const w = new Writer(BATCH_HEADER_SIZE);
    w.pos = BATCH_HEADER_SIZE;
    out = encodeRecordsBody(batch.records, w);
  } else {
    const payload = await compress(codec, encodeRecordsBody(batch.records));
    out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + payload.length);
    payload.copy(out, BATCH_HEADER_SIZE);
  }
  const lastOffsetDelta =
    batch.lastOffsetDelta ?? batch.records.reduce((m, r) => (r.offsetDelta > m ? r.offsetDelta : m), -1);
  out.writeBigInt64BE(batch.baseOffset, 0);
  out.writeInt32BE(out.length - LOG_OVERHEAD, 8);
  out.writeInt32BE(batch.partitionLeaderEpoch, 12);
  out.writeInt8(2, 16);
  out.writeInt16BE(batch.attributes, ATTRIBUTES_OFFSET);
  out.writeInt32BE(lastOffsetDelta, 23);
  out.writeBigInt64BE(batch.baseTimestamp, 27);
  out.writeBigInt64BE(batch.maxTimestamp, 35);
  out.writeBigInt64BE(batch.producerId, 43);
  out.writeInt16BE(batch.producerEpoch, 51);
  out.writeInt32BE(batch.baseSequence, 53);
  out.writeInt32BE(batch.records.length, 57);
  out.writeUInt32BE(crc32c(out, ATTRIBUTES_OFFSET, out.length), CRC_OFFSET);
  return out;
}

/** Concatenates batches (v2 encoded, legacy entries copied as they were) into a records field. */
export async function encodeRecords(batches: readonly (RecordBatchInput | LegacyEntry)[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const b of batches) parts.push('bytes' in b ? b.bytes : await encodeRecordBatch(b));
  return Buffer.concat(parts);
}
