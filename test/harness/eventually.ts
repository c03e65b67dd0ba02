/**
 * Waits until `check` yields a value (anything but undefined or false) and returns it; throws naming
 * `what` (and the last error `check` threw) when `timeoutMs` passes first. For state Kafka converges
 * to asynchronously: metadata after a deletion, a replayed topic, a mirrored record.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`not within ${timeoutMs} ms: ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await sleep(intervalMs);
  }
}
