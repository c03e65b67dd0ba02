/**
 * Data-key bytes are overwritten with zeros when a key is retired from encryption or evicted from
 * the decryption cache — and not a moment earlier: a batch still holding the key (a lease from
 * reserve, or a pin inside withDataKey) keeps working, so wiping never turns into records sealed
 * under 32 zero bytes or authentic records refused. The native engine's contexts are released too.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { DataKeys } from '../../../gateway/encryption/data-keys.js';
import { decryptRecords, encryptRecords } from '../../../gateway/encryption/record-batches.js';
import { encodeRecordBatch } from '../../../protocol/index.js';
import {
  DataKey,
  emptyJobs,
  loadGcmBinding,
  nativeGcmEngine,
  openRecords,
  sealRecords,
  envelopeOf,
  wipeKey,
  type GcmJobs,
  type WrappedKeyRef,
} from '../../../security/encryption/index.js';
import { nativeGcm } from '../../../security/encryption/gcm-native.js';
import { KeyringKms, emptyKeyring, rotateKek } from '../../../security/kms/index.js';

const isZero = (b: Buffer): boolean => b.length > 0 && b.every((x) => x === 0);
const ring = rotateKek(emptyKeyring(), 'k', new Date()).ring;
const kms = new KeyringKms(() => ring, 'test ring');
const ref: WrappedKeyRef = { kekId: 'k', kekVersion: 1, wrapped: randomBytes(60) };
const limits = { maxRecords: 1000, maxAgeMs: 60_000 };
const rec = (v: string) => ({ key: Buffer.from('id'), value: Buffer.from(v), headers: [] });

describe('DataKey', () => {
  test('a retired key with no batch in flight is zeroed at once and refuses new batches', () => {
    const secret = randomBytes(32);
    const key = new DataKey(secret, ref, limits, Date.now());
    assert.ok(key.reserve(1, Date.now()));
    sealRecords([rec('a')], key, false);
    key.release();
    assert.ok(!isZero(secret));
    key.retire();
    assert.ok(isZero(secret), 'the raw key bytes are zeros');
    assert.ok(key.wiped);
    assert.equal(key.reserve(1, Date.now()), false);
  });

  test('a key retired while a batch holds it is zeroed when that batch releases it', () => {
    const secret = randomBytes(32);
    const copy = Buffer.from(secret);
    const key = new DataKey(secret, ref, limits, Date.now());
    assert.ok(key.reserve(2, Date.now()));
    key.retire();
    assert.ok(!isZero(secret), 'still in use');
    const sealed = sealRecords([rec('one'), rec('two')], key, false);
    key.release();
    assert.ok(isZero(secret));
    const opened = openRecords(sealed, copy, sealed.map(envelopeOf));
    assert.deepEqual(
      opened.map((r) => r.value!.toString()),
      ['one', 'two'],
      'sealed under the real key, not zeros',
    );
  });

  test('sealing with a wiped key throws instead of encrypting under zeros', () => {
    const key = new DataKey(randomBytes(32), ref, limits, Date.now());
    assert.ok(key.reserve(1, Date.now()));
    key.release();
    key.retire();
    assert.throws(() => sealRecords([rec('x')], key, false), { code: 'DATA_KEY_WIPED' });
  });
});

describe('DataKeys', () => {
  test('rotation zeroes the retired encryption key; its records still decrypt', async () => {
    const keys = new DataKeys(kms, { maxRecords: 2, maxAgeMs: 60_000 }, 10);
    const first = await keys.forRecords('k', 2);
    const sealed = sealRecords([rec('p'), rec('q')], first, false);
    first.release();
    assert.ok(!isZero(first.secret));
    const second = await keys.forRecords('k', 1); // first is full: rotated
    second.release();
    assert.notEqual(second, first);
    assert.ok(isZero(first.secret), 'the retired key is zeros');
    assert.ok(!isZero(second.secret));
    const opened = await keys.withDataKey(first.ref, (dek) =>
      openRecords(sealed, dek, sealed.map(envelopeOf)),
    );
    assert.deepEqual(
      opened.map((r) => r.value!.toString()),
      ['p', 'q'],
    );
  });

  test('a rotation racing a batch that holds the old key waits for it', async () => {
    const keys = new DataKeys(kms, { maxRecords: 2, maxAgeMs: 60_000 }, 10);
    const held = await keys.forRecords('k', 2);
    const other = await keys.forRecords('k', 1); // rotates while `held` is leased
    other.release();
    assert.ok(!isZero(held.secret));
    const sealed = sealRecords([rec('late')], held, false);
    held.release();
    assert.ok(isZero(held.secret));
    const opened = await keys.withDataKey(held.ref, (dek) =>
      openRecords(sealed, dek, sealed.map(envelopeOf)),
    );
    assert.equal(opened[0]!.value!.toString(), 'late');
  });

  test('a key evicted from the cache is zeroed; one in use is zeroed after its use', async () => {
    const keys = new DataKeys(kms, limits, 1);
    const refs = await Promise.all(
      [0, 1, 2].map(async () => (await kms.wrap('k', randomBytes(32))).wrapped),
    ).then((ws) => ws.map((wrapped) => ({ kekId: 'k', kekVersion: 1, wrapped })));
    const seen: Buffer[] = [];
    await keys.withDataKey(refs[0]!, (dek) => seen.push(dek));
    assert.ok(!isZero(seen[0]!));
    await keys.withDataKey(refs[1]!, (dek) => seen.push(dek)); // cache of 1: evicts refs[0]
    assert.ok(isZero(seen[0]!), 'the evicted key is zeros');
    assert.ok(!isZero(seen[1]!));
    // Two unwraps at once with room for one: the second to arrive evicts the first before the
    // first caller runs. The first must still get its real key, zeroed only after its use.
    const expected = await kms.unwrap(refs[2]!);
    const [a] = await Promise.all([
      keys.withDataKey(refs[2]!, (dek) => Buffer.from(dek)),
      keys.withDataKey(refs[0]!, (dek) => Buffer.from(dek)),
    ]);
    assert.deepEqual(a, expected);
  });

  test('close zeroes the current keys and the cache', async () => {
    const keys = new DataKeys(kms, limits, 10);
    const key = await keys.forRecords('k', 1);
    key.release();
    let cached: Buffer | undefined;
    await keys.withDataKey(key.ref, (dek) => (cached = dek));
    keys.close();
    await new Promise((r) => setImmediate(r));
    assert.ok(isZero(key.secret));
    assert.ok(isZero(cached!));
  });

  test('records encrypted across many rotations all decrypt (leases end, keys wiped)', async () => {
    const writer = new DataKeys(kms, { maxRecords: 3, maxAgeMs: 60_000 }, 2);
    const policy = { kek: 'k', encryptHeaders: false, decryptFor: undefined };
    const batch = (i: number) =>
      encodeRecordBatch({
        baseOffset: BigInt(i * 5),
        partitionLeaderEpoch: 0,
        attributes: 0,
        baseTimestamp: 0n,
        maxTimestamp: 0n,
        producerId: -1n,
        producerEpoch: -1,
        baseSequence: -1,
        records: Array.from({ length: 2 }, (_, j) => ({
          attributes: 0,
          timestampDelta: 0,
          offsetDelta: j,
          key: null,
          value: Buffer.from(`v${i}-${j}`),
          headers: [],
        })),
      });
    const plain = await Promise.all(Array.from({ length: 8 }, (_, i) => batch(i)));
    // Concurrent produce requests, as from several connections: rotations interleave with sealing.
    const sealed = await Promise.all(plain.map((b) => encryptRecords(b, policy, writer)));
    const reader = new DataKeys(kms, limits, 1);
    const opened = await Promise.all(sealed.map((s) => decryptRecords(s!, reader)));
    for (let i = 0; i < plain.length; i++) {
      assert.equal(opened[i]!.failure, undefined);
      assert.deepEqual(opened[i]!.records, plain[i]);
    }
  });
});

describe('native engine', () => {
  const { binding } = loadGcmBinding();
  test('release frees the OpenSSL contexts: the context is unusable afterwards', () => {
    assert.ok(binding, 'deploy/setup.sh builds the binding');
    const context = binding.newContext(randomBytes(32));
    const jobs = emptyJobs();
    jobs.heads.push(randomBytes(20));
    jobs.recordKeys.push(null);
    jobs.inputs.push(Buffer.from('x'));
    jobs.outputs.push(Buffer.alloc(17));
    binding.seal(context, jobs.heads, jobs.recordKeys, jobs.inputs, jobs.outputs);
    binding.release(context);
    assert.throws(
      () => binding.seal(context, jobs.heads, jobs.recordKeys, jobs.inputs, jobs.outputs),
      /released/,
    );
  });

  test('retire frees the context made for that key, and only that one', () => {
    assert.ok(binding, 'deploy/setup.sh builds the binding');
    const made: unknown[] = [];
    const released: unknown[] = [];
    const engine = nativeGcm({
      newContext: (k) => {
        const c = binding.newContext(k);
        made.push(c);
        return c;
      },
      release: (c) => {
        released.push(c);
        binding.release(c);
      },
      seal: binding.seal,
      open: binding.open,
    });
    const [k1, k2] = [randomBytes(32), randomBytes(32)];
    engine.seal(k1, oneJob());
    engine.seal(k1, oneJob());
    engine.seal(k2, oneJob());
    assert.equal(made.length, 2, 'one context per key');
    engine.retire(k1);
    assert.deepEqual(released, [made[0]]);
    assert.ok(!engine.holds(k1) && engine.holds(k2));
  });

  test('wipeKey releases the process engine context of that key and zeroes it', () => {
    const engine = nativeGcmEngine();
    assert.ok(!(engine instanceof Error));
    const key = randomBytes(32);
    engine.seal(key, oneJob());
    assert.ok(engine.holds(key));
    wipeKey(key);
    assert.ok(isZero(key));
    assert.ok(!engine.holds(key), 'no context holds the key schedule any more');
  });
});

function oneJob(): GcmJobs {
  const jobs = emptyJobs();
  jobs.heads.push(randomBytes(20));
  jobs.recordKeys.push(null);
  jobs.inputs.push(Buffer.from('secret'));
  jobs.outputs.push(Buffer.alloc(22));
  return jobs;
}
