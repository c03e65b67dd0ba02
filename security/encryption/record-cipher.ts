// Sealing and opening one Kafka record with AES-256-GCM (NIST SP 800-38D) under a data key.
//
// What is encrypted: the record's value, and its headers when the topic's policy asks. The record
// key is never encrypted: it decides the partition (the producer hashed it before the gateway saw
// the record) and log compaction keeps the latest record per key byte-for-byte, so an encrypted key
// (different ciphertext every time) would break both. It is authenticated instead: the key is part
// of the GCM additional data, so a value moved under another key fails to decrypt. Timestamps,
// offsets and batch fields are left alone (the broker needs them).
//
// An encrypted record is marked by its first header, `kgw.encryption`, and its value becomes the
// envelope (envelope.ts). Headers are not authenticated unless sealed; headers appended after
// encryption (the mirror's provenance headers) are kept after the decrypted ones. A tombstone (null value) stays a tombstone, which compaction needs: if it
// has no headers to seal it is left as it is; if its headers are sealed, the envelope travels in the
// marker header's value instead.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { DataKey } from './data-key.js';
import {
  EnvelopeFlags,
  TAG_BYTES,
  encodeEnvelopePrefix,
  parseEnvelope,
  type Envelope,
  type WrappedKeyRef,
} from './envelope.js';
import { EncryptionError } from './errors.js';
import { decodeParcel, encodeParcel, type HeaderLike } from './parcel.js';

/** Name of the header that marks an encrypted record (always the record's first header). */
export const ENCRYPTION_HEADER = 'kgw.encryption';
/** The marker's value when the envelope is the record's value: the envelope format version. */
const MARKER_VALUE = Buffer.from([1]);

/** The parts of a record that encryption touches (structurally a protocol/records KafkaRecord). */
export interface RecordParts {
  key: Buffer | null;
  value: Buffer | null;
  headers: HeaderLike[];
}

function additionalData(prefix: Buffer, key: Buffer | null): Buffer {
  const len = Buffer.allocUnsafe(4);
  len.writeInt32BE(key === null ? -1 : key.length, 0);
  return Buffer.concat(key ? [prefix, len, key] : [prefix, len]);
}

/** Does this record carry the encryption marker (whether or not we can open it)? */
export function isSealed(rec: RecordParts): boolean {
  return rec.headers.length > 0 && rec.headers[0]!.key === ENCRYPTION_HEADER;
}

/** Whether sealing would change this record (false for a tombstone with nothing to hide). */
export function needsSealing(rec: RecordParts, sealHeaders: boolean): boolean {
  return rec.value !== null || (sealHeaders && rec.headers.length > 0);
}

/**
 * Encrypts one record under `key` (which must have reserved an invocation for it). Returns the new
 * key/value/headers; the record's other fields are the caller's to keep.
 */
export function sealRecord(rec: RecordParts, key: DataKey, sealHeaders: boolean): RecordParts {
  if (!needsSealing(rec, sealHeaders)) return rec;
  const nullValue = rec.value === null;
  const flags = (sealHeaders ? EnvelopeFlags.sealedHeaders : 0) | (nullValue ? EnvelopeFlags.nullValue : 0);
  const plaintext = sealHeaders ? encodeParcel(rec.headers, rec.value) : rec.value!;
  const nonce = key.nextNonce();
  const prefix = encodeEnvelopePrefix(flags, key.ref, nonce);
  const cipher = createCipheriv('aes-256-gcm', key.secret, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(prefix, rec.key));
  const body = cipher.update(plaintext);
  const final = cipher.final();
  const envelope = Buffer.concat([prefix, body, final, cipher.getAuthTag()]);
  const marker = { key: ENCRYPTION_HEADER, value: nullValue ? envelope : MARKER_VALUE };
  return {
    key: rec.key,
    value: nullValue ? null : envelope,
    headers: sealHeaders ? [marker] : [marker, ...rec.headers],
  };
}

/** The envelope of a sealed record (parsed, not yet authenticated). */
export function envelopeOf(rec: RecordParts): Envelope {
  if (!isSealed(rec)) throw new EncryptionError('MALFORMED_ENVELOPE', 'record is not encrypted');
  const marker = rec.headers[0]!.value;
  let envelope: Envelope;
  if (rec.value === null) {
    if (marker === null)
      throw new EncryptionError('MALFORMED_ENVELOPE', 'encrypted tombstone without an envelope');
    envelope = parseEnvelope(marker);
    if ((envelope.flags & EnvelopeFlags.nullValue) === 0)
      throw new EncryptionError(
        'MALFORMED_ENVELOPE',
        'envelope in the marker header of a record with a value',
      );
  } else {
    if (marker === null || !marker.equals(MARKER_VALUE))
      throw new EncryptionError('MALFORMED_ENVELOPE', 'unknown encryption marker value');
    envelope = parseEnvelope(rec.value);
    if ((envelope.flags & EnvelopeFlags.nullValue) !== 0)
      throw new EncryptionError('MALFORMED_ENVELOPE', 'null-value envelope in a record value');
  }
  return envelope;
}

/** The wrapped data key a sealed record needs. */
export function wrappedKeyOf(rec: RecordParts): WrappedKeyRef {
  return envelopeOf(rec).key;
}

/**
 * Decrypts a sealed record with its unwrapped data key (`envelope`: its already parsed envelope). Throws EncryptionError
 * AUTHENTICATION_FAILED if anything (value, key, envelope) was altered or the key is wrong.
 */
export function openRecord(rec: RecordParts, dataKey: Buffer, envelope = envelopeOf(rec)): RecordParts {
  const decipher = createDecipheriv('aes-256-gcm', dataKey, envelope.nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(additionalData(envelope.prefix, rec.key));
  const ct = envelope.sealed.subarray(0, envelope.sealed.length - TAG_BYTES);
  decipher.setAuthTag(envelope.sealed.subarray(envelope.sealed.length - TAG_BYTES));
  let plaintext: Buffer;
  try {
    const body = decipher.update(ct);
    const final = decipher.final();
    plaintext = final.length === 0 ? body : Buffer.concat([body, final]);
  } catch {
    throw new EncryptionError(
      'AUTHENTICATION_FAILED',
      `record failed authentication under KEK ${envelope.key.kekId} v${envelope.key.kekVersion}`,
    );
  }
  const nullValue = (envelope.flags & EnvelopeFlags.nullValue) !== 0;
  if ((envelope.flags & EnvelopeFlags.sealedHeaders) !== 0) {
    const { headers, value } = decodeParcel(plaintext, nullValue);
    // Headers added after encryption (e.g. the mirror's provenance headers) follow the sealed ones.
    return {
      key: rec.key,
      value,
      headers: rec.headers.length > 1 ? [...headers, ...rec.headers.slice(1)] : headers,
    };
  }
  return { key: rec.key, value: plaintext, headers: rec.headers.slice(1) };
}
