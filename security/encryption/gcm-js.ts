// AES-256-GCM over a batch of records with Node's crypto API: the portable engine, and the
// reference the native engine (gcm-native.ts) is tested against. Node has no way to keep a cipher
// context and change only its IV, so each record pays a createCipheriv/createDecipheriv (OpenSSL
// builds a fresh EVP_CIPHER_CTX and key schedule every time): that set-up is most of the cost
// of a small record (bench/encryption/README.md).
//
// The additional data is given in pieces (`head`, the key's length, the key) rather than
// concatenated: GCM's GHASH absorbs AAD incrementally, so several setAAD calls before the first
// update authenticate exactly their concatenation, with no per-record copy.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { NONCE_BYTES, TAG_BYTES } from './envelope.js';
import type { GcmEngine, GcmJobs } from './gcm.js';

const ALGORITHM = 'aes-256-gcm';
const OPTIONS = { authTagLength: TAG_BYTES } as const;

/** The record key's length as GCM additional data: big-endian int32, -1 for a null key. */
export function keyLengthField(recordKey: Buffer | null): Buffer {
  const len = Buffer.allocUnsafe(4);
  len.writeInt32BE(recordKey === null ? -1 : recordKey.length, 0);
  return len;
}

const nonceOf = (head: Buffer): Buffer => head.subarray(head.length - NONCE_BYTES);

function seal(key: Buffer, jobs: GcmJobs): void {
  for (let i = 0; i < jobs.inputs.length; i++) {
    const head = jobs.heads[i]!;
    const recordKey = jobs.recordKeys[i]!;
    const out = jobs.outputs[i]!;
    const cipher = createCipheriv(ALGORITHM, key, nonceOf(head), OPTIONS);
    cipher.setAAD(head);
    cipher.setAAD(keyLengthField(recordKey));
    if (recordKey !== null && recordKey.length > 0) cipher.setAAD(recordKey);
    let p = cipher.update(jobs.inputs[i]!).copy(out, 0);
    p += cipher.final().copy(out, p);
    cipher.getAuthTag().copy(out, p);
  }
}

function open(key: Buffer, jobs: GcmJobs): number {
  for (let i = 0; i < jobs.inputs.length; i++) {
    const head = jobs.heads[i]!;
    const recordKey = jobs.recordKeys[i]!;
    const input = jobs.inputs[i]!;
    const ctLength = input.length - TAG_BYTES;
    try {
      const decipher = createDecipheriv(ALGORITHM, key, nonceOf(head), OPTIONS);
      decipher.setAuthTag(input.subarray(ctLength));
      decipher.setAAD(head);
      decipher.setAAD(keyLengthField(recordKey));
      if (recordKey !== null && recordKey.length > 0) decipher.setAAD(recordKey);
      const p = decipher.update(input.subarray(0, ctLength)).copy(jobs.outputs[i]!, 0);
      decipher.final().copy(jobs.outputs[i]!, p);
    } catch {
      jobs.outputs[i]!.fill(0); // never leave unauthenticated plaintext behind
      return i;
    }
  }
  return -1;
}

// Node's cipher objects are per record; nothing is kept here to retire. Each one's OpenSSL context
// (with its key schedule) is freed, and cleared by OpenSSL, when V8 collects the object.
export const jsGcm: GcmEngine = {
  kind: 'js',
  seal,
  open,
  retire: () => undefined,
  holds: () => false,
};
