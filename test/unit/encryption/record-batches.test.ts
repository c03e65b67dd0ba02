/**
 * Partition records encrypted and decrypted batch by batch: every codec, idempotent and
 * transactional batches, control batches, and a batch whose KEK is gone (fail closed).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BatchAttributes,
  Compression,
  decodeRecordBatch,
  encodeRecordBatch,
  scanBatches,
  type KafkaRecord,
  type RecordBatch,
} from '../../../protocol/index.js';
import { DataKeys } from '../../../gateway/encryption/data-keys.js';
import { decryptRecords, encryptRecords } from '../../../gateway/encryption/record-batches.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { isSealed } from '../../../security/encryption/index.js';
import { KeyringKms, emptyKeyring, rotateKek, type Keyring } from '../../../security/kms/index.js';

let ring: Keyring = rotateKek(emptyKeyring(), 'orders', new Date()).ring;
const kms = new KeyringKms(() => ring, 'test ring');
const policy = { kek: 'orders', encryptHeaders: false, decryptFor: undefined };
const limits = { maxRecords: 1_000_000, maxAgeMs: 3_600_000 };

function records(n: number, tag: string): KafkaRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    attributes: 0,
    timestampDelta: i * 3,
    offsetDelta: i,
    key: i % 5 === 0 ? null : Buffer.from(`key-${i % 7}`),
    value: i % 11 === 10 ? null : Buffer.from(`${tag} secret payload number ${i} `.repeat(3)),
    headers: [{ key: 'trace', value: Buffer.from(`t${i}`) }],
  }));
}

async function batch(
  attributes: number,
  tag: string,
  baseOffset = 0n,
  n = 40,
  producer = false,
): Promise<Buffer> {
  return encodeRecordBatch({
    baseOffset,
    partitionLeaderEpoch: 7,
    attributes,
    baseTimestamp: 1_700_000_000_000n,
    maxTimestamp: 1_700_000_000_000n + BigInt((n - 1) * 3),
    producerId: producer ? 4242n : -1n,
    producerEpoch: producer ? 3 : -1,
    baseSequence: producer ? 1000 : -1,
    records: records(n, tag),
  });
}

const headerOf = (b: RecordBatch): Omit<RecordBatch, 'crc' | 'records'> => {
  const { crc: _crc, records: _records, ...rest } = b;
  return rest;
};

describe('encryptRecords / decryptRecords', () => {
  const kinds = [
    ['plain', 0],
    ['idempotent', 0],
    ['transactional', BatchAttributes.transactional],
  ] as const;
  for (const [codecName, codec] of Object.entries(Compression)) {
    for (const [kind, bits] of kinds) {
      test(`${codecName}, ${kind}: headers kept, values sealed, decryption restores the batch`, async () => {
        const keys = new DataKeys(kms, limits, 100);
        const original = await batch(codec | bits, `${codecName}-${kind}`, 100n, 40, kind !== 'plain');
        const encrypted = (await encryptRecords(original, policy, keys))!;
        const stored = await decodeRecordBatch(encrypted); // verifies the recomputed CRC-32C
        const plain = await decodeRecordBatch(original);
        assert.deepEqual(
          headerOf(stored),
          headerOf(plain),
          'offsets, timestamps, producer fields, attributes',
        );
        assert.equal(stored.records.length, plain.records.length);
        stored.records.forEach((r, i) => {
          const o = plain.records[i]!;
          assert.deepEqual(
            [r.offsetDelta, r.timestampDelta, r.key],
            [o.offsetDelta, o.timestampDelta, o.key],
          );
          if (o.value === null) assert.equal(r.value, null, 'a tombstone stays a tombstone');
          else {
            assert.ok(isSealed(r));
            assert.ok(!r.value!.includes(Buffer.from('secret payload')));
          }
        });
        const back = await decryptRecords(encrypted, keys);
        assert.equal(back.failure, undefined);
        const restored = await decodeRecordBatch(back.records);
        assert.deepEqual(restored.records, plain.records);
        assert.deepEqual(headerOf(restored), headerOf(plain));
        if (codec === Compression.None)
          assert.deepEqual(back.records, original, 'byte-identical when uncompressed');
      });
    }
  }

  test('control batches (transaction markers) pass as their own bytes', async () => {
    const keys = new DataKeys(kms, limits, 100);
    const marker = await encodeRecordBatch({
      baseOffset: 5n,
      partitionLeaderEpoch: 0,
      attributes: BatchAttributes.transactional | BatchAttributes.control,
      baseTimestamp: 0n,
      maxTimestamp: 0n,
      producerId: 9n,
      producerEpoch: 0,
      baseSequence: -1,
      records: [
        {
          attributes: 0,
          timestampDelta: 0,
          offsetDelta: 0,
          key: Buffer.from([0, 0, 0, 1]),
          value: Buffer.from([0, 0, 0, 0, 0, 0]),
          headers: [],
        },
      ],
    });
    assert.deepEqual(await encryptRecords(marker, policy, keys), marker);
    assert.deepEqual((await decryptRecords(marker, keys)).records, marker);
  });

  test('a batch whose KEK version is gone stops decryption there; earlier batches are delivered', async () => {
    const keys = new DataKeys(kms, limits, 100);
    const first = (await encryptRecords(await batch(0, 'a', 0n, 10), policy, keys))!;
    ring = rotateKek(ring, 'orders', new Date()).ring;
    const later = new DataKeys(kms, limits, 100); // a new gateway: its data keys use version 2
    const second = (await encryptRecords(await batch(0, 'b', 10n, 10), policy, later))!;
    const third = (await encryptRecords(await batch(0, 'c', 20n, 10), policy, later))!;
    ring = { keks: new Map([['orders', ring.keks.get('orders')!.slice(0, 1)]]) }; // version 2 removed
    const reader = new DataKeys(kms, limits, 100);
    const r = await decryptRecords(Buffer.concat([first, second, third]), reader);
    assert.equal(r.failure?.offset, 10n);
    assert.match(r.failure!.error.message, /no KEK "orders" version 2/);
    const delivered = scanBatches(r.records).batches;
    assert.equal(delivered.length, 1);
    assert.deepEqual((await decodeRecordBatch(delivered[0]!.bytes)).records, records(10, 'a'));
    const alone = await decryptRecords(second, reader);
    assert.equal(alone.records.length, 0, 'nothing to deliver: the gateway answers CORRUPT_MESSAGE');
    ring = rotateKek(emptyKeyring(), 'orders', new Date()).ring;
  });

  test('a truncated or corrupt produce batch is refused with CORRUPT_MESSAGE', async () => {
    const keys = new DataKeys(kms, limits, 100);
    const good = await batch(0, 'x');
    await assert.rejects(encryptRecords(good.subarray(0, good.length - 5), policy, keys), {
      errorCode: ErrorCode.CORRUPT_MESSAGE,
    });
    const flipped = Buffer.from(good);
    flipped[good.length - 1]! ^= 1;
    await assert.rejects(encryptRecords(flipped, policy, keys), /CRC/);
  });

  test('data keys rotate by record count; every key is wrapped by the KMS once', async () => {
    let wraps = 0;
    const counting = new KeyringKms(() => ring, 'counting');
    const wrap = counting.wrap.bind(counting);
    counting.wrap = (id, dek) => {
      wraps++;
      return wrap(id, dek);
    };
    const keys = new DataKeys(counting, { maxRecords: 100, maxAgeMs: 3_600_000 }, 100);
    for (let i = 0; i < 10; i++) await encryptRecords(await batch(0, `r${i}`, 0n, 40), policy, keys);
    assert.equal(
      wraps,
      5,
      '400 records, 100 per key, batches of 40 never split across keys: 40+40, 40+40, ...',
    );
  });
});
