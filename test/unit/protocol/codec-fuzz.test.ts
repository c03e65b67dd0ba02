// Fuzzing the decoders: truncated, mutated and random input must only ever raise KafkaCodecError,
// quickly, and a hostile element count must fail before anything is allocated.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import * as protocol from '../../../protocol/index.js';
import * as requestHeader from '../../../protocol/generated/messages/request-header.js';
import * as responseHeader from '../../../protocol/generated/messages/response-header.js';
import { KafkaCodecError, Reader, Writer, decodeRequestHeader } from '../../../protocol/index.js';
import { MessageGenerator, Rng, allMessageVersions } from './random-message.js';

type Fn = (...args: unknown[]) => unknown;
const modules: Record<string, unknown>[] = [requestHeader, responseHeader, protocol];
function fn(name: string): Fn {
  for (const m of modules) if (typeof m[name] === 'function') return m[name] as Fn;
  throw new Error(`no generated function ${name}`);
}

/** Decodes the whole buffer; returns 'ok' or rethrows anything that is not a KafkaCodecError. */
function tryDecode(name: string, v: number, b: Buffer): 'ok' | 'error' {
  try {
    const r = new Reader(b);
    fn(`decode${name}`)(r, v);
    return 'ok';
  } catch (e) {
    if (e instanceof KafkaCodecError) return 'error';
    throw new Error(`${name} v${v}: non-codec error for ${b.toString('hex')}: ${String(e)}`, { cause: e });
  }
}

test('every strict prefix of a valid message fails with a typed error', () => {
  const rng = new Rng(7);
  for (const { name, schema, version } of allMessageVersions()) {
    const w = new Writer();
    fn(`encode${name}`)(w, version, new MessageGenerator(schema, rng).message(version));
    const full = Buffer.from(w.finish());
    const step = Math.max(1, Math.floor(full.length / 48));
    for (let cut = 0; cut < full.length; cut += step) {
      assert.equal(
        tryDecode(name, version, full.subarray(0, cut)),
        'error',
        `${name} v${version} cut ${cut}`,
      );
    }
  }
});

test('mutated messages decode or fail with a typed error', () => {
  const rng = new Rng(11);
  for (const { name, schema, version } of allMessageVersions()) {
    const w = new Writer();
    fn(`encode${name}`)(w, version, new MessageGenerator(schema, rng).message(version));
    const full = Buffer.from(w.finish());
    if (full.length === 0) continue;
    for (let i = 0; i < 12; i++) {
      const b = Buffer.from(full);
      for (let k = rng.int(1, 3); k > 0; k--) b[rng.int(0, b.length - 1)] = rng.int(0, 255);
      tryDecode(name, version, b);
    }
  }
});

test('random bytes (fast-check) never escape as anything but KafkaCodecError', () => {
  const targets = allMessageVersions();
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: targets.length - 1 }),
      fc.uint8Array({ maxLength: 96 }),
      (i, bytes) => {
        const t = targets[i]!;
        tryDecode(t.name, t.version, Buffer.from(bytes));
      },
    ),
    { numRuns: 20_000, seed: 1234 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      try {
        decodeRequestHeader(Buffer.from(bytes));
      } catch (e) {
        if (!(e instanceof KafkaCodecError)) throw e;
      }
    }),
    { numRuns: 5_000, seed: 99 },
  );
});

test('a declared count of 2^31-1 elements fails at once with INVALID_LENGTH', () => {
  const isLen = (e: unknown) => e instanceof KafkaCodecError && e.code === 'INVALID_LENGTH';
  // MetadataRequest v4 (non-flexible): topics int32 count
  const classic = Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
  const t0 = process.hrtime.bigint();
  assert.throws(() => protocol.decodeRequest(protocol.ApiKey.Metadata, 4, classic), isLen);
  // MetadataRequest v12 (flexible): compact array, uvarint 0xffffffff → 2^32-2 elements
  const compact = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0]);
  assert.throws(() => protocol.decodeRequest(protocol.ApiKey.Metadata, 12, compact), isLen);
  // huge string and bytes lengths
  assert.throws(() => new Reader(Buffer.from([0x7f, 0xff, 0x41])).string(), isLen);
  assert.throws(() => new Reader(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0x41])).bytes(), isLen);
  // a tagged field claiming more bytes than remain
  assert.throws(() => new Reader(Buffer.from([0x01, 0x00, 0xff, 0xff, 0x03])).skipTaggedFields(), isLen);
  assert.ok(process.hrtime.bigint() - t0 < 50_000_000n, 'rejecting huge counts must be immediate');
});

test('over-long varints are rejected', () => {
  const isVarint = (e: unknown) => e instanceof KafkaCodecError && e.code === 'INVALID_VARINT';
  assert.throws(() => new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).uvarint(), isVarint);
  assert.throws(() => new Reader(Buffer.alloc(11, 0xff)).varlong(), isVarint);
  assert.equal(new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])).uvarint(), 0xffffffff);
});
