/**
 * Translation through the copies of the target's records (CopyIndex), proved by content against a
 * simulated active-active partition: the target (home) partition has records, some never visible to
 * a consumer (aborted, control, compacted away); the reverse mirror copies the visible ones in order,
 * up to a lag, restarting now and then (it replays from an earlier record); the source partition
 * interleaves those copies with its own records. For every committed offset C on the source, the
 * answer R must make a group resuming at R on the target read again no original it read as a copy
 * below C, and skip no visible original it did not read.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CopyIndex } from '../../../mirror/checkpoint/copy-index.js';
import { mulberry32 } from '../../harness/random.js';

const prng = mulberry32;

interface Scenario {
  /** The source partition from offset `first`: the origin offset of a copy, or null for a local record. */
  source: (number | null)[];
  first: number;
  /** Home offsets a consumer sees (copied or not yet copied). */
  visible: number[];
}

function scenario(rand: () => number): Scenario {
  const homeLength = 1 + Math.floor(rand() * 60);
  const visible = [...Array(homeLength).keys()].filter(() => rand() < 0.8);
  const copied = Math.floor(rand() * (visible.length + 1)); // the reverse mirror's lag
  const copies: number[] = [];
  for (let i = 0; i < copied; i++) {
    copies.push(visible[i]!);
    if (rand() < 0.05 && i > 0) i -= 1 + Math.floor(rand() * Math.min(i, 5)); // a restart replays
  }
  const localShare = rand() < 0.3 ? 0 : rand();
  const source: (number | null)[] = [];
  for (const o of copies) {
    while (rand() < localShare) source.push(null);
    source.push(o);
  }
  while (rand() < localShare) source.push(null);
  return { source, first: Math.floor(rand() * 20), visible };
}

function build(s: Scenario, rand: () => number): CopyIndex {
  const index = new CopyIndex(BigInt(s.first));
  s.source.forEach((o, i) => {
    if (o !== null) index.addCopy(BigInt(s.first + i), BigInt(o));
    else if (rand() < 0.5) index.scannedUpTo(BigInt(s.first + i + 1));
    if (rand() < 0.02) index.evictOldest(1 + Math.floor(rand() * 3));
  });
  index.scannedUpTo(BigInt(s.first + s.source.length));
  return index;
}

describe('CopyIndex', () => {
  test('resuming at the translation re-reads nothing and skips nothing, by content', () => {
    let exact = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const rand = prng(seed);
      const s = scenario(rand);
      const index = build(s, rand);
      const hasCopies = s.source.some((o) => o !== null);
      for (let C = s.first; C <= s.first + s.source.length; C++) {
        const t = index.translate(BigInt(C));
        const at = `seed ${seed}, committed ${C}`;
        if (C < Number(index.start)) {
          assert.equal(t.kind, 'unknown', at);
          continue;
        }
        if (!hasCopies || (t.kind === 'none' && Number(index.start) > s.first)) {
          // Only what the index still holds counts: evicted runs may have held the only copies.
          if (!hasCopies) assert.equal(t.kind, 'none', at);
          continue;
        }
        const known = s.source.slice(Number(index.start) - s.first);
        if (t.kind === 'none') {
          assert.ok(
            known.every((o) => o === null),
            `${at}: none, yet copies are indexed`,
          );
          continue;
        }
        assert.equal(t.kind, 'exact', at);
        if (t.kind !== 'exact') continue;
        const R = Number(t.offset);
        const read = new Set(s.source.slice(0, C - s.first).filter((o): o is number => o !== null));
        for (const o of read) assert.ok(o < R, `${at}: resumes at ${R}, re-reading ${o}`);
        for (const o of s.visible) if (o < R) assert.ok(read.has(o), `${at}: resumes at ${R}, skipping ${o}`);
        exact++;
      }
    }
    assert.ok(exact > 10_000, `enough exact answers checked (${exact})`);
  });

  test('outside the scanned range nothing is answered', () => {
    const index = new CopyIndex(10n);
    index.addCopy(10n, 100n);
    index.addCopy(11n, 101n);
    assert.deepEqual(index.translate(9n), { kind: 'unknown' });
    assert.deepEqual(index.translate(13n), { kind: 'unknown' });
    assert.deepEqual(index.translate(11n), { kind: 'exact', offset: 101n });
    assert.deepEqual(index.translate(12n), { kind: 'exact', offset: 102n, atHead: true });
    assert.equal(index.runs, 1);
  });
});
