// The byte format of one encrypted record ("envelope"), version 1. Big-endian, self-delimiting:
//
//   u8  format version (1)
//   u8  flags      bit 0: the record's headers are sealed inside the ciphertext
//                  bit 1: the record's value was null (a tombstone whose headers are sealed)
//   u8  KEK id length n (1..255), then n bytes of UTF-8 KEK id
//   u32 KEK version
//   u16 wrapped DEK length w, then w bytes (opaque to this module: the KMS's wrap output)
//   12  GCM nonce (IV)
//   ..  ciphertext || 16-byte GCM tag
//
// Every record carries its own wrapped DEK, so any single record can be decrypted alone: log
// compaction, retention and partial fetches may remove the records around it. Everything before the
// ciphertext is authenticated as GCM additional data (record-cipher.ts), so an altered KEK
// reference, flag or nonce fails authentication instead of being misread.
import { EncryptionError } from './errors.js';

export const ENVELOPE_VERSION = 1;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

export const EnvelopeFlags = { sealedHeaders: 0x01, nullValue: 0x02 } as const;

/** Where a record's data-encryption key lives: which KEK (and version) wrapped it, and how. */
export interface WrappedKeyRef {
  kekId: string;
  kekVersion: number;
  wrapped: Buffer;
}

export interface Envelope {
  flags: number;
  key: WrappedKeyRef;
  /** Ciphertext followed by the tag. */
  sealed: Buffer;
  /** The bytes from the version byte through the nonce (the authenticated prefix); the nonce is its last 12 bytes. */
  prefix: Buffer;
}

function malformed(what: string): EncryptionError {
  return new EncryptionError('MALFORMED_ENVELOPE', `malformed encrypted record: ${what}`);
}

/** The authenticated prefix of an envelope (everything up to the ciphertext). */
export function encodeEnvelopePrefix(flags: number, key: WrappedKeyRef, nonce: Buffer): Buffer {
  const id = Buffer.from(key.kekId, 'utf8');
  if (id.length < 1 || id.length > 255)
    throw new RangeError(`KEK id must be 1-255 UTF-8 bytes: ${key.kekId}`);
  if (key.wrapped.length > 0xffff) throw new RangeError('wrapped data key longer than 65535 bytes');
  if (nonce.length !== NONCE_BYTES) throw new RangeError(`nonce must be ${NONCE_BYTES} bytes`);
  const out = Buffer.allocUnsafe(3 + id.length + 4 + 2 + key.wrapped.length + NONCE_BYTES);
  let p = out.writeUInt8(ENVELOPE_VERSION, 0);
  p = out.writeUInt8(flags, p);
  p = out.writeUInt8(id.length, p);
  p += id.copy(out, p);
  p = out.writeUInt32BE(key.kekVersion, p);
  p = out.writeUInt16BE(key.wrapped.length, p);
  p += key.wrapped.copy(out, p);
  nonce.copy(out, p);
  return out;
}

/**
 * Parses an envelope. With `like` (the previous record's envelope, already parsed and checked), an
 * envelope whose bytes up to the nonce equal like's — every record of a batch sealed under one data
 * key — reuses like's fields instead of parsing them again: the same bytes give the same result, and
 * `key` is then the very same object (record-batches.ts groups records by it). This skips a UTF-8
 * decode of the KEK id and four Buffer views per record, most of the envelope's cost on small records.
 */
export function parseEnvelope(bytes: Buffer, like?: Envelope): Envelope {
  if (like !== undefined) {
    const prefixLength = like.prefix.length;
    const keyEnd = prefixLength - NONCE_BYTES;
    if (bytes.length >= prefixLength + TAG_BYTES && bytes.compare(like.prefix, 0, keyEnd, 0, keyEnd) === 0)
      return {
        flags: like.flags,
        key: like.key,
        sealed: bytes.subarray(prefixLength),
        prefix: bytes.subarray(0, prefixLength),
      };
  }
  const need = (p: number, n: number, what: string): void => {
    if (p + n > bytes.length) throw malformed(`${what} runs past the end (${bytes.length} bytes)`);
  };
  need(0, 3, 'header');
  const version = bytes.readUInt8(0);
  if (version !== ENVELOPE_VERSION) throw malformed(`unknown format version ${version}`);
  const flags = bytes.readUInt8(1);
  if ((flags & ~(EnvelopeFlags.sealedHeaders | EnvelopeFlags.nullValue)) !== 0)
    throw malformed(`unknown flags 0x${flags.toString(16)}`);
  const idLength = bytes.readUInt8(2);
  if (idLength === 0) throw malformed('empty KEK id');
  let p = 3;
  need(p, idLength + 6, 'KEK reference');
  const kekId = bytes.toString('utf8', p, p + idLength);
  p += idLength;
  const kekVersion = bytes.readUInt32BE(p);
  const wrappedLength = bytes.readUInt16BE(p + 4);
  p += 6;
  need(p, wrappedLength, 'wrapped data key');
  const wrapped = bytes.subarray(p, p + wrappedLength);
  p += wrappedLength;
  need(p, NONCE_BYTES + TAG_BYTES, 'nonce and tag');
  p += NONCE_BYTES;
  return {
    flags,
    key: { kekId, kekVersion, wrapped },
    sealed: bytes.subarray(p),
    prefix: bytes.subarray(0, p),
  };
}
