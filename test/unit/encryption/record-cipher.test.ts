/** One record sealed and opened with AES-256-GCM: round trips, tamper detection, nonce budget. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  DataKey,
  ENCRYPTION_HEADER,
  EncryptionError,
  envelopeOf,
  encodeEnvelopePrefix,
  isSealed,
  openRecord,
  parseEnvelope,
  sealRecord,
  type RecordParts,
} from '../../../security/encryption/index.js';

const ref = { kekId: 'orders', kekVersion: 3, wrapped: randomBytes(60) };
const freshKey = (maxRecords = 1_000_000, maxAgeMs = 3_600_000, now = Date.now()): DataKey =>
  new DataKey(randomBytes(32), ref, { maxRecords, maxAgeMs }, now);

function sealOne(rec: RecordParts, sealHeaders: boolean, key = freshKey()): RecordParts {
  assert.ok(key.reserve(1, Date.now()));
  return sealRecord(rec, key, sealHeaders);
}

const bytes = (max = 64) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));
const record = fc
  .record({
    key: fc.option(bytes(), { nil: null }),
    value: fc.option(bytes(200), { nil: null }),
    headers: fc.array(
      fc
        .tuple(fc.string({ maxLength: 12 }), fc.option(bytes(), { nil: null }))
        .map(([key, value]) => ({ key, value })),
      { maxLength: 4 },
    ),
  })
  .map((r) => ({ key: r.key, value: r.value, headers: r.headers }));

describe('sealRecord / openRecord', () => {
  test('open(seal(r)) is r, for values and optionally headers; the key stays plaintext', () => {
    fc.assert(
      fc.property(record, fc.boolean(), (rec, sealHeaders) => {
        const key = freshKey();
        assert.ok(key.reserve(1, Date.now()));
        const sealed = sealRecord(rec, key, sealHeaders);
        if (rec.value === null && (!sealHeaders || rec.headers.length === 0)) {
          assert.equal(sealed, rec, 'a tombstone with nothing to hide is left alone');
          return;
        }
        assert.ok(isSealed(sealed));
        assert.deepEqual(sealed.key, rec.key);
        assert.equal(sealed.value === null, rec.value === null, 'tombstones stay tombstones');
        if (sealHeaders) assert.equal(sealed.headers.length, 1, 'only the marker header is visible');
        else assert.deepEqual(sealed.headers.slice(1), rec.headers);
        const opened = openRecord(sealed, key.secret);
        assert.deepEqual(opened.value, rec.value);
        assert.deepEqual(opened.headers, rec.headers);
        assert.deepEqual(opened.key, rec.key);
      }),
    );
  });

  test('the stored value does not contain the plaintext', () => {
    const plaintext = Buffer.from('card=4111111111111111;name=Alice Example');
    const sealed = sealOne({ key: Buffer.from('k'), value: plaintext, headers: [] }, false);
    assert.ok(!sealed.value!.includes(plaintext));
    assert.ok(!sealed.value!.includes(Buffer.from('4111111111111111')));
    assert.equal(sealed.headers[0]!.key, ENCRYPTION_HEADER);
    const env = envelopeOf(sealed);
    assert.deepEqual(env.key, ref);
  });

  test('any altered byte of the value, the key or a sealed header fails; never plaintext', () => {
    fc.assert(
      fc.property(
        record,
        fc.boolean(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (rec, sealHeaders, at, flip) => {
          const key = freshKey();
          assert.ok(key.reserve(1, Date.now()));
          const sealed = sealRecord({ ...rec, key: rec.key ?? Buffer.from('key') }, key, sealHeaders);
          if (!isSealed(sealed)) return;
          const carrier = sealed.value ?? sealed.headers[0]!.value!;
          const targets = [carrier, sealed.key!].filter((b) => b.length > 0);
          const target = targets[at % targets.length]!;
          const altered = Buffer.from(target);
          altered[at % altered.length]! ^= flip;
          const tampered: RecordParts =
            target === sealed.key
              ? { ...sealed, key: altered }
              : sealed.value
                ? { ...sealed, value: altered }
                : { ...sealed, headers: [{ key: ENCRYPTION_HEADER, value: altered }] };
          assert.throws(
            () => openRecord(tampered, key.secret),
            (e: unknown) => e instanceof EncryptionError && e.code !== 'DATA_KEY_EXHAUSTED',
          );
        },
      ),
    );
  });

  test('a different data key fails authentication', () => {
    const sealed = sealOne({ key: null, value: Buffer.from('v'), headers: [] }, false);
    assert.throws(() => openRecord(sealed, randomBytes(32)), { code: 'AUTHENTICATION_FAILED' });
  });

  test('malformed envelopes are refused with a reason', () => {
    assert.throws(() => parseEnvelope(Buffer.from([2, 0, 1, 0x61])), /unknown format version 2/);
    assert.throws(() => parseEnvelope(Buffer.from([1, 0, 5, 0x61])), /runs past the end/);
    assert.throws(() => parseEnvelope(Buffer.from([1, 0x80, 1, 0x61])), /unknown flags/);
  });

  test('parsing like the previous envelope gives what a full parse gives, or falls back to one', () => {
    const anyEnvelope = fc
      .record({
        flags: fc.constantFrom(0, 1, 2, 3),
        kekId: fc.constantFrom('a', 'orders', 'ordersX'),
        kekVersion: fc.constantFrom(1, 2),
        wrapped: fc.constantFrom(ref.wrapped, ref.wrapped.subarray(1), randomBytes(60)),
        nonce: fc.uint8Array({ minLength: 12, maxLength: 12 }).map((a) => Buffer.from(a)),
        sealed: fc.uint8Array({ minLength: 0, maxLength: 40 }).map((a) => Buffer.from(a)),
      })
      .map((e) => Buffer.concat([encodeEnvelopePrefix(e.flags, e, e.nonce), e.sealed]));
    fc.assert(
      fc.property(anyEnvelope, anyEnvelope, (first, second) => {
        const full = (b: Buffer) => {
          try {
            return parseEnvelope(b);
          } catch (e) {
            return e as Error;
          }
        };
        const like = full(first);
        if (like instanceof Error) return;
        let fast: ReturnType<typeof full>;
        try {
          fast = parseEnvelope(second, like);
        } catch (e) {
          fast = e as Error;
        }
        const slow = full(second);
        if (slow instanceof Error) {
          assert.ok(fast instanceof Error, 'a malformed envelope is refused either way');
          assert.equal(fast.message, slow.message);
        } else {
          assert.ok(!(fast instanceof Error));
          assert.deepEqual({ ...fast, key: { ...fast.key } }, { ...slow, key: { ...slow.key } });
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('DataKey nonces (NIST SP 800-38D §8.2.1)', () => {
  test('every nonce under one key is distinct: fixed field + invocation counter', () => {
    const key = freshKey();
    assert.ok(key.reserve(20_000, Date.now()));
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(key.nextNonce().toString('hex'));
    assert.equal(seen.size, 20_000);
  });

  test('rotation by record count and by age; no nonce beyond what was reserved', () => {
    const now = Date.now();
    const key = freshKey(100, 60_000, now);
    assert.ok(key.reserve(60, now));
    assert.ok(key.reserve(40, now));
    assert.equal(key.reserve(1, now), false, 'maxRecords reached');
    const old = freshKey(100, 60_000, now - 60_000);
    assert.equal(old.reserve(1, now), false, 'maxAgeMs reached');
    const small = freshKey(10);
    assert.ok(small.reserve(2, Date.now()));
    small.nextNonce();
    small.nextNonce();
    assert.throws(() => small.nextNonce(), { code: 'DATA_KEY_EXHAUSTED' });
    const big = freshKey(10);
    assert.ok(big.reserve(500, Date.now()), 'a fresh key takes a batch larger than maxRecords whole');
    assert.equal(big.reserve(1, Date.now()), false);
  });
});
