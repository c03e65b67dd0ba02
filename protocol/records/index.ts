export { crc32c } from './crc32c.js';
export {
  Compression,
  compress,
  decompress,
  snappyDecode,
  snappyEncodeXerial,
  type CompressionType,
} from './compression.js';
export {
  BATCH_HEADER_SIZE,
  BatchAttributes,
  compressionOf,
  decodeRecordBatch,
  decodeRecords,
  encodeRecordBatch,
  encodeRecords,
  encodeRecordsBody,
  scanBatches,
  type DecodeBatchOptions,
  type KafkaRecord,
  type LegacyEntry,
  type RawBatch,
  type RecordBatch,
  type RecordBatchInput,
  type RecordHeader,
  type ScanResult,
} from './batch.js';
