/**
 * A simulated source partition mirrored by the real OffsetSyncDecider, and a brute-force oracle over
 * the simulated target partition (offset-translation.test.ts).
 */
import type { OffsetSync } from '../../../mm2/formats.js';
import { OffsetSyncDecider } from '../../../mirror/source/offset-sync-writer.js';
import { mulberry32 } from '../../harness/random.js';

/** A seeded generator (mulberry32), so a failure names a seed that reproduces it; whole numbers below n if given. */
export function prng(seed: number): (n?: number) => number {
  const next = mulberry32(seed);
  return (n?: number) => (n === undefined ? next() : Math.floor(next() * n));
}

export interface Scenario {
  /** The target partition: the source offset of each mirrored record, null for other writers' records. */
  target: (number | null)[];
  /** The offset syncs as durably written, in order. */
  syncs: OffsetSync[];
  /** The mirror's committed source position at the end. */
  position: number;
  crashed: boolean;
  sourceEnd: number;
}

export const T = 't';

/** One source partition mirrored by a simulated source connector, crashes included. */
export function simulate(rng: (n?: number) => number): Scenario {
  const n = 20 + rng(400);
  const pData = [1, 0.95, 0.7, 0.3][rng(4)]!;
  const burst = rng(2) === 0;
  const isData: boolean[] = [];
  for (let u = 0, on = true; u < n; u++) {
    if (burst) {
      if (rng() < 0.15) on = !on;
      isData.push(on || rng() < 0.1);
    } else isData.push(rng() < pData);
  }
  const pForeign = [0, 0.2, 0.6][rng(3)]!;
  const pCrash = [0, 0.03, 0.15][rng(3)]!;
  const lagMax = [1, 7, 100][rng(3)]!;
  const target: (number | null)[] = [];
  const syncs: OffsetSync[] = [];
  let position = 0;
  let crashed = false;
  let committedOnce = false;
  const foreign = (): void => {
    if (rng() < pForeign) for (let k = 1 + rng(6); k > 0; k--) target.push(null);
  };
  foreign();
  while (position < n) {
    const decider = new OffsetSyncDecider(lagMax);
    if (!committedOnce) decider.startsAtLogStart(T, 0); // no stored position: read from the log start
    let pos = position;
    let inflight: OffsetSync[][] = [];
    let lost = false;
    while (pos < n) {
      const end = Math.min(n, pos + 1 + rng(30));
      let chunk = 0;
      for (let u = pos; u < end; u++) {
        if (!isData[u]) continue;
        if (chunk === 0) {
          foreign();
          chunk = 1 + rng(8);
        }
        chunk--;
        decider.record(T, 0, BigInt(u), BigInt(target.length));
        target.push(u);
      }
      pos = end;
      inflight.push(decider.drain());
      if (rng() < 0.25 || pos === n) {
        // a position commit: delayed syncs promoted, every sync written, then the position
        decider.promoteDelayed();
        inflight.push(decider.drain());
        for (const b of inflight) syncs.push(...b);
        inflight = [];
        position = pos;
        committedOnce = true;
      } else if (rng() < pCrash) {
        // kill -9: a prefix of the sync batches in flight reached the broker, the rest is lost
        for (const b of inflight.slice(0, rng(inflight.length + 1))) syncs.push(...b);
        crashed = lost = true;
        break;
      }
    }
    if (!lost && pos === n) break;
  }
  foreign();
  return { target, syncs, position, crashed, sourceEnd: n };
}

export interface Oracle {
  /** Target offset after the last mirrored copy of a record below U (0 if none). */
  afterLastBelow: number;
  /** The first mirrored record at or after U following that point, if any. */
  firstAtOrAfter: number | undefined;
}

export function oracle(target: (number | null)[], U: number): Oracle {
  let lastBelow = -1;
  for (let d = target.length - 1; d >= 0; d--)
    if (target[d] !== null && target[d]! < U) {
      lastBelow = d;
      break;
    }
  let firstAtOrAfter: number | undefined;
  for (let d = lastBelow + 1; d < target.length; d++)
    if (target[d] !== null && target[d]! >= U) {
      firstAtOrAfter = d;
      break;
    }
  return { afterLastBelow: lastBelow + 1, firstAtOrAfter };
}
