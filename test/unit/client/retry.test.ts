/**
 * The one backoff helper: delays grow and cap, jitter stays within its fraction, and withRetries
 * stops on a non-retriable error, the deadline, maxAttempts and the abort signal. Time is a fake
 * clock, so nothing here waits or depends on the machine's speed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff, retryInBackground, withRetries, type RetryClock } from '../../../client/retry.js';
import { ConnectionError } from '../../../client/connection.js';

/** A clock whose sleep only advances its own time, recording every wait. */
function fakeClock(): RetryClock & { waits: number[]; time: number } {
  const c = {
    time: 1_000_000,
    waits: [] as number[],
    now: () => c.time,
    sleep: (ms: number, { signal }: { signal?: AbortSignal | undefined; ref: boolean }) => {
      if (signal?.aborted) return Promise.reject(new Error('aborted'));
      c.waits.push(ms);
      c.time += ms;
      return Promise.resolve();
    },
  };
  return c;
}

class Transient extends Error {}

/** An attempt that fails with `error` the first `failures` times, then answers 'ok'. */
function failing(failures: number, error: () => Error = () => new Transient('not yet')) {
  let calls = 0;
  const attempt = (): Promise<string> =>
    ++calls <= failures ? Promise.reject(error()) : Promise.resolve('ok');
  return { attempt, calls: () => calls };
}

const transient = (e: unknown): boolean => e instanceof Transient;

test('delays start at the initial value, grow by the multiplier and stop at the cap; reset starts over', () => {
  const b = new Backoff({ initialBackoffMs: 100, maxBackoffMs: 1000 });
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6].map(() => b.next()),
    [100, 200, 400, 800, 1000, 1000],
  );
  b.reset();
  assert.equal(b.next(), 100);
  const tripled = new Backoff({ initialBackoffMs: 10, maxBackoffMs: 100, multiplier: 3 });
  assert.deepEqual(
    [1, 2, 3, 4].map(() => tripled.next()),
    [10, 30, 90, 100],
  );
});

test('jitter takes at most its fraction off each delay', () => {
  const lowest = new Backoff({
    initialBackoffMs: 1000,
    maxBackoffMs: 1000,
    jitter: 0.2,
    random: () => 0.999999,
  });
  const highest = new Backoff({ initialBackoffMs: 1000, maxBackoffMs: 1000, jitter: 0.2, random: () => 0 });
  assert.equal(lowest.next(), 800);
  assert.equal(highest.next(), 1000);
  const real = new Backoff({ initialBackoffMs: 1000, maxBackoffMs: 1000, jitter: 0.5 });
  for (let i = 0; i < 100; i++) {
    const d = real.next();
    assert.ok(d >= 500 && d <= 1000, `delay ${d} outside [500, 1000]`);
  }
});

test('withRetries retries a retriable error with growing waits, then returns the result', async () => {
  const clock = fakeClock();
  const { attempt, calls } = failing(3);
  const seen: [number, number][] = [];
  const result = await withRetries(
    { isRetriable: transient, clock, onRetry: (_e, n, delay) => seen.push([n, delay]) },
    attempt,
  );
  assert.equal(result, 'ok');
  assert.equal(calls(), 4);
  assert.deepEqual(clock.waits, [100, 200, 400]);
  assert.deepEqual(seen, [
    [1, 100],
    [2, 200],
    [3, 400],
  ]);
});

test('an error that is not retriable is thrown at once, as it came', async () => {
  const clock = fakeClock();
  const refused = new Error('refused for good');
  const { attempt, calls } = failing(5, () => refused);
  await assert.rejects(withRetries({ isRetriable: transient, clock }, attempt), (e) => e === refused);
  assert.equal(calls(), 1);
  assert.deepEqual(clock.waits, []);
});

test('the default decision retries lost connections (client/retriable.ts)', async () => {
  const clock = fakeClock();
  const { attempt, calls } = failing(2, () => new ConnectionError('closed', { host: 'h', port: 1 }));
  assert.equal(await withRetries({ clock }, attempt), 'ok');
  assert.equal(calls(), 3);
});

test('retries stop when the next wait would pass retryForMs or the deadline, with the last error', async () => {
  const clock = fakeClock();
  const { attempt, calls } = failing(100);
  await assert.rejects(withRetries({ isRetriable: transient, retryForMs: 1000, clock }, attempt), Transient);
  // waits 100 + 200 + 400 = 700; the next (800) would end past 1000.
  assert.deepEqual(clock.waits, [100, 200, 400]);
  assert.equal(calls(), 4);

  const clock2 = fakeClock();
  const deadline = clock2.time + 350;
  await assert.rejects(
    withRetries({ isRetriable: transient, deadline, clock: clock2 }, failing(100).attempt),
  );
  assert.deepEqual(clock2.waits, [100, 200]);
});

test('maxAttempts bounds the number of attempts', async () => {
  const clock = fakeClock();
  const { attempt, calls } = failing(100);
  await assert.rejects(withRetries({ isRetriable: transient, maxAttempts: 3, clock }, attempt), Transient);
  assert.equal(calls(), 3);
});

test('an aborted signal ends the retries with the last error, without another attempt', async () => {
  const clock = fakeClock();
  const stop = new AbortController();
  let calls = 0;
  const attempt = (): Promise<string> => {
    calls++;
    if (calls === 2) stop.abort();
    return Promise.reject(new Transient(`attempt ${calls}`));
  };
  await assert.rejects(
    withRetries({ isRetriable: transient, signal: stop.signal, clock }, attempt),
    /attempt 2/,
  );
  assert.equal(calls, 2);
});

test('an abort during a real wait ends it early', async () => {
  const stop = new AbortController();
  const started = Date.now();
  const run = withRetries({ isRetriable: transient, initialBackoffMs: 60_000, signal: stop.signal }, () =>
    Promise.reject(new Transient('down')),
  );
  setImmediate(() => stop.abort());
  await assert.rejects(run, /down/);
  assert.ok(Date.now() - started < 30_000, 'the 60 s wait was cut short by the abort');
});

test('retryInBackground keeps trying until the attempt works, and not after stop', async (t) => {
  // Its waits do not keep a process alive (by design): this timer keeps the test's alive.
  const keepAlive = setInterval(() => undefined, 1000);
  t.after(() => clearInterval(keepAlive));
  let calls = 0;
  const done = new Promise<void>((resolve) =>
    retryInBackground(1, new AbortController().signal, () => {
      calls++;
      if (calls < 3) return Promise.reject(new Error('not yet'));
      resolve();
      return Promise.resolve();
    }),
  );
  await done;
  assert.equal(calls, 3);

  const stopped = new AbortController();
  stopped.abort();
  let after = 0;
  retryInBackground(1, stopped.signal, () => {
    after++;
    return Promise.reject(new Error('down'));
  });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(after, 1, 'one attempt, then no retries once stopped');
});
