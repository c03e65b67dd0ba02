import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeHeartbeat,
  decodeOffsetSync,
  encodeHeartbeat,
  encodeOffsetSync,
} from '../../../monitor/lag/mm2-formats.js';

test('OffsetSync bytes as MM2 writes them', () => {
  const { key, value } = encodeOffsetSync({
    topic: 'ab',
    partition: 3,
    upstreamOffset: 7,
    downstreamOffset: 5,
  });
  assert.equal(key.toString('hex'), '0002' + '6162' + '00000003');
  assert.equal(value.toString('hex'), '0000000000000007' + '0000000000000005');
  assert.deepEqual(decodeOffsetSync(key, value), {
    topic: 'ab',
    partition: 3,
    upstreamOffset: 7,
    downstreamOffset: 5,
  });
});

test('Heartbeat bytes as MM2 writes them', () => {
  const h = { sourceClusterAlias: 'east', targetClusterAlias: 'west', timestampMs: 1_700_000_000_000 };
  const { key, value } = encodeHeartbeat(h);
  assert.equal(
    key.toString('hex'),
    '0004' + Buffer.from('east').toString('hex') + '0004' + Buffer.from('west').toString('hex'),
  );
  assert.equal(value.readInt16BE(0), 0);
  assert.deepEqual(decodeHeartbeat(key, value), h);
});
