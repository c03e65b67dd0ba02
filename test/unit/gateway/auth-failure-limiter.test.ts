// The failed-login limiter: lockout per (principal, address) that never reaches another principal,
// growing delays, and a bounded table under a flood of distinct names and addresses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthFailureLimiter } from '../../../gateway/net/auth-failure-limiter.js';

const CFG = {
  baseDelayMs: 100,
  maxDelayMs: 5_000,
  lockoutThreshold: 5,
  windowMs: 60_000,
  lockoutMs: 300_000,
  maxTrackedEntries: 1_000,
};

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

test('the threshold locks that principal from that address only', () => {
  const c = clock();
  const l = new AuthFailureLimiter(CFG, c.now);
  for (let i = 0; i < CFG.lockoutThreshold; i++) l.failed('User:admin', '10.0.0.1');
  assert.ok(l.lockedForMs('User:admin', '10.0.0.1') > 0, 'the attacked pair is locked');
  assert.equal(l.lockedForMs('User:alice', '10.0.0.1'), 0, 'another principal behind the same NAT is not');
  assert.equal(l.lockedForMs('User:admin', '10.0.0.2'), 0, 'the same principal from elsewhere is not');
  c.advance(CFG.lockoutMs + 1);
  assert.equal(l.lockedForMs('User:admin', '10.0.0.1'), 0, 'the lockout ends');
});

test('a flood of failures for other principals from one address never locks a principal out', () => {
  const l = new AuthFailureLimiter(CFG, clock().now);
  for (let i = 0; i < 10_000; i++) l.failed(`User:guess-${i % 50}`, '10.0.0.1');
  for (let i = 0; i < 10_000; i++) l.failed(undefined, '10.0.0.1');
  assert.equal(l.lockedForMs('User:admin', '10.0.0.1'), 0);
});

test('the delay doubles per failure of the pair and of the address, up to the maximum', () => {
  const l = new AuthFailureLimiter({ ...CFG, lockoutThreshold: 100 }, clock().now);
  const pair = [1, 2, 3, 4].map(() => l.failed('User:bob', '10.0.0.9'));
  assert.deepEqual(pair, [100, 200, 400, 800]);
  // Spraying names from one address grows the delay too (each name has only one failure).
  const l2 = new AuthFailureLimiter({ ...CFG, lockoutThreshold: 100 }, clock().now);
  const spray = Array.from({ length: 10 }, (_, i) => l2.failed(`User:u${i}`, '10.0.0.9'));
  assert.deepEqual(spray.slice(0, 4), [100, 200, 400, 800]);
  assert.equal(spray.at(-1), CFG.maxDelayMs);
});

test('success clears the pair but not the address count', () => {
  const l = new AuthFailureLimiter(CFG, clock().now);
  for (let i = 0; i < CFG.lockoutThreshold - 1; i++) l.failed('User:carol', '10.0.0.3');
  l.succeeded('User:carol', '10.0.0.3');
  l.failed('User:carol', '10.0.0.3');
  assert.equal(l.lockedForMs('User:carol', '10.0.0.3'), 0, 'the count started again');
  assert.ok(l.failed('User:carol', '10.0.0.3') >= 100 * 2 ** (CFG.lockoutThreshold - 1));
});

test('failures outside the window do not add up', () => {
  const c = clock();
  const l = new AuthFailureLimiter(CFG, c.now);
  for (let i = 0; i < 3 * CFG.lockoutThreshold; i++) {
    l.failed('User:dave', '10.0.0.4');
    c.advance(CFG.windowMs / (CFG.lockoutThreshold - 1) + 1);
  }
  assert.equal(l.lockedForMs('User:dave', '10.0.0.4'), 0);
});

test('memory stays bounded under a flood of distinct names and addresses; locks survive name floods', () => {
  const l = new AuthFailureLimiter(CFG, clock().now);
  for (let i = 0; i < CFG.lockoutThreshold; i++) l.failed('User:admin', '10.0.0.1');
  const heapBefore = process.memoryUsage().heapUsed;
  const longName = 'x'.repeat(100_000);
  for (let i = 0; i < 200_000; i++) {
    l.failed(`User:${i % 7 === 0 ? longName : ''}${i}`, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  }
  const size = l.size;
  assert.ok(size.pairs <= CFG.maxTrackedEntries, `pairs ${size.pairs}`);
  assert.ok(size.locks <= CFG.maxTrackedEntries, `locks ${size.locks}`);
  assert.ok(size.addresses <= CFG.maxTrackedEntries, `addresses ${size.addresses}`);
  assert.ok(l.lockedForMs('User:admin', '10.0.0.1') > 0, 'one-failure pairs never push a lockout out');
  global.gc?.();
  const grown = process.memoryUsage().heapUsed - heapBefore;
  // 3 tables × 1000 small records; a table keyed by whole 100 kB names would hold ~2.8 GB.
  assert.ok(grown < 64 * 1024 * 1024, `heap grew by ${grown} bytes`);
});
