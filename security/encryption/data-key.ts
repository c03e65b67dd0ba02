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
import { NONCE_BYTES, encodeEnvelopePrefix, type WrappedKeyRef } from './envelope.js';
import { EncryptionError } from './errors.js';
import { wipeKey } from './gcm-engine.js';

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
  /** This key's envelope prefix with flags 0 and a zero nonce: copied, then flags and nonce set. */
  private readonly headTemplate: Buffer;
  /** Batches that reserved invocations and have not called `release` yet. */
  private leases = 0;
  private retired = false;
  private wipedOut = false;

  constructor(
    /** The 256-bit AES key (never logged, never leaves the process unwrapped). */
    readonly secret: Buffer,
    /** The same key wrapped by the KMS, written into every record it encrypts. */
    readonly ref: WrappedKeyRef,
    private readonly limits: RotationLimits,
    readonly createdAt: number,
  ) {
    if (secret.length !== DATA_KEY_BYTES) throw new RangeError(`a data key is ${DATA_KEY_BYTES} bytes`);
    this.headTemplate = encodeEnvelopePrefix(0, ref, Buffer.alloc(NONCE_BYTES));
  }

  /** Bytes of every envelope prefix under this key (version through nonce). */
  get headLength(): number {
    return this.headTemplate.length;
  }

  get recordsEncrypted(): number {
    return this.used;
  }

  /** True once `secret` has been overwritten with zeros (the key can never be used again). */
  get wiped(): boolean {
    return this.wipedOut;
  }

  /**
   * Claims `count` invocations for one batch if the key is young enough, not retired and has room;
   * a batch larger than maxRecords may take a fresh key whole (never beyond MAX_INVOCATIONS_PER_KEY).
   * A successful reservation is a lease on the key material: call `release` once the batch is sealed
   * (or abandoned), so a key retired meanwhile is wiped only after its last batch.
   */
  reserve(count: number, now: number): boolean {
    if (this.retired || now - this.createdAt >= this.limits.maxAgeMs) return false;
    const cap = Math.min(this.limits.maxRecords, MAX_INVOCATIONS_PER_KEY);
    const limit = this.reserved === 0 ? MAX_INVOCATIONS_PER_KEY : cap;
    if (this.reserved + count > limit) return false;
    this.reserved += count;
    this.leases++;
    return true;
  }

  /** Ends the lease taken by one successful `reserve`. Invocations reserved and not used are skipped. */
  release(): void {
    if (this.leases === 0) throw new Error('DataKey.release without a reservation');
    this.leases--;
    this.wipeIfDone();
  }

  /**
   * No further reservations: the key is replaced. Its bytes (and the native engine's key schedule)
   * are wiped as soon as no batch holds a lease, which may be now. Records it sealed are decrypted
   * with the KMS-unwrapped copy (gateway/encryption/data-keys.ts), never with this object.
   */
  retire(): void {
    this.retired = true;
    this.wipeIfDone();
  }

  private wipeIfDone(): void {
    if (!this.retired || this.leases > 0 || this.wipedOut) return;
    wipeKey(this.secret);
    this.wipedOut = true;
  }

  /** The next IV: fixed field || big-endian invocation counter. Only after `reserve`. */
  nextNonce(): Buffer {
    const iv = Buffer.allocUnsafe(NONCE_BYTES);
    this.writeNextNonce(iv, 0);
    return iv;
  }

  /**
   * Writes the envelope prefix of the next record (encodeEnvelopePrefix(flags, ref, nextNonce()))
   * into `out` at `at`; returns the offset after it.
   */
  writeHead(out: Buffer, at: number, flags: number): number {
    const end = at + this.headTemplate.copy(out, at);
    out[at + 1] = flags;
    this.writeNextNonce(out, end - NONCE_BYTES);
    return end;
  }

  private writeNextNonce(out: Buffer, at: number): void {
    // A wiped key is 32 zero bytes: sealing with it would publish records anyone can read.
    if (this.wipedOut) throw new EncryptionError('DATA_KEY_WIPED', 'data key used after it was wiped');
    if (this.used >= this.reserved)
      throw new EncryptionError('DATA_KEY_EXHAUSTED', 'data key used beyond its reserved invocations');
    this.fixedField.copy(out, at);
    // The 64-bit counter, big-endian; `used` < 2^32 (MAX_INVOCATIONS_PER_KEY), so the high half is 0.
    out.writeUInt32BE(Math.floor(this.used / 2 ** 32), at + 4);
    out.writeUInt32BE(this.used % 2 ** 32, at + 8);
    this.used++;
  }
}
