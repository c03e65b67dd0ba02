/**
 * Retrying a request against a cluster: attempts that fail with an error `isRetriable` accepts
 * (lost connections, leaders or coordinators that moved) run again with exponential backoff
 * (100 ms doubling to 2 s; `firstBackoffMs` lowers the first wait for answers known to clear within
 * milliseconds, e.g. CONCURRENT_TRANSACTIONS while a commit's markers are written) until `retryForMs`
 * has passed; then, or on any other error, the error is thrown as it came.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export async function withRetries<T>(
  retryForMs: number,
  isRetriable: (e: unknown) => boolean,
  attempt: () => Promise<T>,
  firstBackoffMs = 100,
): Promise<T> {
  const deadline = Date.now() + retryForMs;
  for (let backoff = firstBackoffMs; ; backoff = Math.min(backoff * 2, 2000)) {
    try {
      return await attempt();
    } catch (e) {
      if (!isRetriable(e) || Date.now() + backoff > deadline) throw e;
      await sleep(backoff);
    }
  }
}
