/**
 * Data-encryption keys for the gateway: the current DEK per KEK for encryption (rotated by record
 * count and age, security/encryption/data-key.ts), and a bounded cache of unwrapped DEKs for
 * decryption, so the KMS is asked once per DEK rather than once per record. A failed unwrap is
 * remembered for a second, so records under a missing KEK do not each call the KMS.
 */
import { randomBytes } from 'node:crypto';
import {
  DATA_KEY_BYTES,
  DataKey,
  type RotationLimits,
  type WrappedKeyRef,
} from '../../security/encryption/index.js';
import type { KeyManagementService } from '../../security/kms/index.js';

const FAILURE_MEMORY_MS = 1000;

/** Why a new data key was made for encryption: none yet, or the current one reached a limit. */
export type NewDataKeyReason = 'first' | 'max_records' | 'max_age';

function cacheKey(ref: WrappedKeyRef): string {
  return `${ref.kekId}\u0000${ref.kekVersion}\u0000${ref.wrapped.toString('base64')}`;
}

export class DataKeys {
  /** The DEK each KEK currently encrypts with (a promise while the KMS wraps a new one). */
  private readonly current = new Map<string, Promise<DataKey>>();
  /** Unwrapped DEKs in least-recently-used order (Map iteration order). */
  private readonly unwrapped = new Map<string, Buffer>();
  private readonly inFlight = new Map<string, Promise<Buffer>>();
  private readonly failures = new Map<string, { error: Error; at: number }>();

  constructor(
    readonly kms: KeyManagementService,
    private readonly limits: RotationLimits,
    private readonly cacheSize: number,
    /** Told of every data key made for encryption (metrics). */
    private readonly onNewKey: (kekId: string, reason: NewDataKeyReason) => void = () => undefined,
  ) {}

  /** A DEK for `kekId` with `count` invocations reserved; a new one when the current is spent or old. */
  async forRecords(kekId: string, count: number): Promise<DataKey> {
    const existing = this.current.get(kekId);
    let reason: NewDataKeyReason = 'first';
    if (existing) {
      const key = await existing;
      const now = Date.now();
      if (key.reserve(count, now)) return key;
      reason = now - key.createdAt >= this.limits.maxAgeMs ? 'max_age' : 'max_records';
      if (this.current.get(kekId) === existing) this.current.delete(kekId);
    }
    let next = this.current.get(kekId);
    if (!next) {
      next = this.create(kekId).then((key) => {
        this.onNewKey(kekId, reason);
        return key;
      });
      this.current.set(kekId, next);
      const created = next;
      created.catch(() => {
        if (this.current.get(kekId) === created) this.current.delete(kekId);
      });
    }
    const key = await next;
    if (!key.reserve(count, Date.now()))
      throw new Error(`a fresh data key for KEK "${kekId}" cannot take ${count} records`);
    return key;
  }

  private async create(kekId: string): Promise<DataKey> {
    const secret = randomBytes(DATA_KEY_BYTES);
    const ref = await this.kms.wrap(kekId, secret);
    this.remember(cacheKey(ref), secret); // our own records decrypt without asking the KMS
    return new DataKey(secret, ref, this.limits, Date.now());
  }

  /** The DEK behind a wrapped reference (from the cache, or unwrapped by the KMS). */
  unwrap(ref: WrappedKeyRef): Promise<Buffer> {
    const id = cacheKey(ref);
    const hit = this.unwrapped.get(id);
    if (hit) {
      this.unwrapped.delete(id);
      this.unwrapped.set(id, hit);
      return Promise.resolve(hit);
    }
    const failed = this.failures.get(id);
    if (failed && Date.now() - failed.at < FAILURE_MEMORY_MS) return Promise.reject(failed.error);
    let p = this.inFlight.get(id);
    if (!p) {
      p = this.kms.unwrap(ref).then(
        (dek) => {
          this.inFlight.delete(id);
          this.failures.delete(id);
          this.remember(id, dek);
          return dek;
        },
        (e: Error) => {
          this.inFlight.delete(id);
          this.failures.set(id, { error: e, at: Date.now() });
          if (this.failures.size > this.cacheSize) this.failures.delete(this.failures.keys().next().value!);
          throw e;
        },
      );
      this.inFlight.set(id, p);
    }
    return p;
  }

  private remember(id: string, dek: Buffer): void {
    this.unwrapped.set(id, dek);
    if (this.unwrapped.size > this.cacheSize) this.unwrapped.delete(this.unwrapped.keys().next().value!);
  }
}
