/**
 * Data-encryption keys for the gateway: the current DEK per KEK for encryption (rotated by record
 * count and age, security/encryption/data-key.ts), and a bounded cache of unwrapped DEKs for
 * decryption, so the KMS is asked once per DEK rather than once per record. A failed unwrap is
 * remembered for a second, so records under a missing KEK do not each call the KMS.
 *
 * Key bytes are wiped (zeros, and the native engine's key schedule freed) when a DEK is retired from
 * encryption and when it leaves the cache — but only once nothing is using it: encryption holds a
 * lease from `DataKey.reserve` to `release`, decryption pins a cache entry for the duration of
 * `withDataKey`. Without that, an eviction caused by another connection between an `await` and the
 * use of the key would seal records under 32 zero bytes, or fail to open authentic ones. The
 * encryption key and its cache entry are separate copies, so each is wiped by its own owner.
 */
import { randomBytes } from 'node:crypto';
import {
  DATA_KEY_BYTES,
  DataKey,
  wipeKey,
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

/** An unwrapped DEK in the cache; wiped when evicted and no `withDataKey` call holds it. */
interface CachedKey {
  readonly secret: Buffer;
  pins: number;
  evicted: boolean;
}

function unpin(entry: CachedKey): void {
  entry.pins--;
  if (entry.evicted && entry.pins === 0) wipeKey(entry.secret);
}

function evict(entry: CachedKey): void {
  entry.evicted = true;
  if (entry.pins === 0) wipeKey(entry.secret);
}

/** A copy of key bytes in memory of its own (Buffer.from may carve small buffers from a shared pool). */
function keyCopy(key: Buffer): Buffer {
  const copy = Buffer.alloc(key.length);
  key.copy(copy);
  return copy;
}

export class DataKeys {
  /** The DEK each KEK currently encrypts with (a promise while the KMS wraps a new one). */
  private readonly current = new Map<string, Promise<DataKey>>();
  /** Unwrapped DEKs in least-recently-used order (Map iteration order). */
  private readonly unwrapped = new Map<string, CachedKey>();
  /** Unwraps under way, with how many `withDataKey` calls wait for each. */
  private readonly inFlight = new Map<string, { promise: Promise<CachedKey>; waiters: number }>();
  private closed = false;
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
    // Concurrent batches can fill or retire a key between its creation and our reservation on it
    // (each retirement wipes the key once its leases end): then the next key is tried. This ends:
    // a key is only retired after some batch reserved on it, so every new key serves a waiter.
    for (;;) {
      if (this.closed) throw new Error('the gateway is closing: no new data keys');
      const existing = this.current.get(kekId);
      let reason: NewDataKeyReason = 'first';
      if (existing) {
        const key = await existing;
        const now = Date.now();
        if (key.reserve(count, now)) return key;
        reason = now - key.createdAt >= this.limits.maxAgeMs ? 'max_age' : 'max_records';
        if (this.current.get(kekId) === existing) {
          this.current.delete(kekId);
          key.retire(); // wiped now, or when the last batch holding a lease releases it
        }
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
      if (key.reserve(count, Date.now())) return key;
    }
  }

  private async create(kekId: string): Promise<DataKey> {
    const secret = randomBytes(DATA_KEY_BYTES);
    let ref: WrappedKeyRef;
    try {
      ref = await this.kms.wrap(kekId, secret);
    } catch (e) {
      secret.fill(0);
      throw e;
    }
    // Our own records decrypt without asking the KMS; the cache holds its own copy (see above).
    this.remember(cacheKey(ref), keyCopy(secret), 0);
    const key = new DataKey(secret, ref, this.limits, Date.now());
    if (this.closed) key.retire();
    return key;
  }

  /**
   * Runs `use` with the DEK behind a wrapped reference (from the cache, or unwrapped by the KMS).
   * The key bytes are valid only during `use` (synchronous): keep no reference to them.
   */
  async withDataKey<T>(ref: WrappedKeyRef, use: (dek: Buffer) => T): Promise<T> {
    const entry = await this.pinned(ref);
    try {
      return use(entry.secret);
    } finally {
      unpin(entry);
    }
  }

  /**
   * The cache entry for `ref`, pinned. The pin must exist before any other code runs, or another
   * connection's unwrap could evict and wipe the entry between its arrival and its use: a hit is
   * pinned here, and an unwrap pins the entry for all its waiters in the reaction that caches it.
   */
  private pinned(ref: WrappedKeyRef): Promise<CachedKey> {
    const id = cacheKey(ref);
    const hit = this.unwrapped.get(id);
    if (hit) {
      this.unwrapped.delete(id);
      this.unwrapped.set(id, hit);
      hit.pins++;
      return Promise.resolve(hit);
    }
    const failed = this.failures.get(id);
    if (failed && Date.now() - failed.at < FAILURE_MEMORY_MS) return Promise.reject(failed.error);
    let flight = this.inFlight.get(id);
    if (!flight) {
      const f = { waiters: 0, promise: Promise.resolve() as unknown as Promise<CachedKey> };
      f.promise = this.kms.unwrap(ref).then(
        (dek) => {
          this.inFlight.delete(id);
          this.failures.delete(id);
          return this.remember(id, dek, f.waiters);
        },
        (e: Error) => {
          this.inFlight.delete(id);
          this.failures.set(id, { error: e, at: Date.now() });
          if (this.failures.size > this.cacheSize) this.failures.delete(this.failures.keys().next().value!);
          throw e;
        },
      );
      this.inFlight.set(id, f);
      flight = f;
    }
    flight.waiters++;
    return flight.promise;
  }

  /** Caches an unwrapped DEK with `pins` users already holding it; evicts the least recently used. */
  private remember(id: string, dek: Buffer, pins: number): CachedKey {
    const entry: CachedKey = { secret: dek, pins, evicted: this.closed };
    if (this.closed) return entry; // wiped by the last waiter's unpin
    const replaced = this.unwrapped.get(id);
    if (replaced) {
      this.unwrapped.delete(id);
      evict(replaced);
    }
    this.unwrapped.set(id, entry);
    if (this.unwrapped.size > this.cacheSize) {
      const [oldest, old] = this.unwrapped.entries().next().value!;
      this.unwrapped.delete(oldest);
      evict(old);
    }
    return entry;
  }

  /** Retires every current DEK and empties the cache, wiping each key once no one is using it. */
  close(): void {
    this.closed = true;
    for (const p of this.current.values())
      void p.then(
        (key) => key.retire(),
        () => undefined,
      );
    this.current.clear();
    for (const entry of this.unwrapped.values()) evict(entry);
    this.unwrapped.clear();
  }
}
