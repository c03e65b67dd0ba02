// Frame reader edge cases, header parsing and lazy request/response frames.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ApiKey,
  FrameReader,
  KafkaCodecError,
  RequestFrame,
  ResponseFrame,
  Writer,
  decodeRequestHeader,
  decodeResponseHeader,
  encodeRequestFrame,
  encodeRequestHeader,
  encodeResponseFrame,
  encodeResponseHeader,
  readFrames,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../../../protocol/index.js';

function frame(payload: Buffer): Buffer {
  const b = Buffer.alloc(4 + payload.length);
  b.writeInt32BE(payload.length, 0);
  payload.copy(b, 4);
  return b;
}

test('frames inside one chunk are zero-copy views', () => {
  const chunk = Buffer.concat([
    frame(Buffer.from('abc')),
    frame(Buffer.alloc(0)),
    frame(Buffer.from('hello')),
  ]);
  const r = new FrameReader({ maxFrameSize: 100 });
  const out = r.push(chunk);
  assert.deepEqual(
    out.map((b) => b.toString()),
    ['abc', '', 'hello'],
  );
  assert.equal(out[0]!.buffer, chunk.buffer);
  assert.equal(out[2]!.byteOffset, chunk.byteOffset + 4 + 3 + 4 + 4);
  assert.ok(r.idle);
});

test('frames split at every possible point reassemble exactly', () => {
  const payloads = [Buffer.from('first frame'), Buffer.alloc(0), Buffer.from('x'), Buffer.alloc(300, 7)];
  const stream = Buffer.concat(payloads.map(frame));
  for (let a = 0; a <= stream.length; a++) {
    for (const b of [a, Math.min(stream.length, a + 1), Math.min(stream.length, a + 5), stream.length]) {
      const r = new FrameReader({ maxFrameSize: 1000 });
      const got = [
        ...r.push(stream.subarray(0, a)),
        ...r.push(stream.subarray(a, b)),
        ...r.push(stream.subarray(b)),
      ];
      assert.deepEqual(got, payloads, `split at ${a}/${b}`);
      assert.ok(r.idle);
    }
  }
  // byte by byte
  const r = new FrameReader({ maxFrameSize: 1000 });
  const got: Buffer[] = [];
  for (let i = 0; i < stream.length; i++) got.push(...r.push(stream.subarray(i, i + 1)));
  assert.deepEqual(got, payloads);
});

test('negative and oversized sizes are typed errors, and the reader stays failed', () => {
  const neg = Buffer.from([0xff, 0xff, 0xff, 0xfe, 1, 2]);
  const r1 = new FrameReader({ maxFrameSize: 100 });
  assert.throws(
    () => r1.push(neg),
    (e: unknown) => e instanceof KafkaCodecError && e.code === 'INVALID_FRAME_SIZE',
  );
  assert.throws(
    () => r1.push(Buffer.alloc(1)),
    (e: unknown) => e instanceof KafkaCodecError,
  );

  const r2 = new FrameReader({ maxFrameSize: 100 });
  assert.throws(
    () => r2.push(Buffer.from([0, 0, 0, 101])),
    (e: unknown) => e instanceof KafkaCodecError && e.code === 'FRAME_TOO_LARGE',
  );
  // oversize detected even when the prefix arrives split
  const r3 = new FrameReader({ maxFrameSize: 100 });
  assert.deepEqual(r3.push(Buffer.from([0x7f, 0xff])), []);
  assert.throws(
    () => r3.push(Buffer.from([0xff, 0xff])),
    (e: unknown) => e instanceof KafkaCodecError && e.code === 'FRAME_TOO_LARGE',
  );
  // a frame at exactly the maximum is fine
  const r4 = new FrameReader({ maxFrameSize: 5 });
  assert.equal(r4.push(frame(Buffer.alloc(5)))[0]!.length, 5);
});

test('a huge declared size holds only the bytes received', () => {
  const r = new FrameReader({ maxFrameSize: 1 << 30 });
  assert.deepEqual(r.push(Buffer.from([0x3f, 0xff, 0xff, 0xff, 1, 2, 3])), []);
  assert.equal(r.buffered, 7);
});

test('readFrames reports a stream that ends inside a frame', async () => {
  async function* src(): AsyncGenerator<Buffer> {
    yield frame(Buffer.from('ok'));
    yield Buffer.from([0, 0, 0, 9, 1]);
  }
  const got: string[] = [];
  await assert.rejects(
    async () => {
      for await (const f of readFrames(src(), { maxFrameSize: 100 })) got.push(f.toString());
    },
    (e: unknown) => e instanceof KafkaCodecError && e.code === 'TRUNCATED',
  );
  assert.deepEqual(got, ['ok']);
});

