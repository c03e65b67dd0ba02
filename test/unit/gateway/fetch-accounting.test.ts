/**
 * The pass-through accounting walker against the codec's own encoder: for every Fetch version the
 * gateway streams (v4-v15), responses split at random points must give the per-topic record bytes
 * the full decoder gives.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  ApiKey,
  decodeResponse,
  decodeResponseHeader,
  encodeResponseFrame,
} from '../../../protocol/index.js';
import { FetchAccounting } from '../../../gateway/session/fetch-accounting.js';

function response(v: number, seed: number) {
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: v >= 7 ? 7 : 0,
    responses: Array.from({ length: 1 + rnd(3) }, (_, t) => ({
      topic: v <= 12 ? `topic-${t}-${'x'.repeat(rnd(20))}` : '',
      topicId: randomBytes(16).toString('base64url'),
      partitions: Array.from({ length: 1 + rnd(4) }, (_, p) => ({
        partitionIndex: p,
        errorCode: 0,
        highWatermark: 100n,
        lastStableOffset: 100n,
        logStartOffset: 0n,
        abortedTransactions: rnd(2) ? [{ producerId: 5n, firstOffset: 3n }] : null,
        preferredReadReplica: -1,
        records: rnd(4) === 0 ? null : randomBytes(rnd(200_000)),
      })),
    })),
  };
}

describe('Fetch pass-through accounting', () => {
  for (let v = 4; v <= 15; v++) {
    it(`v${v}: per-topic bytes match the decoder at any chunk split`, () => {
      for (let seed = 1; seed <= 8; seed++) {
        const frame = encodeResponseFrame(ApiKey.Fetch, v, 42, response(v, seed * 7919 + v) as never);
        const payload = frame.subarray(4);
        const h = decodeResponseHeader(ApiKey.Fetch, v, payload);
        const body = decodeResponse(ApiKey.Fetch, v, payload, h.headerLength);
        const expected = new Map<string, number>();
        for (const t of body.responses) {
          const bytes = t.partitions.reduce((a, p) => a + (p.records?.length ?? 0), 0);
          if (bytes > 0) expected.set(v <= 12 ? t.topic : t.topicId, bytes);
        }
        const got = new Map<string, number>();
        const acc = new FetchAccounting(v, (topic, topicId, bytes) =>
          got.set(v <= 12 ? topic : topicId!, bytes),
        );
        for (let off = 0; off < payload.length;) {
          const n = 1 + ((seed * 31 + off) % 9000);
          acc.push(payload.subarray(off, off + n));
          off += n;
        }
        assert.equal(acc.failed, false);
        assert.deepEqual(got, expected);
      }
    });
  }
});

describe('Fetch pass-through accounting over reused read buffers', () => {
  it('gives the same bytes when every chunk is overwritten right after it is pushed', () => {
    const v = 12; // topic names are read as bytes: fields that straddle reads must be kept intact
    const names = ['a-rather-long-topic-name', 'another.topic.with.a.longer.name', 't'];
    const body = {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: names.map((topic, i) => ({
        topic,
        topicId: '',
        partitions: [
          {
            partitionIndex: 0,
            errorCode: 0,
            highWatermark: 1n,
            lastStableOffset: 1n,
            logStartOffset: 0n,
            abortedTransactions: null,
            preferredReadReplica: -1,
            records: randomBytes(100 * (i + 1)),
          },
        ],
      })),
    };
    const payload = encodeResponseFrame(ApiKey.Fetch, v, 7, body as never).subarray(4);
    for (const readSize of [1, 3, 7, 64]) {
      const got = new Map<string, number>();
      const acc = new FetchAccounting(v, (topic, _id, bytes) => got.set(topic, bytes));
      const slab = Buffer.alloc(readSize); // one read buffer, reused for every read
      for (let off = 0; off < payload.length; off += readSize) {
        const n = Math.min(readSize, payload.length - off);
        payload.copy(slab, 0, off, off + n);
        acc.push(slab.subarray(0, n));
        slab.fill(0xee); // the pool hands the buffer to the next read
      }
      assert.equal(acc.failed, false);
      assert.deepEqual(got, new Map(names.map((n, i) => [n, 100 * (i + 1)])), `reads of ${readSize} B`);
    }
  });
});
