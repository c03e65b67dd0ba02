/**
 * MM2's records byte for byte, as connect-mirror-client writes them: the one implementation the
 * mirror writes with and the monitor reads with.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeHeartbeat,
  decodeOffsetSync,
  encodeHeartbeat,
  encodeOffsetSync,
} from '../../../mm2/formats.js';

test('OffsetSync bytes as MM2 writes them', () => {
  const sync = { topic: 'ab', partition: 3, upstreamOffset: 7n, downstreamOffset: 5n };
  const { key, value } = encodeOffsetSync(sync);
  assert.equal(key.toString('hex'), '0002' + '6162' + '00000003');
  assert.equal(value.toString('hex'), '0000000000000007' + '0000000000000005');
  assert.deepEqual(decodeOffsetSync(key, value), sync);
});

test('Heartbeat bytes as MM2 writes them', () => {
  const h = { sourceClusterAlias: 'east', targetClusterAlias: 'west', timestamp: 1_700_000_000_000n };
  const { key, value } = encodeHeartbeat(h);
  assert.equal(
    key.toString('hex'),
    '0004' + Buffer.from('east').toString('hex') + '0004' + Buffer.from('west').toString('hex'),
  );
  assert.equal(value.readInt16BE(0), 0);
  assert.deepEqual(decodeHeartbeat(key, value), h);
});
