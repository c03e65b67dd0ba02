/**
 * The native batch AES-256-GCM engine against Node's crypto API: identical bytes, each opens what
 * the other sealed, both refuse any altered byte, and both open envelopes built the way the first
 * release of record encryption built them (so records already stored still decrypt).
 */
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  DataKey,
  TAG_BYTES,
  emptyJobs,
  encodeEnvelopePrefix,
  envelopeOf,
  jsGcm,
  nativeGcmEngine,
  openRecords,
  sealRecords,
  type GcmEngine,
  type GcmJobs,
  type RecordParts,
} from '../../../security/encryption/index.js';

const native = nativeGcmEngine();
// deploy/setup.sh builds the binding; a missing one is a failure here, not a reason to skip.
test('the native AES-GCM binding is built and loads', () => {
  assert.ok(!(native instanceof Error), native instanceof Error ? native.message : '');
});
const nativeEngine = native instanceof Error ? jsGcm : native;

const bytes = (min: number, max: number) =>
  fc.uint8Array({ minLength: min, maxLength: max }).map((a) => Buffer.from(a));
/** One job: a head ending with its 12-byte nonce, a record key or null, a plaintext. */
const job = fc.record({
  head: bytes(12, 120),
  recordKey: fc.option(bytes(0, 64), { nil: null }),
  plaintext: bytes(0, 3000),
});
const jobsArb = fc.array(job, { minLength: 1, maxLength: 12 });
type Job = { head: Buffer; recordKey: Buffer | null; plaintext: Buffer };

/** The first release's sealing, written out independently: AAD = head || int32 key length || key. */
function referenceSeal(key: Buffer, j: Job): Buffer {
  const len = Buffer.alloc(4);
  len.writeInt32BE(j.recordKey === null ? -1 : j.recordKey.length);
  const cipher = createCipheriv('aes-256-gcm', key, j.head.subarray(j.head.length - 12));
  cipher.setAAD(Buffer.concat(j.recordKey ? [j.head, len, j.recordKey] : [j.head, len]));
  return Buffer.concat([cipher.update(j.plaintext), cipher.final(), cipher.getAuthTag()]);
}

function seal(engine: GcmEngine, key: Buffer, jobs: Job[]): Buffer[] {
  const g = emptyJobs();
  for (const j of jobs) {
    g.heads.push(j.head);
    g.recordKeys.push(j.recordKey);
    g.inputs.push(j.plaintext);
    g.outputs.push(Buffer.alloc(j.plaintext.length + TAG_BYTES));
  }
  engine.seal(key, g);
  return g.outputs;
}

function open(
  engine: GcmEngine,
  key: Buffer,
  jobs: Job[],
  sealed: Buffer[],
): { failed: number; out: GcmJobs } {
  const g = emptyJobs();
  jobs.forEach((j, i) => {
    g.heads.push(j.head);
    g.recordKeys.push(j.recordKey);
    g.inputs.push(sealed[i]!);
    g.outputs.push(Buffer.alloc(sealed[i]!.length - TAG_BYTES, 0xee));
  });
  return { failed: engine.open(key, g), out: g };
}

