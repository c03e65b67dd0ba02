import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LookupTable } from '../../../monitor/lag/lookup-table.js';

describe('offset → time lookup table (Kafka Lag Exporter method)', () => {
  test('interpolates between the bracketing points', () => {
    const t = new LookupTable(10);
    t.add({ offset: 0, timeMs: 0 });
    t.add({ offset: 100, timeMs: 10_000 });
    t.add({ offset: 300, timeMs: 20_000 });
    // offset 200 was the log end half-way between 10 s and 20 s; now = 20 s → 5 s behind
    assert.deepEqual(t.timeLag(200, 20_000), { kind: 'interpolated', seconds: 5 });
    assert.deepEqual(t.timeLag(50, 20_000), { kind: 'interpolated', seconds: 15 });
  });

  test('zero lag when the commit is at the newest log end', () => {
    const t = new LookupTable(10);
    t.add({ offset: 100, timeMs: 1000 });
    assert.deepEqual(t.timeLag(100, 5000), { kind: 'zero', seconds: 0 });
    assert.deepEqual(t.timeLag(150, 5000), { kind: 'zero', seconds: 0 });
  });

  test('too few points with lag is unknown, not zero', () => {
    const t = new LookupTable(10);
    assert.equal(t.timeLag(5, 0).kind, 'too-few-points');
    t.add({ offset: 100, timeMs: 1000 });
    assert.deepEqual(t.timeLag(50, 2000), { kind: 'too-few-points', seconds: undefined });
  });

  test('extrapolates with the overall slope before the oldest point', () => {
    const t = new LookupTable(10);
    t.add({ offset: 100, timeMs: 10_000 });
    t.add({ offset: 200, timeMs: 20_000 });
    // 10 records/s: offset 0 was the log end at t = 0
    assert.deepEqual(t.timeLag(0, 20_000), { kind: 'extrapolated', seconds: 20 });
  });

  test('flat stretches compress to two points; a flat table gives a lower bound', () => {
    const t = new LookupTable(10);
    for (let i = 0; i < 5; i++) t.add({ offset: 100, timeMs: i * 1000 });
    assert.deepEqual(
      t.snapshot().map((p) => p.timeMs),
      [0, 4000],
    );
    assert.deepEqual(t.timeLag(50, 10_000), { kind: 'lower-bound', seconds: 10 });
  });

  test('ignores out-of-order points, restarts when the log end goes backwards, bounded size', () => {
    const t = new LookupTable(3);
    t.add({ offset: 10, timeMs: 1000 });
    t.add({ offset: 20, timeMs: 500 });
    assert.equal(t.length, 1);
    t.add({ offset: 20, timeMs: 2000 });
    t.add({ offset: 30, timeMs: 3000 });
    t.add({ offset: 40, timeMs: 4000 });
    assert.deepEqual(
      t.snapshot().map((p) => p.offset),
      [20, 30, 40],
    );
    t.add({ offset: 5, timeMs: 5000 });
    assert.deepEqual(
      t.snapshot().map((p) => p.offset),
      [5],
    );
  });
});