test('request header v1 and v2, response header v0 and v1', () => {
  assert.equal(requestHeaderVersion(ApiKey.Produce, 8), 1);
  assert.equal(requestHeaderVersion(ApiKey.Produce, 9), 2);
  assert.equal(responseHeaderVersion(ApiKey.Metadata, 9), 1);
  assert.equal(responseHeaderVersion(ApiKey.ApiVersions, 4), 0); // always v0

  const v2 = encodeRequestFrame(
    { apiKey: ApiKey.Metadata, apiVersion: 12, correlationId: 42, clientId: 'cli' },
    {
      topics: null,
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: true,
    },
  );
  const h = decodeRequestHeader(v2, 4);
  assert.deepEqual(h, {
    apiKey: 3,
    apiVersion: 12,
    correlationId: 42,
    clientId: 'cli',
    headerVersion: 2,
    headerLength: 14,
  });
  const v1 = encodeRequestFrame(
    { apiKey: ApiKey.Metadata, apiVersion: 4, correlationId: -5, clientId: null },
    {
      topics: [],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    },
  );
  assert.deepEqual(decodeRequestHeader(v1, 4), {
    apiKey: 3,
    apiVersion: 4,
    correlationId: -5,
    clientId: null,
    headerVersion: 1,
    headerLength: 10,
  });
  // header v2 tagged fields are kept
  const w = new Writer();
  w.int16(3);
  w.int16(12);
  w.int32(1);
  w.nullableString('c');
  w.uvarint(1);
  w.uvarint(5);
  w.uvarint(1);
  w.int8(9);
  const tagged = decodeRequestHeader(w.finish());
  assert.deepEqual(tagged.taggedFields, [{ tag: 5, data: Buffer.from([9]) }]);

  // header v0 (no client id) when asked for explicitly
  const w0 = new Writer();
  encodeRequestHeader(w0, { apiKey: 7, apiVersion: 0, correlationId: 5, clientId: null, headerVersion: 0 });
  assert.equal(w0.finish().toString('hex'), '0007000000000005');
  assert.deepEqual(decodeRequestHeader(w0.finish(), 0, 8, 0), {
    apiKey: 7,
    apiVersion: 0,
    correlationId: 5,
    clientId: null,
    headerVersion: 0,
    headerLength: 8,
  });

  const rw = new Writer();
  encodeResponseHeader(rw, ApiKey.Fetch, 12, 77);
  assert.equal(rw.finish().toString('hex'), '0000004d00');
  assert.deepEqual(decodeResponseHeader(ApiKey.Fetch, 12, rw.finish()), {
    correlationId: 77,
    headerVersion: 1,
    headerLength: 5,
  });
  const av = encodeResponseFrame(ApiKey.ApiVersions, 3, 9, {
    errorCode: 0,
    apiKeys: [{ apiKey: 0, minVersion: 3, maxVersion: 13 }],
    throttleTimeMs: 0,
  });
  assert.equal(av.readInt32BE(0), av.length - 4);
  assert.equal(av.readInt32BE(4), 9);
  assert.equal(av.readInt16BE(8), 0); // error code right after the v0 header
});

test('RequestFrame forwards original bytes until the body is replaced', () => {
  const wire = encodeRequestFrame(
    { apiKey: ApiKey.Metadata, apiVersion: 12, correlationId: 1, clientId: 'c' },
    {
      topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'orders' }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    },
  );
  const payload = wire.subarray(4);
  const f = new RequestFrame(payload);
  assert.equal(f.apiKey, ApiKey.Metadata);
  const bufs = f.toBuffers();
  assert.equal(bufs[1], payload); // same object: no copy, no re-encode
  assert.ok(f.toBuffer().equals(wire));

  const body = f.body(ApiKey.Metadata);
  assert.equal(body.topics![0]!.name, 'orders');
  assert.ok(f.toBuffer().equals(wire), 'decoding alone does not change the bytes');
  body.topics![0]!.name = 'renamed';
  f.setBody(ApiKey.Metadata, body);
  const re = new RequestFrame(f.toBuffer().subarray(4));
  assert.equal(re.body(ApiKey.Metadata).topics![0]!.name, 'renamed');
  assert.equal(re.clientId, 'c');

  f.setCorrelationId(99);
  assert.equal(decodeRequestHeader(f.toBuffer(), 4).correlationId, 99);
});

test('ResponseFrame decodes lazily with the request api/version', () => {
  const wire = encodeResponseFrame(ApiKey.FindCoordinator, 4, 3, {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    nodeId: 0,
    host: '',
    port: 0,
    coordinators: [{ key: 'g', nodeId: 1, host: 'broker-1', port: 9092, errorCode: 0, errorMessage: null }],
  });
  const f = new ResponseFrame(wire.subarray(4), ApiKey.FindCoordinator, 4);
  assert.equal(f.correlationId, 3);
  const b = f.body(ApiKey.FindCoordinator);
  b.coordinators[0]!.host = '127.0.0.1';
  b.coordinators[0]!.port = 19092;
  f.setBody(ApiKey.FindCoordinator, b);
  const again = new ResponseFrame(f.toBuffer().subarray(4), ApiKey.FindCoordinator, 4);
  assert.equal(again.body(ApiKey.FindCoordinator).coordinators[0]!.port, 19092);
});
