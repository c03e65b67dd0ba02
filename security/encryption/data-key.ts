// A data-encryption key (DEK) used to encrypt records, and the nonces (IVs) it hands out.
//
// NIST SP 800-38D §8 requires that an (IV, key) pair is never used twice for AES-GCM. We use the
// deterministic construction of §8.2.1: a 96-bit IV = a 32-bit fixed field || a 64-bit invocation
// counter. The key itself is 256 random bits generated for this gateway process alone (other
// gateways only ever decrypt with it), so the counter makes every IV under it unique; the fixed
// field is random and only adds margin. The counter is bounded by the rotation policy
// (`maxRecords`, at most 2^32 here) long before the 2^64 field could wrap, and §8.3's limit on
// invocations per key is enforced by `reserve`.
import { randomBytes } from 'node:crypto';
import { NONCE_BYTES, type WrappedKeyRef } from './envelope.js';
import { EncryptionError } from './errors.js';

/** Hard ceiling on records encrypted under one DEK, whatever the configuration says. */
export const MAX_INVOCATIONS_PER_KEY = 2 ** 32;
export const DATA_KEY_BYTES = 32; // AES-256

export interface RotationLimits {
  /** Records encrypted under one DEK before a new one is made. */
  maxRecords: number;
  /** Milliseconds a DEK is used for encryption before a new one is made. */
  maxAgeMs: number;
}

export class DataKey {
  /** Invocations handed out (nonces made) and claimed by `reserve`. */
  private used = 0;
  private reserved = 0;
  private readonly fixedField = randomBytes(4);

  constructor(
    /** The 256-bit AES key (never logged, never leaves the process unwrapped). */
    readonly secret: Buffer,
    /** The same key wrapped by the KMS, written into every record it encrypts. */
    readonly ref: WrappedKeyRef,
    private readonly limits: RotationLimits,
    readonly createdAt: number,
  ) {
    if (secret.length !== DATA_KEY_BYTES) throw new RangeError(`a data key is ${DATA_KEY_BYTES} bytes`);
  }

  get recordsEncrypted(): number {
    return this.used;
  }

  /**
   * Claims `count` invocations for one batch if the key is young enough and has room; a batch larger
   * than maxRecords may take a fresh key whole (never beyond MAX_INVOCATIONS_PER_KEY).
   */
  reserve(count: number, now: number): boolean {
    if (now - this.createdAt >= this.limits.maxAgeMs) return false;
    const cap = Math.min(this.limits.maxRecords, MAX_INVOCATIONS_PER_KEY);
    const limit = this.reserved === 0 ? MAX_INVOCATIONS_PER_KEY : cap;
    if (this.reserved + count > limit) return false;
    this.reserved += count;
    return true;
  }

  /** The next IV: fixed field || big-endian invocation counter. Only after `reserve`. */
  nextNonce(): Buffer {
    if (this.used >= this.reserved)
      throw new EncryptionError('DATA_KEY_EXHAUSTED', 'data key used beyond its reserved invocations');
    const iv = Buffer.allocUnsafe(NONCE_BYTES);
    this.fixedField.copy(iv, 0);
    iv.writeBigUInt64BE(BigInt(this.used), 4);
    this.used++;
    return iv;
  }
}
