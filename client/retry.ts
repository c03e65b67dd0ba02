/**
 * Retrying a request against a cluster: attempts that fail with an error `isRetriable` accepts
 * (lost connections, leaders or coordinators that moved) run again with exponential backoff
 * (100 ms doubling to 2 s) until `retryForMs` has passed; then, or on any other error, the error
 * is thrown as it came.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export async function withRetries<T>(
  retryForMs: number,
  isRetriable: (e: unknown) => boolean,
  attempt: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + retryForMs;
  for (let backoff = 100; ; backoff = Math.min(backoff * 2, 2000)) {
    try {
      return await attempt();
    } catch (e) {
      if (!isRetriable(e) || Date.now() + backoff > deadline) throw e;
      await sleep(backoff);
    }
  }
}
