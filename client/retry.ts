/**
 * The one backoff policy and retry helper of the code base.
 *
 * - `Backoff`: exponential delays (initial, doubling, capped) with optional jitter; for loops that
 *   are not "call until it works" (a fetch tail that keeps running, a producer resending what was
 *   not acknowledged, a task supervisor) but pause between failed rounds.
 * - `withRetries`: runs an attempt until it succeeds; an error `isRetriable` accepts (by default
 *   client/retriable.ts: the Kafka error table's retriable flag, plus lost connections) runs it
 *   again after the next backoff delay, until the deadline, the abort signal or `maxAttempts`;
 *   then, or on any other error, the attempt's error is thrown as it came.
 *
 * Time is injectable (`clock`) so the unit tests run without waiting.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isRetriableError } from './retriable.js';

export interface BackoffOptions {
  /** First delay (default 100 ms). */
  initialBackoffMs?: number;
  /** Largest delay (default 2 s). */
  maxBackoffMs?: number;
  /** Factor between delays (default 2). */
  multiplier?: number;
  /**
   * Fraction of each delay drawn at random (0 = none, the default; 0.2 = between 80 % and 100 % of
   * it), so that many clients failing together do not retry together.
   */
  jitter?: number;
  /** Random numbers in [0, 1) for the jitter (default Math.random). */
  random?: () => number;
}

export class Backoff {
  private readonly initial: number;
  private readonly max: number;
  private readonly multiplier: number;
  private readonly jitter: number;
  private readonly random: () => number;
  private current: number;

  constructor(opts: BackoffOptions = {}) {
    this.initial = opts.initialBackoffMs ?? 100;
    this.max = Math.max(opts.maxBackoffMs ?? 2000, this.initial);
    this.multiplier = opts.multiplier ?? 2;
    this.jitter = Math.min(Math.max(opts.jitter ?? 0, 0), 1);
    this.random = opts.random ?? Math.random;
    this.current = this.initial;
  }

  /** The delay before the next try; each call grows the following one up to the cap. */
  next(): number {
    const base = this.current;
    this.current = Math.min(this.current * this.multiplier, this.max);
    return this.jitter === 0 ? base : Math.round(base * (1 - this.jitter * this.random()));
  }

  /** After a success: the next failure waits the initial delay again. */
  reset(): void {
    this.current = this.initial;
  }
}

/** Where `withRetries` reads the time and waits (real time unless a test injects its own). */
export interface RetryClock {
  now(): number;
  /** Resolves after `ms`, or rejects when `signal` aborts; `ref: false` lets the process exit meanwhile. */
  sleep(ms: number, opts: { signal?: AbortSignal | undefined; ref: boolean }): Promise<void>;
}

export const realClock: RetryClock = {
  now: () => Date.now(),
  sleep: (ms, { signal, ref }) => sleep(ms, undefined, { signal, ref }),
};

export interface RetryOptions extends BackoffOptions {
  /** Which errors are worth another attempt (default: isRetriableError from client/retriable.ts). */
  isRetriable?: (error: unknown) => boolean;
  /** Stop retrying once this long has passed since the first attempt (default: no limit). */
  retryForMs?: number;
  /** Stop retrying at this time (ms since the epoch, as `clock.now()`); the earlier limit wins. */
  deadline?: number;
  /** At most this many attempts in all (default: no limit). */
  maxAttempts?: number;
  /** Ends the retries: the attempt's last error is thrown without waiting out the delay. */
  signal?: AbortSignal;
  /** Told before each wait (for logging): the error, the attempt that failed (1-based), the delay. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /**
   * false: a wait does not keep the process alive (background retries of a service whose
   * stop() aborts `signal`, as an unref'd timer). Default true.
   */
  keepProcessAlive?: boolean;
  clock?: RetryClock;
}

export async function withRetries<T>(
  opts: RetryOptions,
  attempt: (attempt: number) => Promise<T>,
): Promise<T> {
  const clock = opts.clock ?? realClock;
  const isRetriable = opts.isRetriable ?? isRetriableError;
  const deadline = Math.min(clock.now() + (opts.retryForMs ?? Infinity), opts.deadline ?? Infinity);
  const backoff = new Backoff(opts);
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (!isRetriable(e) || opts.signal?.aborted === true) throw e;
      if (opts.maxAttempts !== undefined && n >= opts.maxAttempts) throw e;
      const delay = backoff.next();
      if (clock.now() + delay > deadline) throw e;
      opts.onRetry?.(e, n, delay);
      try {
        await clock.sleep(delay, { signal: opts.signal, ref: opts.keepProcessAlive ?? true });
      } catch {
        throw e; // aborted while waiting: the caller learns why the last attempt failed
      }
    }
  }
}

/**
 * Keeps trying `attempt` every `everyMs` in the background until it succeeds or `signal` aborts (a
 * service's stop()): for set-up that must wait for a cluster or a topic however long it takes. The
 * waits do not keep the process alive; failures are the attempt's to record (it sees each one).
 */
export function retryInBackground(everyMs: number, signal: AbortSignal, attempt: () => Promise<void>): void {
  const options: RetryOptions = {
    initialBackoffMs: everyMs,
    maxBackoffMs: everyMs,
    isRetriable: () => !signal.aborted,
    signal,
    keepProcessAlive: false,
  };
  withRetries(options, attempt).catch(() => undefined);
}
