import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { KafkaCodecError, Reader, Writer } from '../../../protocol/index.js';

test('varint / varlong / uvarint round trips and known encodings', () => {
  const enc = (f: (w: Writer) => void): string => {
    const w = new Writer(1);
    f(w);
    return w.finish().toString('hex');
  };
  assert.equal(
    enc((w) => w.varint(0)),
    '00',
  );
  assert.equal(
    enc((w) => w.varint(-1)),
    '01',
  );
  assert.equal(
    enc((w) => w.varint(1)),
    '02',
  );
  assert.equal(
    enc((w) => w.varint(-64)),
    '7f',
  );
  assert.equal(
    enc((w) => w.varint(64)),
    '8001',
  );
  assert.equal(
    enc((w) => w.varint(2147483647)),
    'feffffff0f',
  );
  assert.equal(
    enc((w) => w.varint(-2147483648)),
    'ffffffff0f',
  );
  assert.equal(
    enc((w) => w.uvarint(300)),
    'ac02',
  );
  assert.equal(
    enc((w) => w.varlong(-9223372036854775808n)),
    'ffffffffffffffffff01',
  );
  fc.assert(
    fc.property(fc.integer({ min: -0x80000000, max: 0x7fffffff }), (v) => {
      const w = new Writer(1);
      w.varint(v);
      assert.equal(new Reader(w.finish()).varint(), v);
    }),
  );
  fc.assert(
    fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v) => {
      const w = new Writer(1);
      w.varlong(v);
      assert.equal(new Reader(w.finish()).varlong(), v);
    }),
  );
  fc.assert(
    fc.property(fc.maxSafeInteger(), (v) => {
      const w = new Writer(1);
      w.varlongNumber(v);
      const b = w.finish();
      assert.equal(new Reader(b).varlongNumber(), v);
      assert.equal(new Reader(b).varlong(), BigInt(v));
    }),
  );
});

test('fixed-width integers: byte order, sign, and range checks', () => {
  const w = new Writer(1);
  w.int8(-1);
  w.int16(-2);
  w.uint16(65535);
  w.int32(-3);
  w.uint32(0xfffffffe);
  assert.equal(w.finish().toString('hex'), 'ff' + 'fffe' + 'ffff' + 'fffffffd' + 'fffffffe');
  const r = new Reader(w.finish());
  assert.deepEqual([r.int8(), r.int16(), r.uint16(), r.int32(), r.uint32()], [-1, -2, 65535, -3, 0xfffffffe]);
  const bad = (f: () => void) =>
    assert.throws(f, (e: unknown) => e instanceof KafkaCodecError && e.code === 'INVALID_VALUE');
  bad(() => w.int8(128));
  bad(() => w.int16(32768));
  bad(() => w.uint16(-1));
  bad(() => w.int32(2 ** 31));
  bad(() => w.int32(1.5));
  bad(() => w.uint32(-1));
  bad(() => w.int32(undefined as unknown as number));
});
