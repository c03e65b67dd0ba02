/**
 * Exact offset translation, proved against a brute-force oracle: random source partitions (gaps
 * from transaction markers, aborted or compacted records, echoes), random foreign writes between
 * the mirror's produce batches on the target (active-active), random mirror crashes (syncs not yet
 * written are lost, records after the committed position are replayed), random compaction of the
 * offset-syncs topic and random memory limits. The writer (OffsetSyncDecider) produces the syncs,
 * the store (OffsetSyncStore) reads them, and every group offset is translated and checked against
 * the simulated target partition itself.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OffsetSyncStore } from '../../../mm2/offset-sync-store.js';
import { oracle, prng, simulate, T, type Scenario } from './translation-sim.js';

/**
 * 0 re-read and 0 skipped by content, for a consumer resuming at `d`: (a) no mirrored record below U
 * at or after d; (b) every record from U up to the mirror's position (the mirror will not copy those
 * again) has a copy at or after d. Precomputed per scenario: minimum source offset from each target
 * offset on, and the lowest "last copy" target offset over the records from each source offset on.
 */
function contentChecker(s: Scenario): (U: number, d: number, why: string) => void {
  const minFrom = new Array<number>(s.target.length + 1).fill(Infinity);
  for (let d = s.target.length - 1; d >= 0; d--)
    minFrom[d] = Math.min(minFrom[d + 1]!, s.target[d] ?? Infinity);
  const lastCopy = new Map<number, number>();
  s.target.forEach((u, d) => u !== null && lastCopy.set(u, d));
  const minLastCopyFrom = new Array<number>(s.sourceEnd + 2).fill(Infinity);
  for (let u = s.sourceEnd; u >= 0; u--) {
    const own = u < s.position ? (lastCopy.get(u) ?? Infinity) : Infinity;
    minLastCopyFrom[u] = Math.min(minLastCopyFrom[u + 1]!, own);
  }
  return (U, d, why) => {
    assert.ok(minFrom[d]! >= U, `${why}: a record below ${U} is read again after ${d}`);
    assert.ok(
      minLastCopyFrom[Math.min(U, s.sourceEnd + 1)]! >= d,
      `${why}: a record at/after ${U} is skipped`,
    );
  };
}

describe('exact offset translation (property test against a brute-force oracle)', () => {
  test('every group offset of 3000 random scenarios', () => {
    let exact = 0;
    let atHead = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const rng = prng(seed);
      const s = simulate(rng);
      // Compaction of the offset-syncs topic leaves a suffix of the stream; eviction drops old runs.
      const compacted = rng(4) === 0 && s.syncs.length > 0;
      const from = compacted ? rng(s.syncs.length) : 0;
      const limited = rng(5) === 0;
      let evicted = false;
      const onEvict = (): void => {
        evicted = true;
      };
      const evicting = new OffsetSyncStore(limited ? 3 + rng(10) : 1_000_000, onEvict);
      for (const sync of s.syncs.slice(from)) evicting.add(sync);
      const trimmed = compacted || evicted;
      const firstU = s.syncs.length > 0 ? Number(s.syncs[0]!.upstreamOffset) : undefined;
      const contentCheck = contentChecker(s);
      for (let U = 0; U <= s.sourceEnd + 1; U++) {
        const why = `seed ${seed} U=${U}`;
        const t = evicting.translate(T, 0, BigInt(U), BigInt(s.position));
        const o = oracle(s.target, U);
        if (t.kind === 'exact') {
          const d = Number(t.offset);
          contentCheck(U, d, why);
          if (t.atHead) {
            atHead++;
            assert.ok(U <= s.position, `${why}: an answer at the head for a group ahead of the mirror`);
            if (!s.crashed) assert.equal(d, o.afterLastBelow, `${why}: head`);
          } else {
            exact++;
            assert.notEqual(s.target[d], null, `${why}: ${d} is not a mirrored record`);
            if (!s.crashed) assert.equal(d, o.firstAtOrAfter, `${why}: first mirrored record at/after U`);
          }
        } else if (t.kind === 'ahead') {
          assert.ok(U > s.position, `${why}: 'ahead' although the mirror is at ${s.position}`);
        } else if (t.kind === 'behind') {
          assert.ok(trimmed, `${why}: 'behind' with the whole history kept (from the log start)`);
        } else {
          assert.equal(s.syncs.length - from, 0, `${why}: 'none' although syncs exist`);
        }
        // Completeness: with the whole history, every offset the mirror has passed is translated.
        if (!trimmed && firstU !== undefined && U <= s.position)
          assert.equal(t.kind, 'exact', `${why}: not translated (${t.kind})`);
      }
    }
    assert.ok(exact > 100_000 && atHead > 1000, `exercised: ${exact} exact, ${atHead} at the head`);
  });
});
