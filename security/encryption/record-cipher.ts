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
import type { DataKey } from './data-key.js';
import { EnvelopeFlags, TAG_BYTES, parseEnvelope, type Envelope, type WrappedKeyRef } from './envelope.js';
import { EncryptionError } from './errors.js';
import { emptyJobs, type GcmEngine } from './gcm.js';
import { gcmEngine } from './gcm-engine.js';
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

/** Does this record carry the encryption marker (whether or not we can open it)? */
export function isSealed(rec: RecordParts): boolean {
  return rec.headers.length > 0 && rec.headers[0]!.key === ENCRYPTION_HEADER;
}

/** Whether sealing would change this record (false for a tombstone with nothing to hide). */
export function needsSealing(rec: RecordParts, sealHeaders: boolean): boolean {
  return rec.value !== null || (sealHeaders && rec.headers.length > 0);
}

/**
 * Encrypts the records of one batch under `key`, which must have reserved an invocation for each
 * record that needs sealing; the others (tombstones with nothing to hide) are returned as they are.
 * Every other field of a record is kept. All envelopes share one allocation, and the engine seals
 * them in one call.
 */
export function sealRecords<R extends RecordParts>(
  records: readonly R[],
  key: DataKey,
  sealHeaders: boolean,
  engine: GcmEngine = gcmEngine(),
): R[] {
  const plaintexts: (Buffer | undefined)[] = new Array<Buffer | undefined>(records.length);
  let total = 0;
  for (let i = 0; i < records.length; i++) {
    const rec = records[i]!;
    if (!needsSealing(rec, sealHeaders)) continue;
    const plaintext = sealHeaders ? encodeParcel(rec.headers, rec.value) : rec.value!;
    plaintexts[i] = plaintext;
    total += key.headLength + plaintext.length + TAG_BYTES;
  }
  const all = Buffer.allocUnsafe(total);
  const jobs = emptyJobs();
  const envelopes: Buffer[] = new Array<Buffer>(records.length);
  let p = 0;
  for (let i = 0; i < records.length; i++) {
    const plaintext = plaintexts[i];
    if (plaintext === undefined) continue;
    const rec = records[i]!;
    const flags =
      (sealHeaders ? EnvelopeFlags.sealedHeaders : 0) | (rec.value === null ? EnvelopeFlags.nullValue : 0);
    const start = p;
    p = key.writeHead(all, p, flags);
    const headEnd = p;
    p += plaintext.length + TAG_BYTES;
    envelopes[i] = all.subarray(start, p);
    jobs.heads.push(all.subarray(start, headEnd));
    jobs.recordKeys.push(rec.key);
    jobs.inputs.push(plaintext);
    jobs.outputs.push(all.subarray(headEnd, p));
  }
  if (jobs.inputs.length > 0) engine.seal(key.secret, jobs);
  return records.map((rec, i) => {
    const envelope = envelopes[i];
    if (envelope === undefined) return rec;
    const nullValue = rec.value === null;
    const marker = { key: ENCRYPTION_HEADER, value: nullValue ? envelope : MARKER_VALUE };
    return {
      ...rec,
      value: nullValue ? null : envelope,
      headers: sealHeaders ? [marker] : [marker, ...rec.headers],
    };
  });
}

/** Encrypts one record (see sealRecords). */
export function sealRecord(rec: RecordParts, key: DataKey, sealHeaders: boolean): RecordParts {
  return sealRecords([rec], key, sealHeaders)[0]!;
}

/** The envelope of a sealed record (parsed, not yet authenticated). */
export function envelopeOf(rec: RecordParts): Envelope {
  return envelopeAfter(rec, undefined);
}

/**
 * envelopeOf, given the envelope of the record before (`like`): a shortcut when both were sealed
 * under one data key (parseEnvelope). Not a map callback on purpose (an index is not an envelope).
 */
export function envelopeAfter(rec: RecordParts, like: Envelope | undefined): Envelope {
  if (!isSealed(rec)) throw new EncryptionError('MALFORMED_ENVELOPE', 'record is not encrypted');
  const marker = rec.headers[0]!.value;
  let envelope: Envelope;
  if (rec.value === null) {
    if (marker === null)
      throw new EncryptionError('MALFORMED_ENVELOPE', 'encrypted tombstone without an envelope');
    envelope = parseEnvelope(marker, like);
    if ((envelope.flags & EnvelopeFlags.nullValue) === 0)
      throw new EncryptionError(
        'MALFORMED_ENVELOPE',
        'envelope in the marker header of a record with a value',
      );
  } else {
    if (marker === null || marker.length !== 1 || marker[0] !== MARKER_VALUE[0])
      throw new EncryptionError('MALFORMED_ENVELOPE', 'unknown encryption marker value');
    envelope = parseEnvelope(rec.value, like);
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
 * Decrypts sealed records that share one unwrapped data key (`envelopes[i]`: record i's already
 * parsed envelope). Throws EncryptionError AUTHENTICATION_FAILED if anything of any record (value,
 * key, envelope) was altered or the key is wrong; nothing is returned then.
 */
export function openRecords<R extends RecordParts>(
  records: readonly R[],
  dataKey: Buffer,
  envelopes: readonly Envelope[] = records.map(envelopeOf),
  engine: GcmEngine = gcmEngine(),
): R[] {
  let total = 0;
  for (const e of envelopes) total += Math.max(0, e.sealed.length - TAG_BYTES);
  const all = Buffer.allocUnsafe(total);
  const jobs = emptyJobs();
  let p = 0;
  for (let i = 0; i < records.length; i++) {
    const envelope = envelopes[i]!;
    const length = envelope.sealed.length - TAG_BYTES; // parseEnvelope guarantees a whole tag
    jobs.heads.push(envelope.prefix);
    jobs.recordKeys.push(records[i]!.key);
    jobs.inputs.push(envelope.sealed);
    jobs.outputs.push(all.subarray(p, p + length));
    p += length;
  }
  const failed = engine.open(dataKey, jobs);
  if (failed >= 0) {
    const { kekId, kekVersion } = envelopes[failed]!.key;
    throw new EncryptionError(
      'AUTHENTICATION_FAILED',
      `record failed authentication under KEK ${kekId} v${kekVersion}`,
    );
  }
  return records.map((rec, i) => ({ ...rec, ...unpack(rec, envelopes[i]!.flags, jobs.outputs[i]!) }));
}

/** Decrypts one sealed record (see openRecords). */
export function openRecord(rec: RecordParts, dataKey: Buffer, envelope = envelopeOf(rec)): RecordParts {
  return openRecords([rec], dataKey, [envelope])[0]!;
}

/** The record's value and headers from its decrypted plaintext. */
function unpack(rec: RecordParts, flags: number, plaintext: Buffer): RecordParts {
  const nullValue = (flags & EnvelopeFlags.nullValue) !== 0;
  if ((flags & EnvelopeFlags.sealedHeaders) !== 0) {
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
