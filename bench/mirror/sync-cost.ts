/**
 * The cost of exact translation without Kafka: offset syncs written per 1 000 records by kgw's
 * writer (OffsetSyncDecider) and by MM2's rule (OffsetSyncWriter: the first record, a record after
 * a source gap or a target rewind, and offset.lag.max; the newest record at each commit), for
 * source/target patterns a mirror meets; and the checkpoint side's memory (runs kept) and CPU per
 * added sync and per translation (OffsetSyncStore).
 *
 *   node dist/bench/mirror/sync-cost.js [records=1000000]
 */
import { OffsetSyncStore } from '../../mm2/offset-sync-store.js';
import type { OffsetSync } from '../../mm2/formats.js';
import { OffsetSyncDecider } from '../../mirror/source/offset-sync-writer.js';
import { mulberry32 } from '../../test/harness/random.js';

const RECORDS = Number(process.argv[2] ?? 1_000_000);
const LAG_MAX = 100; // MM2's offset.lag.max default
const COMMIT_EVERY = 5000; // records between position commits (about one second at 5k records/s)

/** One pattern: for record i, how far the source and the target offsets jump before it (0 = contiguous). */
interface Pattern {
  name: string;
  gaps: (i: number, rnd: () => number) => { source: number; target: number };
}

const PATTERNS: Pattern[] = [
  { name: 'plain topic', gaps: () => ({ source: 0, target: 0 }) },
  {
    name: 'transactions of 10 records (a marker after each)',
    gaps: (i) => ({ source: i > 0 && i % 10 === 0 ? 1 : 0, target: 0 }),
  },
  {
    name: 'compacted: half the records removed at random',
    gaps: (_i, rnd) => {
      let source = 0;
      while (rnd() < 0.5) source++;
      return { source, target: 0 };
    },
  },
  {
    name: 'active-active: batches of 500, the other side’s 500 between (source echoes, target local writes)',
    gaps: (i) => (i > 0 && i % 500 === 0 ? { source: 500, target: 500 } : { source: 0, target: 0 }),
  },
];

/** MM2's OffsetSyncWriter.PartitionState rule, for comparison. */
class Mm2Rule {
  private prevU = -1n;
  private prevD = -1n;
  private lastSyncD = -1n;
  private delayed = false;
  syncs = 0;
  record(u: bigint, d: bigint): void {
    const due =
      this.lastSyncD === -1n ||
      d - (this.lastSyncD + 1n) >= BigInt(LAG_MAX) ||
      u - this.prevU !== 1n ||
      d < this.prevD;
    if (due) {
      this.syncs++;
      this.lastSyncD = d;
      this.delayed = false;
    } else this.delayed = true;
    this.prevU = u;
    this.prevD = d;
  }
  commit(): void {
    if (this.delayed) this.syncs++;
    this.delayed = false;
  }
}

const rng = mulberry32;

console.log(
  `offset syncs per 1 000 records mirrored (${RECORDS} records, offset.lag.max ${LAG_MAX}, a commit every ${COMMIT_EVERY})`,
);
console.log('| pattern | kgw syncs/1k | MM2 rule syncs/1k | runs kept | add µs/sync | translate µs |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const p of PATTERNS) {
  const rnd = rng(7);
  const writer = new OffsetSyncDecider(LAG_MAX);
  writer.startsAtLogStart('t', 0);
  const mm2 = new Mm2Rule();
  const syncs: OffsetSync[] = [];
  let u = 0n;
  let d = 0n;
  for (let i = 0; i < RECORDS; i++) {
    const g = p.gaps(i, rnd);
    u += BigInt(g.source);
    d += BigInt(g.target);
    writer.record('t', 0, u, d);
    mm2.record(u, d);
    if (i % COMMIT_EVERY === COMMIT_EVERY - 1) {
      writer.promoteDelayed();
      mm2.commit();
    }
    for (const s of writer.drain()) syncs.push(s);
    u++;
    d++;
  }
  writer.promoteDelayed();
  syncs.push(...writer.drain());
  mm2.commit();
  const store = new OffsetSyncStore(10_000_000);
  const t0 = process.hrtime.bigint();
  for (const s of syncs) store.add(s);
  const addNs = Number(process.hrtime.bigint() - t0) / syncs.length;
  const queries = 200_000;
  const probe = rng(11);
  const t1 = process.hrtime.bigint();
  let answered = 0;
  for (let q = 0; q < queries; q++)
    if (store.translate('t', 0, BigInt(Math.floor(probe() * Number(u))), u).kind === 'exact') answered++;
  const translateNs = Number(process.hrtime.bigint() - t1) / queries;
  if (answered !== queries) throw new Error(`${p.name}: ${queries - answered} offsets not translated`);
  console.log(
    `| ${p.name} | ${((syncs.length * 1000) / RECORDS).toFixed(2)} | ${((mm2.syncs * 1000) / RECORDS).toFixed(2)} | ` +
      `${store.runs} (${((store.runs * 32) / 1024).toFixed(0)} KiB) | ${(addNs / 1000).toFixed(3)} | ${(translateNs / 1000).toFixed(3)} |`,
  );
}
