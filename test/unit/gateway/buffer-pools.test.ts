/**
 * The gateway's recycled buffers: a buffer returns to its pool only when nothing uses it any more,
 * never twice, and nothing foreign gets in.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameReader } from '../../../protocol/index.js';
import { FrameBufferPool } from '../../../gateway/session/frame-buffers.js';
import { SlabPool } from '../../../gateway/upstream/read-slabs.js';

describe('upstream read slabs', () => {
  it('a slab is reused only after the read and every retained view are released', () => {
    const pool = new SlabPool(1024, 4);
    const slab = pool.take();
    slab.retain(); // a streamed chunk waiting for its socket write
    slab.release(); // the read callback returns
    assert.equal(pool.idle, 0, 'still referenced by the chunk');
    assert.notEqual(pool.take(), slab, 'a busy slab is never handed out');
    slab.release(); // the chunk was written
    assert.equal(pool.idle, 1);
    assert.equal(pool.take(), slab);
  });

  it('an extra release cannot put a slab in the pool twice', () => {
    const pool = new SlabPool(1024, 4);
    const slab = pool.take();
    slab.release();
    slab.release();
    assert.equal(pool.idle, 1);
    const a = pool.take();
    const b = pool.take();
    assert.notEqual(a, b);
  });

  it('keeps at most maxFree idle slabs', () => {
    const pool = new SlabPool(1024, 2);
    const slabs = [pool.take(), pool.take(), pool.take()];
    for (const s of slabs) s.release();
    assert.equal(pool.idle, 2);
  });
});

describe('request frame buffers', () => {
  it('recycles by size class, ignores foreign buffers and double releases', () => {
    const pool = new FrameBufferPool(1 << 20);
    const a = pool.allocate(40_000);
    assert.equal(a.length, 40_000);
    pool.release(Buffer.alloc(64 * 1024)); // not ours
    assert.equal(pool.idle, 0);
    pool.release(a);
    pool.release(a);
    assert.equal(pool.idle, 64 * 1024, 'one 64 KiB class buffer, once');
    const b = pool.allocate(50_000);
    assert.equal(b.buffer, a.buffer, 'same size class: reused');
    assert.equal(pool.idle, 0);
    const small = pool.allocate(100);
    pool.release(small);
    assert.equal(pool.idle, 0, 'small frames are not pooled');
  });

  it('bounds the idle bytes it keeps', () => {
    const pool = new FrameBufferPool(100 * 1024);
    const bufs = [pool.allocate(60_000), pool.allocate(60_000)];
    for (const b of bufs) pool.release(b);
    assert.equal(pool.idle, 64 * 1024);
  });

  it('a FrameReader with a pool returns every frame as a copy, whole or split', () => {
    const pool = new FrameBufferPool();
    const reader = new FrameReader({ maxFrameSize: 1 << 20, allocate: pool.allocate });
    const frame = (n: number, fill: number) => {
      const b = Buffer.alloc(4 + n, fill);
      b.writeInt32BE(n, 0);
      return b;
    };
    const chunk = Buffer.concat([frame(20_000, 1), frame(30_000, 2).subarray(0, 10_000)]);
    const first = reader.push(chunk);
    const second = reader.push(frame(30_000, 2).subarray(10_000));
    chunk.fill(9); // the socket's buffer is gone: frames must not depend on it
    assert.equal(first.length, 1);
    assert.equal(second.length, 1);
    assert.ok(first[0]!.equals(Buffer.alloc(20_000, 1)));
    assert.ok(second[0]!.equals(Buffer.alloc(30_000, 2)));
  });
});
