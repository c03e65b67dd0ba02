import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  evaluateGroup,
  evaluateWindow,
  type Commit,
  type Status,
} from '../../../monitor/status/evaluator.js';

/** Commits at t = 0, 10, 20, ... seconds with the given offsets and lags. */
const w = (offsets: number[], lags: number[]): Commit[] =>
  offsets.map((offset, i) => ({ offset, lag: lags[i]!, timestampMs: i * 10_000 }));
const lastT = (c: Commit[]) => c[c.length - 1]!.timestampMs;

const cases: { name: string; window: Commit[]; lag: number; now?: number; want: Status }[] = [
  { name: 'no lag now', window: w([10, 20, 30], [5, 5, 5]), lag: 0, want: 'OK' },
  { name: 'lag was zero once in the window', window: w([10, 20, 30], [5, 0, 5]), lag: 5, want: 'OK' },
  { name: 'empty window', window: [], lag: 5, want: 'OK' },
  { name: 'offset went backwards', window: w([10, 20, 5, 15], [5, 5, 20, 20]), lag: 20, want: 'REWIND' },
  { name: 'rewind wins over stop', window: w([10, 5], [5, 9]), lag: 9, now: 10_000_000, want: 'REWIND' },
  {
    name: 'no commit for longer than the window spans',
    window: w([10, 20, 30], [5, 6, 7]),
    lag: 7,
    now: 20_000 + 20_001,
    want: 'STOP',
  },
  {
    name: 'stop boundary: exactly the span is not yet STOP',
    window: w([10, 20, 30], [5, 4, 3]),
    lag: 3,
    now: 40_000,
    want: 'OK',
  },
  {
    name: 'same offset committed over and over',
    window: w([10, 10, 10, 10], [5, 6, 7, 8]),
    lag: 8,
    want: 'STALL',
  },
  { name: 'moving but lag never decreases', window: w([10, 20, 30, 40], [5, 5, 6, 9]), lag: 9, want: 'WARN' },
  {
    name: 'moving and lag decreases somewhere',
    window: w([10, 20, 30, 40], [5, 6, 4, 9]),
    lag: 9,
    want: 'OK',
  },
  { name: 'single commit with lag: nothing to compare yet', window: w([10], [5]), lag: 5, want: 'OK' },
  { name: 'single commit, long ago: STOP', window: w([10], [5]), lag: 5, now: 1, want: 'STOP' },
];

describe('Burrow rules (evaluateWindow)', () => {
  for (const c of cases) {
    test(`${c.name} → ${c.want}`, () => {
      const now = c.now ?? (c.window.length ? lastT(c.window) : 0);
      assert.equal(evaluateWindow(c.window, c.lag, now), c.want);
    });
  }
});

describe('group status', () => {
  const part = (topic: string, partition: number, window: Commit[], currentLag: number) => ({
    topic,
    partition,
    window,
    windowSize: 4,
    currentLag,
  });

  test('worst partition wins; STOP/STALL/REWIND count as ERR at group level; maxlag and totals', () => {
    const s = evaluateGroup(
      'east',
      'g',
      [
        part('t', 0, w([10, 20, 30, 40], [0, 0, 0, 0]), 0),
        part('t', 1, w([10, 10, 10, 10], [5, 6, 7, 8]), 8),
        part('t', 2, w([1, 2, 3, 4], [50, 55, 58, 60]), 60),
      ],
      30_000,
    );
    assert.equal(s.status, 'ERR');
    assert.deepEqual(
      s.partitions.map((p) => p.status),
      ['OK', 'STALL', 'WARN'],
    );
    assert.equal(s.totalLag, 68);
    assert.equal(s.maxlag?.partition, 2);
    assert.equal(s.complete, 1);
  });

  test('WARN stays WARN at group level', () => {
    const s = evaluateGroup('east', 'g', [part('t', 0, w([1, 2, 3, 4], [5, 6, 7, 8]), 8)], 30_000);
    assert.equal(s.status, 'WARN');
  });

  test('no partitions: OK, complete, no maxlag', () => {
    const s = evaluateGroup('east', 'g', [], 0);
    assert.equal(s.status, 'OK');
    assert.equal(s.maxlag, undefined);
    assert.equal(s.complete, 1);
  });
});
