// Property test: for every message (requests, responses, headers, data) and every version,
// random valid message → encode → decode deep-equals it, and re-encoding is byte-exact.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as protocol from '../../../protocol/index.js';
import * as requestHeader from '../../../protocol/generated/messages/request-header.js';
import * as responseHeader from '../../../protocol/generated/messages/response-header.js';
import { KafkaCodecError, Reader, Writer, apiKeyTable } from '../../../protocol/index.js';
import { MessageGenerator, Rng, allMessageVersions } from './random-message.js';

type Fn = (...args: unknown[]) => unknown;
const modules: Record<string, unknown>[] = [requestHeader, responseHeader, protocol];
function fn(name: string): Fn {
  for (const m of modules) if (typeof m[name] === 'function') return m[name] as Fn;
  throw new Error(`no generated function ${name}`);
}

const SEED = Number(process.env.KGW_TEST_SEED ?? 0x5eed);
const PER_VERSION = Number(process.env.KGW_ROUNDTRIPS ?? 25);

export function encodeWith(name: string, v: number, m: unknown): Buffer {
  const w = new Writer(64);
  fn(`encode${name}`)(w, v, m);
  return Buffer.from(w.finish());
}

export function decodeWith(name: string, v: number, b: Buffer): unknown {
  const r = new Reader(b);
  const m = fn(`decode${name}`)(r, v);
  assert.equal(r.pos, b.length, `${name} v${v}: decoder left ${b.length - r.pos} bytes`);
  return m;
}

test('every message and version round-trips byte-exact', () => {
  const rng = new Rng(SEED);
  let cases = 0;
  for (const { name, schema, version } of allMessageVersions()) {
    const gen = new MessageGenerator(schema, rng);
    for (let i = 0; i < PER_VERSION; i++) {
      const msg = gen.message(version);
      const bytes = encodeWith(name, version, msg);
      const back = decodeWith(name, version, bytes);
      assert.deepStrictEqual(back, msg, `${name} v${version} (seed ${SEED}, iteration ${i})`);
      assert.ok(encodeWith(name, version, back).equals(bytes), `${name} v${version}: re-encode differs`);
      cases++;
    }
  }
  assert.ok(cases > 10_000);
});

test('public API: encodeRequest/decodeRequest and responses for every API key and version', () => {
  const rng = new Rng(SEED + 1);
  for (const info of apiKeyTable) {
    if (info.removed) continue;
    const k = info.apiKey as protocol.RequestApiKey;
    for (let v = info.minVersion; v <= info.maxVersion; v++) {
      const req = new MessageGenerator(protocol.messageSchemas[`${info.name}Request`]!, rng).message(v);
      const reqBytes = protocol.encodeRequest(k, v, req as never);
      assert.deepStrictEqual(protocol.decodeRequest(k, v, reqBytes), req);
      const resp = new MessageGenerator(protocol.messageSchemas[`${info.name}Response`]!, rng).message(v);
      const respBytes = protocol.encodeResponse(k, v, resp as never);
      assert.deepStrictEqual(protocol.decodeResponse(k, v, respBytes), resp);
    }
  }
});

test('unsupported versions and unknown api keys are typed errors', () => {
  const err = (code: string) => (e: unknown) => e instanceof KafkaCodecError && e.code === code;
  assert.throws(() => protocol.decodeRequest(0, 99, Buffer.alloc(10)), err('UNSUPPORTED_VERSION'));
  assert.throws(() => protocol.decodeRequest(0, 2, Buffer.alloc(10)), err('UNSUPPORTED_VERSION'));
  assert.throws(() => protocol.decodeRequest(4 as never, 0, Buffer.alloc(10)), err('UNKNOWN_API_KEY'));
  assert.throws(() => protocol.decodeRequest(9999 as never, 0, Buffer.alloc(10)), err('UNKNOWN_API_KEY'));
  assert.throws(
    () => protocol.encodeRequest(protocol.ApiKey.ApiVersions, 3, { clientSoftwareName: 'x' } as never),
    err('UNEXPECTED_NULL'),
  );
});

test('trailing bytes after a body are rejected', () => {
  const body = protocol.encodeRequest(protocol.ApiKey.ApiVersions, 3, {
    clientSoftwareName: 'kgw',
    clientSoftwareVersion: '1',
  });
  assert.throws(
    () => protocol.decodeRequest(protocol.ApiKey.ApiVersions, 3, Buffer.concat([body, Buffer.from([0])])),
    (e: unknown) => e instanceof KafkaCodecError && e.code === 'TRAILING_BYTES',
  );
});

test('a non-ignorable field with a non-default value the version lacks is refused, like Kafka', () => {
  const isNotInVersion = (e: unknown) => e instanceof KafkaCodecError && e.code === 'FIELD_NOT_IN_VERSION';
  const req = {
    topics: [],
    allowAutoTopicCreation: false, // version 4+, not ignorable
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  };
  assert.throws(() => protocol.encodeRequest(protocol.ApiKey.Metadata, 3, req), isNotInVersion);
  assert.ok(protocol.encodeRequest(protocol.ApiKey.Metadata, 4, req).length > 0);
  assert.ok(
    protocol.encodeRequest(protocol.ApiKey.Metadata, 3, { ...req, allowAutoTopicCreation: true }).length > 0,
  );
});
