import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decodeCheckpoint,
  decodeHeartbeat,
  decodeOffsetSync,
  encodeCheckpoint,
  encodeHeartbeat,
  encodeOffsetSync,
} from '../../../mirror/formats.js';
import { OffsetSyncStore } from '../../../mirror/checkpoint/offset-sync-store.js';
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
  test('MM2 emission rule: first, every offset.lag.max, skipped upstream offsets; delayed sync at commit', () => {
    const d = new OffsetSyncDecider(10);
    for (let i = 0n; i < 25n; i++) d.record('t', 0, i, i + 100n);
    assert.deepEqual(
      d.drain().map((s) => s.upstreamOffset),
      [0n, 11n, 22n],
    );
    d.record('t', 0, 30n, 125n); // upstream gap (filtered records)
    assert.deepEqual(
      d.drain().map((s) => s.upstreamOffset),
      [30n],
    );
    d.record('t', 0, 31n, 126n);
    assert.deepEqual(d.drain(), []);
    d.promoteDelayed();
    assert.deepEqual(
      d.drain().map((s) => [s.upstreamOffset, s.downstreamOffset]),
      [[31n, 126n]],
    );
  });

  test('translation: exact at a sync, +1 past it, -1 when too old, nothing before the syncs topic was read', () => {
    const s = new OffsetSyncStore();
    s.add({ topic: 't', partition: 0, upstreamOffset: 100n, downstreamOffset: 10n });
    assert.equal(s.translateDownstream('t', 0, 100n), undefined);
    s.readToEnd = true;
    for (const [u, dn] of [
      [200n, 110n],
      [300n, 210n],
    ] as const)
      s.add({ topic: 't', partition: 0, upstreamOffset: u, downstreamOffset: dn });
    assert.equal(s.translateDownstream('t', 0, 300n), 210n);
    assert.equal(s.translateDownstream('t', 0, 350n), 211n);
    assert.equal(s.translateDownstream('t', 0, 50n), -1n);
    assert.equal(s.translateDownstream('t', 1, 50n), undefined);
  });
});
