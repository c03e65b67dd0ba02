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