describe('AES-256-GCM engines: native batch binding vs Node crypto', () => {
  test('both seal to the reference bytes, and each opens what the other sealed', () => {
    fc.assert(
      fc.property(jobsArb, (jobs) => {
        const key = randomBytes(32);
        const expected = jobs.map((j) => referenceSeal(key, j));
        const byNative = seal(nativeEngine, key, jobs);
        const byJs = seal(jsGcm, key, jobs);
        assert.deepEqual(byNative, expected);
        assert.deepEqual(byJs, expected);
        for (const [opener, sealed] of [
          [jsGcm, byNative],
          [nativeEngine, byJs],
        ] as const) {
          const { failed, out } = open(opener, key, jobs, sealed);
          assert.equal(failed, -1);
          assert.deepEqual(
            out.outputs,
            jobs.map((j) => j.plaintext),
          );
        }
      }),
      { numRuns: 200 },
    );
  });

  test('any altered byte (head, record key, ciphertext, tag) or another key fails in both, output wiped', () => {
    fc.assert(
      fc.property(jobsArb, fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 }), (jobs, which, at, flip) => {
        const key = randomBytes(32);
        const sealed = seal(jsGcm, key, jobs);
        const victim = which % jobs.length;
        const j = jobs[victim]!;
        const parts = [
          sealed[victim]!,
          j.head,
          ...(j.recordKey && j.recordKey.length > 0 ? [j.recordKey] : []),
        ];
        const part = parts[at % parts.length]!;
        const altered = Buffer.from(part);
        altered[at % altered.length]! ^= flip;
        const tamperedJobs = jobs.map((x, i) =>
          i !== victim
            ? x
            : {
                ...x,
                head: part === j.head ? altered : x.head,
                recordKey: part === j.recordKey ? altered : x.recordKey,
              },
        );
        const tamperedSealed = sealed.map((s, i) => (i === victim && part === sealed[victim] ? altered : s));
        for (const engine of [jsGcm, nativeEngine]) {
          const { failed, out } = open(engine, key, tamperedJobs, tamperedSealed);
          assert.equal(failed, victim, `${engine.kind}: the altered job is reported`);
          assert.ok(
            out.outputs[victim]!.every((b) => b === 0),
            `${engine.kind}: no unauthenticated plaintext left`,
          );
          assert.equal(open(engine, randomBytes(32), jobs, sealed).failed, 0, `${engine.kind}: wrong key`);
        }
      }),
      { numRuns: 200 },
    );
  });

  test('contexts are per key: interleaved keys and a retired key', () => {
    const [k1, k2] = [randomBytes(32), randomBytes(32)];
    const jobs = [{ head: randomBytes(40), recordKey: null, plaintext: Buffer.from('payload') }];
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(seal(nativeEngine, k1, jobs), [referenceSeal(k1, jobs[0]!)]);
      assert.deepEqual(seal(nativeEngine, k2, jobs), [referenceSeal(k2, jobs[0]!)]);
    }
    const sealed = seal(nativeEngine, k1, jobs);
    nativeEngine.retire(k1);
    assert.equal(open(nativeEngine, k1, jobs, sealed).failed, -1, 'a retired key gets a fresh context');
  });
});

describe('records sealed by one engine open with the other', () => {
  const record = fc.record({
    key: fc.option(bytes(0, 40), { nil: null }),
    value: fc.option(bytes(0, 500), { nil: null }),
    headers: fc.array(
      fc
        .tuple(fc.string({ maxLength: 10 }), fc.option(bytes(0, 30), { nil: null }))
        .map(([key, value]) => ({ key, value })),
      { maxLength: 3 },
    ),
  });
  const ref = { kekId: 'orders', kekVersion: 7, wrapped: randomBytes(60) };

  test('sealRecords / openRecords across engines, with and without sealed headers', () => {
    fc.assert(
      fc.property(
        fc.array(record, { minLength: 1, maxLength: 20 }),
        fc.boolean(),
        fc.boolean(),
        (recs, sealHeaders, nativeSeals) => {
          const secret = randomBytes(32);
          const key = new DataKey(secret, ref, { maxRecords: 1000, maxAgeMs: 60_000 }, Date.now());
          assert.ok(key.reserve(recs.length, Date.now()));
          const [sealer, opener] = nativeSeals ? [nativeEngine, jsGcm] : [jsGcm, nativeEngine];
          const sealed = sealRecords(recs as RecordParts[], key, sealHeaders, sealer);
          const which = sealed.map((r, i) => (r === recs[i] ? -1 : i)).filter((i) => i >= 0);
          const opened = openRecords(
            which.map((i) => sealed[i]!),
            secret,
            which.map((i) => envelopeOf(sealed[i]!)),
            opener,
          );
          which.forEach((i, k) => {
            assert.deepEqual(opened[k]!.value, recs[i]!.value);
            assert.deepEqual(opened[k]!.headers, recs[i]!.headers);
            assert.deepEqual(opened[k]!.key, recs[i]!.key);
          });
        },
      ),
      { numRuns: 150 },
    );
  });

  test('an envelope built as the first release built it opens with both engines', () => {
    const secret = randomBytes(32);
    const nonce = randomBytes(12);
    const head = encodeEnvelopePrefix(0, ref, nonce);
    const recordKey = Buffer.from('customer-42');
    const value = Buffer.from('card=4111111111111111');
    const envelope = Buffer.concat([head, referenceSeal(secret, { head, recordKey, plaintext: value })]);
    const rec = {
      key: recordKey,
      value: envelope,
      headers: [{ key: 'kgw.encryption', value: Buffer.from([1]) }],
    };
    for (const engine of [jsGcm, nativeEngine])
      assert.deepEqual(openRecords([rec], secret, [envelopeOf(rec)], engine)[0]!.value, value);
  });
});
