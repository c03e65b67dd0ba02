import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decodeCheckpoint,
  decodeHeartbeat,
  decodeOffsetSync,
  encodeCheckpoint,
  encodeHeartbeat,
  encodeOffsetSync,
} from '../../../mm2/formats.js';
import { OffsetSyncStore } from '../../../mm2/offset-sync-store.js';
import { OffsetSyncDecider } from '../../../mirror/source/offset-sync-writer.js';
import {
  H_ORIGIN_CLUSTER,
  H_ORIGIN_OFFSET,
  H_PATH,
  hasVisited,
  withProvenance,
} from '../../../mirror/provenance.js';

describe('MM2 record formats (byte-exact)', () => {
  test('OffsetSync', () => {
    const { key, value } = encodeOffsetSync({
      topic: 'ab',
      partition: 3,
      upstreamOffset: 5n,
      downstreamOffset: 258n,
    });
    assert.equal(key.toString('hex'), '0002' + '6162' + '00000003');
    assert.equal(value.toString('hex'), '0000000000000005' + '0000000000000102');
    assert.deepEqual(decodeOffsetSync(key, value), {
      topic: 'ab',
      partition: 3,
      upstreamOffset: 5n,
      downstreamOffset: 258n,
    });
  });
  test('Checkpoint', () => {
    const c = {
      group: 'g',
      topic: 'e.t',
      partition: 1,
      upstreamOffset: 7n,
      downstreamOffset: 6n,
      metadata: 'm',
    };
    const { key, value } = encodeCheckpoint(c);
    assert.equal(key.toString('hex'), '000167' + '0003652e74' + '00000001');
    assert.equal(value.toString('hex'), '0000' + '0000000000000007' + '0000000000000006' + '00016d');
    assert.deepEqual(decodeCheckpoint(key, value), c);
  });
  test('Heartbeat', () => {
    const h = { sourceClusterAlias: 'a', targetClusterAlias: 'b', timestamp: 1n };
    const { key, value } = encodeHeartbeat(h);
    assert.equal(key.toString('hex'), '000161' + '000162');
    assert.equal(value.toString('hex'), '0000' + '0000000000000001');
    assert.deepEqual(decodeHeartbeat(key, value), h);
  });
});

describe('provenance', () => {
  test('first hop sets origin and path; later hops keep origin and extend path', () => {
    const h1 = withProvenance({ app: 'x' }, { cluster: 'east', topic: 'orders', partition: 2, offset: '41' });
    assert.equal(h1[H_ORIGIN_CLUSTER], 'east');
    assert.equal(h1[H_ORIGIN_OFFSET], '41');
    assert.equal(h1[H_PATH], 'east');
    assert.equal(h1.app, 'x');
    const h2 = withProvenance(h1, { cluster: 'west', topic: 'orders', partition: 2, offset: '9' });
    assert.equal(h2[H_ORIGIN_CLUSTER], 'east');
    assert.equal(h2[H_PATH], 'east,west');
    assert.ok(hasVisited(h2, 'east') && hasVisited({ [H_PATH]: Buffer.from('east,west') }, 'west'));
    assert.ok(!hasVisited(h2, 'north') && !hasVisited(undefined, 'east'));
  });
});

