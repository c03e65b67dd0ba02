/**
 * Slows down and locks out password guessing without letting one client lock out anybody else.
 *
 * Lockout is keyed by (principal, client address): after `lockoutThreshold` failures of one
 * principal from one address within the window, that principal is refused from that address for
 * the lockout period. A different principal from the same address — another user behind the same
 * NAT or load balancer — is never refused because of it. The delay before a failure is answered
 * doubles with the failures of the pair and with all failures from the address, so spraying many
 * user names from one address is slowed too; successful logins are never delayed.
 *
 * The session checks the lockout only once the exchange has run to the end, and answers a locked
 * principal exactly as a wrong password (see client-session.ts): locked, unknown and wrong all look
 * the same to the client, so the lockout cannot be used to learn which user names exist.
 *
 * Memory is bounded: each table keeps at most `maxTrackedEntries` records, evicting the least
 * recently failed first; locked pairs have their own table so a flood of fresh names cannot push
 * a lockout out before `maxTrackedEntries` other pairs are locked too. Long principal names are
 * keyed by their hash.
 */
import { createHash } from 'node:crypto';
import type { LimitsConfig } from '../config/schema.js';

type FailedAuthConfig = LimitsConfig['failedAuth'];

interface Window {
  failures: number;
  windowStart: number;
}

interface Lock {
  lockedUntil: number;
}

/** Principal names longer than this are keyed by their SHA-256 (a key must stay small). */
const MAX_KEY_PRINCIPAL_CHARS = 64;

export class AuthFailureLimiter {
  /** Recent failures per (principal, address) not locked (yet). */
  private readonly pairs: RecentMap<Window>;
  /** Locked (principal, address) pairs. */
  private readonly locks: RecentMap<Lock>;
  /** Recent failures per address, whatever the principal: feeds the delay only, never a lockout. */
  private readonly addresses: RecentMap<Window>;

  constructor(
    private readonly cfg: FailedAuthConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.pairs = new RecentMap(cfg.maxTrackedEntries);
    this.locks = new RecentMap(cfg.maxTrackedEntries);
    this.addresses = new RecentMap(cfg.maxTrackedEntries);
  }

  /** ms `principal` remains locked out from `address`; 0 when it may log in. */
  lockedForMs(principal: string, address: string): number {
    const key = pairKey(principal, address);
    const lock = this.locks.get(key);
    if (!lock) return 0;
    const left = lock.lockedUntil - this.now();
    if (left <= 0) this.locks.delete(key);
    return Math.max(0, left);
  }

  /**
   * Records a failed login from `address`, as `principal` when the client got far enough to name
   * one; returns the delay (ms) to wait before answering it.
   */
  failed(principal: string | undefined, address: string): number {
    const now = this.now();
    const fromAddress = this.count(this.addresses, address, now);
    let fromPair = 0;
    if (principal !== undefined) {
      const key = pairKey(principal, address);
      if (this.lockedForMs(principal, address) > 0) fromPair = this.cfg.lockoutThreshold;
      else {
        fromPair = this.count(this.pairs, key, now);
        if (fromPair >= this.cfg.lockoutThreshold) {
          this.pairs.delete(key);
          this.locks.set(key, { lockedUntil: now + this.cfg.lockoutMs });
        }
      }
    }
    const exponent = Math.max(fromPair, fromAddress) - 1;
    return Math.min(this.cfg.maxDelayMs, this.cfg.baseDelayMs * 2 ** Math.min(exponent, 30));
  }

  /** A successful login clears the pair's failures (not the address's: any account could do that). */
  succeeded(principal: string, address: string): void {
    this.pairs.delete(pairKey(principal, address));
  }

  /** Records kept, per table (for tests and the memory bound). */
  get size(): { pairs: number; locks: number; addresses: number } {
    return { pairs: this.pairs.size, locks: this.locks.size, addresses: this.addresses.size };
  }

  private count(table: RecentMap<Window>, key: string, now: number): number {
    let w = table.get(key);
    if (!w || now - w.windowStart > this.cfg.windowMs) w = { failures: 0, windowStart: now };
    w.failures++;
    table.set(key, w);
    return w.failures;
  }
}

function pairKey(principal: string, address: string): string {
  const p =
    principal.length <= MAX_KEY_PRINCIPAL_CHARS
      ? principal
      : `sha256:${createHash('sha256').update(principal).digest('base64')}`;
  return `${address}\u0000${p}`;
}

/** A Map bounded to `capacity` entries that drops the least recently set one when full. */
class RecentMap<V> {
  private readonly map = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  set(key: string, value: V): void {
    // Re-inserting moves the key to the end: Map iteration order is insertion order.
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
  }

  delete(key: string): void {
    this.map.delete(key);
  }
}
