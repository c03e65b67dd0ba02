import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { computeLag, LookupTables } from '../../../monitor/lag/compute.js';
import { computeReplicationLag } from '../../../monitor/lag/replication.js';
import type { ClusterSnapshot, GroupOffsets } from '../../../monitor/lag/types.js';
import { monitorConfigSchema } from '../../../monitor/config.js';

const group = (name: string, offsets: Record<string, Record<number, number>>, members = 1): GroupOffsets => ({
  group: name,
  protocolType: 'consumer',
  state: members > 0 ? 'Stable' : 'Empty',
  members,
  offsets: new Map(
    Object.entries(offsets).map(([t, ps]) => [
      t,
      new Map(Object.entries(ps).map(([p, o]) => [Number(p), o])),
    ]),
  ),
});

const snap = (
  takenAtMs: number,
  latest: Record<string, number[]>,
  groups: GroupOffsets[],
  cluster = 'east',
): ClusterSnapshot => ({
  cluster,
  takenAtMs,
  topics: new Map(
    Object.entries(latest).map(([t, ls]) => [
      t,
      ls.map((l, partition) => ({ partition, earliest: 0, latest: l })),
    ]),
  ),
  groups,
  warnings: [],
});

describe('lag computation', () => {
  test('records exact, seconds interpolated, sums and max; commits past the log end are zero lag', () => {
    const tables = new LookupTables(10);
    const g = group('g', { orders: { 0: 100, 1: 250 } });
    const s1 = snap(0, { orders: [0, 100] }, [g]);
    tables.record(s1);
    const s2 = snap(10_000, { orders: [200, 200] }, [g]);
    tables.record(s2);
    const [lag] = computeLag(s2, tables);
    assert.ok(lag);
    const p0 = lag.partitions.find((p) => p.partition === 0)!;
    assert.equal(p0.lag, 100);
    // partition 0 grew 0 → 200 over 10 s, so offset 100 was the log end 5 s ago
    assert.equal(p0.lagSeconds, 5);
    const p1 = lag.partitions.find((p) => p.partition === 1)!;
    assert.equal(p1.lag, 0);
    assert.equal(p1.lagSecondsKind, 'zero');
    assert.equal(lag.totalLag, 100);
    assert.equal(lag.maxLag, 100);
    assert.equal(lag.maxLagSeconds, 5);
    assert.equal(lag.simple, false);
  });

  test('first cycle: lag in records known, in seconds unknown', () => {
    const tables = new LookupTables(10);
    const s = snap(0, { t: [50] }, [group('g', { t: { 0: 10 } })]);
    tables.record(s);
    const [lag] = computeLag(s, tables);
    assert.equal(lag!.partitions[0]!.lag, 40);
    assert.equal(lag!.partitions[0]!.lagSeconds, undefined);
    assert.equal(lag!.maxLagSeconds, undefined);
  });

  test('tables forget partitions that vanished', () => {
    const tables = new LookupTables(10);
    tables.record(snap(0, { a: [1], b: [1] }, []));
    assert.equal(tables.size, 2);
    tables.record(snap(1, { a: [2] }, []));
    assert.equal(tables.size, 1);
  });
});

describe('replication lag', () => {
  const mirror = monitorConfigSchema.parse({
    clusters: [
      { name: 'east', bootstrap: 'h:1' },
      { name: 'west', bootstrap: 'h:2' },
    ],
    mirrors: [{ source: 'east', target: 'west' }],
  }).mirrors[0]!;

  test('offset-syncs: upstream + (target log end − downstream)', () => {
    const tables = new LookupTables(10);
    const src1 = snap(0, { orders: [0] }, [], 'east');
    tables.record(src1);
    const src = snap(10_000, { orders: [1000] }, [], 'east');
    tables.record(src);
    const dst = snap(10_000, { 'east.orders': [700] }, [], 'west');
    // source 500 was written at target 400; the target now ends at 700 → replicated up to 800
    const syncs = new Map([
      ['orders\u00000', { topic: 'orders', partition: 0, upstreamOffset: 500, downstreamOffset: 400 }],
    ]);
    const [row] = computeReplicationLag(mirror, ['orders'], src, dst, tables, syncs);
    assert.equal(row!.replicatedUpTo, 800);
    assert.equal(row!.lag, 200);
    assert.equal(row!.lagSeconds, 2); // 100 records/s
    assert.equal(row!.targetTopic, 'east.orders');
  });

  test('offset-syncs without a sync is unknown (no row); log-end-diff compares log ends', () => {
    const tables = new LookupTables(10);
    const src = snap(0, { orders: [10] }, [], 'east');
    const dst = snap(0, { 'east.orders': [4] }, [], 'west');
    assert.deepEqual(computeReplicationLag(mirror, ['orders'], src, dst, tables, new Map()), []);
    const [row] = computeReplicationLag(
      { ...mirror, lagMethod: 'log-end-diff' },
      ['orders'],
      src,
      dst,
      tables,
      undefined,
    );
    assert.equal(row!.lag, 6);
  });
});
