/**
 * Slows down and then locks out password guessing, per client address: each failure within the
 * window doubles the delay before the failure is answered, and past the threshold the address is
 * refused for the lockout period. A success clears the address's record. Memory is bounded by
 * pruning entries whose window has passed.
 */
import type { LimitsConfig } from '../config/schema.js';

interface Record {
  failures: number;
  windowStart: number;
  lockedUntil: number;
}

export class AuthFailureLimiter {
  private readonly byAddress = new Map<string, Record>();
  private readonly cfg: LimitsConfig['failedAuth'];

  constructor(
    cfg: LimitsConfig['failedAuth'],
    private readonly now: () => number = Date.now,
  ) {
    this.cfg = cfg;
  }

  /** ms the address remains locked out; 0 when it may try. */
  lockedForMs(address: string): number {
    const r = this.byAddress.get(address);
    return r ? Math.max(0, r.lockedUntil - this.now()) : 0;
  }

  /** Records a failure; returns the delay (ms) to wait before answering it. */
  failed(address: string): number {
    const now = this.now();
    this.prune(now);
    let r = this.byAddress.get(address);
    if (!r || now - r.windowStart > this.cfg.windowMs) {
      r = { failures: 0, windowStart: now, lockedUntil: 0 };
      this.byAddress.set(address, r);
    }
    r.failures++;
    if (r.failures >= this.cfg.lockoutThreshold) r.lockedUntil = now + this.cfg.lockoutMs;
    return Math.min(this.cfg.maxDelayMs, this.cfg.baseDelayMs * 2 ** (r.failures - 1));
  }

  succeeded(address: string): void {
    this.byAddress.delete(address);
  }

  private prune(now: number): void {
    if (this.byAddress.size < 10_000) return;
    for (const [a, r] of this.byAddress) {
      if (now - r.windowStart > this.cfg.windowMs && r.lockedUntil < now) this.byAddress.delete(a);
    }
  }
}
