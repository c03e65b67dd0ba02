// FrameReader's per-API maximum (used by the gateway before login): a frame over the limit for
// its API key fails as soon as the key's two bytes are in, however the bytes are chunked, and
// nothing of its body is held; frames within the limit come out intact.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameReader, KafkaCodecError } from '../../../protocol/index.js';

function frame(apiKey: number, size: number): Buffer {
  const b = Buffer.alloc(4 + size, 0x5a);
  b.writeInt32BE(size, 0);
  if (size >= 2) b.writeInt16BE(apiKey, 4);
  return b;
}

const limits = (apiKey: number): number => (apiKey === 36 ? 1000 : 100);

test('over the per-API limit: refused at the key, whatever the chunking, with nothing held', () => {
  const big = frame(18, 5000); // ApiVersions announcing 5000 bytes, limit 100
  for (const step of [1, 2, 3, 5, 6, 7, 64, 5004]) {
    const r = new FrameReader({ maxFrameSize: 1 << 20, maxSizeFor: limits });
    let thrownAt = -1;
    for (let p = 0; p < big.length && thrownAt < 0; p += step) {
      try {
        r.push(big.subarray(p, p + step));
      } catch (e) {
        assert.ok(e instanceof KafkaCodecError && e.code === 'FRAME_TOO_LARGE');
        assert.match(e.message, /for API key 18 exceeds the maximum of 100/);
        thrownAt = p + step;
      }
    }
    // Refused by the chunk that brings the key's second byte (byte 6), not later.
    assert.equal(thrownAt, Math.min(Math.ceil(6 / step) * step, big.length), `chunks of ${step}`);
    assert.ok(r.buffered <= 6, `chunks of ${step}: ${r.buffered} bytes held`);
  }
});

test('within the limits: every frame comes out intact, in any chunking; the limit can be lifted', () => {
  const frames = [frame(18, 100), frame(36, 1000), frame(17, 2), frame(17, 1), frame(17, 0)];
  const all = Buffer.concat(frames);
  for (const step of [1, 3, 7, 100, all.length]) {
    const r = new FrameReader({ maxFrameSize: 1 << 20, maxSizeFor: limits });
    const out: Buffer[] = [];
    for (let p = 0; p < all.length; p += step) out.push(...r.push(all.subarray(p, p + step)));
    assert.deepEqual(
      out.map((b) => b.length),
      [100, 1000, 2, 1, 0],
    );
    assert.ok(out[1]!.equals(frames[1]!.subarray(4)));
  }
  const r = new FrameReader({ maxFrameSize: 1 << 20, maxSizeFor: limits });
  assert.throws(() => r.push(frame(0, 5000)), /exceeds the maximum of 100/);
  const lifted = new FrameReader({ maxFrameSize: 1 << 20, maxSizeFor: limits });
  lifted.maxSizeFor = undefined;
  assert.equal(lifted.push(frame(0, 5000)).length, 1);
});
