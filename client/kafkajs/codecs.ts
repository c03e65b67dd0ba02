/**
 * kafkajs ships only gzip; snappy, lz4 and zstd throw "not implemented". This adapter gives kafkajs
 * the same codecs the gateway's record-batch code uses (xerial snappy as Java writes it, LZ4 frames,
 * zstd), so the mirror and the monitor read and write every compression Kafka clients produce.
 * One undecodable partition would otherwise stall a whole replication flow.
 */
import kafkajs from 'kafkajs';
import { Compression, compress, decompress } from '../../protocol/records/compression.js';

/** Inflated records of one batch are bounded like the broker's own fetch responses. */
const MAX_INFLATED_BYTES = 256 * 1024 * 1024;

/** kafkajs hands its codec an Encoder (with `.buffer`) to compress, and raw bytes to decompress. */
function codec(type: number) {
  return () => ({
    compress: (encoder: { buffer: Buffer }) => compress(type, encoder.buffer),
    decompress: (buffer: Buffer) => decompress(type, buffer, MAX_INFLATED_BYTES),
  });
}

let installed = false;

export function installKafkajsCodecs(): void {
  if (installed) return;
  installed = true;
  const { CompressionCodecs, CompressionTypes } = kafkajs;
  CompressionCodecs[CompressionTypes.Snappy] = codec(Compression.Snappy);
  CompressionCodecs[CompressionTypes.LZ4] = codec(Compression.Lz4);
  CompressionCodecs[CompressionTypes.ZSTD] = codec(Compression.Zstd);
}