describe('offset syncs', () => {
  const pairs = (d: OffsetSyncDecider): [bigint, bigint][] =>
    d.drain().map((s) => [s.upstreamOffset, s.downstreamOffset]);

  test('emission: first record (twice), every offset.lag.max, both sides of a gap, the newest at commit', () => {
    const d = new OffsetSyncDecider(10);
    for (let i = 0n; i < 25n; i++) d.record('t', 0, i, i + 100n);
    assert.deepEqual(
      d.drain().map((s) => s.upstreamOffset),
      [0n, 0n, 11n, 22n],
    );
    d.record('t', 0, 30n, 125n); // upstream gap (markers, aborted or compacted records)
    assert.deepEqual(pairs(d), [
      [24n, 124n],
      [30n, 125n],
    ]);
    d.record('t', 0, 31n, 129n); // downstream gap (another producer wrote in between)
    assert.deepEqual(pairs(d), [[31n, 129n]], 'the record before the gap was already synced');
    d.record('t', 0, 32n, 130n);
    assert.deepEqual(pairs(d), []);
    d.promoteDelayed();
    assert.deepEqual(pairs(d), [[32n, 130n]]);
  });

  test('a partition read from its log start writes its first sync three times; a group below it resumes there', () => {
    const d = new OffsetSyncDecider(100);
    d.startsAtLogStart('t', 0);
    d.record('t', 0, 4n, 0n); // offsets 0..3 were aborted records and markers
    d.record('t', 0, 5n, 1n);
    d.promoteDelayed();
    const syncs = d.drain();
    assert.deepEqual(
      syncs.map((s) => [s.upstreamOffset, s.downstreamOffset]),
      [
        [4n, 0n],
        [4n, 0n],
        [4n, 0n],
        [5n, 1n],
      ],
    );
    const full = new OffsetSyncStore();
    for (const s of syncs) full.add(s);
    assert.deepEqual(full.translate('t', 0, 2n), { kind: 'exact', offset: 0n });
    const suffix = new OffsetSyncStore(); // the syncs topic compacted: the start is not known
    for (const s of syncs.slice(1)) suffix.add(s);
    assert.deepEqual(suffix.translate('t', 0, 2n), { kind: 'behind', oldestUpstream: 4n });
  });

  test('a gap of the same size on both sides is marked by repeating the sync after it', () => {
    const d = new OffsetSyncDecider(100);
    d.record('t', 0, 0n, 0n);
    d.record('t', 0, 1n, 1n);
    d.record('t', 0, 5n, 5n);
    assert.deepEqual(pairs(d), [
      [0n, 0n],
      [0n, 0n],
      [1n, 1n],
      [5n, 5n],
      [5n, 5n],
    ]);
    const store = new OffsetSyncStore();
    for (const [u, dn] of [
      [0n, 0n],
      [1n, 1n],
      [5n, 5n],
      [5n, 5n],
    ] as const)
      store.add({ topic: 't', partition: 0, upstreamOffset: u, downstreamOffset: dn });
    assert.deepEqual(store.translate('t', 0, 3n), { kind: 'exact', offset: 5n }, 'not 3: a foreign record');
    const unmarked = new OffsetSyncStore();
    for (const [u, dn] of [
      [0n, 0n],
      [5n, 5n],
    ] as const)
      unmarked.add({ topic: 't', partition: 0, upstreamOffset: u, downstreamOffset: dn });
    assert.deepEqual(unmarked.translate('t', 0, 3n), { kind: 'exact', offset: 3n }, 'one run 0..5');
  });

  test('translation: inside a run, the next run, the head, ahead of the mirror, behind the history', () => {
    const s = new OffsetSyncStore();
    for (const [u, dn] of [
      [100n, 10n],
      [150n, 60n], // run 100..150 → 10..60
      [160n, 61n], // source gap 151..159
    ] as const)
      s.add({ topic: 't', partition: 0, upstreamOffset: u, downstreamOffset: dn });
    assert.deepEqual(s.translate('t', 0, 120n), { kind: 'exact', offset: 30n });
    assert.deepEqual(s.translate('t', 0, 155n), { kind: 'exact', offset: 61n });
    assert.deepEqual(s.translate('t', 0, 161n, 170n), { kind: 'exact', offset: 62n, atHead: true });
    assert.deepEqual(s.translate('t', 0, 161n, 160n), { kind: 'ahead' });
    assert.deepEqual(s.translate('t', 0, 161n), { kind: 'ahead' }, 'position unknown');
    assert.deepEqual(s.translate('t', 0, 100n), { kind: 'exact', offset: 10n });
    assert.deepEqual(s.translate('t', 0, 50n), { kind: 'behind', oldestUpstream: 100n });
    assert.deepEqual(s.translate('t', 1, 50n), { kind: 'none' });
  });

  test('a downstream offset going backwards (target truncated or re-created) voids the history', () => {
    const s = new OffsetSyncStore();
    s.add({ topic: 't', partition: 0, upstreamOffset: 0n, downstreamOffset: 100n });
    s.add({ topic: 't', partition: 0, upstreamOffset: 50n, downstreamOffset: 150n });
    s.add({ topic: 't', partition: 0, upstreamOffset: 51n, downstreamOffset: 0n });
    assert.deepEqual(s.translate('t', 0, 20n), { kind: 'behind', oldestUpstream: 51n });
    assert.deepEqual(s.translate('t', 0, 51n), { kind: 'exact', offset: 0n });
  });

  test('memory: beyond maxRuns the partition with most runs forgets its oldest, and says so', () => {
    const evicted: bigint[] = [];
    const s = new OffsetSyncStore(8, (n) => evicted.push(n.oldestUpstream));
    for (let i = 0n; i < 40n; i++)
      s.add({ topic: 't', partition: 0, upstreamOffset: i * 2n, downstreamOffset: i }); // every record its own run
    assert.ok(s.runs <= 8, `${s.runs} runs kept`);
    assert.ok(evicted.length > 0);
    const oldest = evicted[evicted.length - 1]!;
    assert.deepEqual(s.translate('t', 0, oldest - 1n), { kind: 'behind', oldestUpstream: oldest });
    assert.deepEqual(s.translate('t', 0, 77n), { kind: 'exact', offset: 39n });
  });
});
