/**
 * The encryption stage of the request filter, on real encoded Produce/Fetch frames: what it
 * forwards, answers or refuses, and when it gives up cut-through Fetch streaming.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import pino from 'pino';
import {
  ApiKey,
  RequestFrame,
  ResponseFrame,
  ZERO_UUID,
  decodeRecordBatch,
  defaultFetchRequest,
  encodeRecordBatch,
  encodeRequestFrame,
  encodeResponseFrame,
} from '../../../protocol/index.js';
import { DataKeys, EncryptionPolicies } from '../../../gateway/encryption/index.js';
import { encryptionFilter } from '../../../gateway/encryption/filter.js';
import type { FilterDecision, SessionInfo } from '../../../gateway/session/client-session.js';
import { isSealed } from '../../../security/encryption/index.js';
import { KeyringKms, emptyKeyring, rotateKek } from '../../../security/kms/index.js';

const ring = rotateKek(emptyKeyring(), 'k', new Date()).ring;
const keys = new DataKeys(new KeyringKms(() => ring, 'ring'), { maxRecords: 1000, maxAgeMs: 60_000 }, 10);
const policies = new EncryptionPolicies([
  { prefix: 'enc-', kek: 'k', encryptHeaders: false },
  { prefix: 'nokek-', kek: 'absent', encryptHeaders: false },
  { prefix: 'only-alice-', kek: 'k', encryptHeaders: false, decryptFor: ['User:alice'] },
]);
/** Topic ids in Kafka's text form (22-character URL-safe base64 of 16 bytes). */
const topicId = (): string => randomBytes(16).toString('base64url');
const KNOWN_ID = topicId();
const ids = new Map<string, string>([[KNOWN_ID, 'enc-by-id']]);
const filter = encryptionFilter(undefined, {
  policies,
  keys,
  topicName: (id) => ids.get(id),
  log: pino({ level: 'silent' }),
});
const session = (principal: string): SessionInfo => ({
  id: 1,
  listener: 'l',
  clientAddress: '127.0.0.1',
  identity: { principal, mechanism: 'PLAIN', expiresAt: undefined },
});

async function records(): Promise<Buffer> {
  return encodeRecordBatch({
    baseOffset: 0n,
    partitionLeaderEpoch: -1,
    attributes: 0,
    baseTimestamp: 0n,
    maxTimestamp: 0n,
    producerId: -1n,
    producerEpoch: -1,
    baseSequence: -1,
    records: [
      {
        attributes: 0,
        timestampDelta: 0,
        offsetDelta: 0,
        key: null,
        value: Buffer.from('plain'),
        headers: [],
      },
    ],
  });
}

async function produce(
  version: number,
  topics: { name?: string; topicId?: string }[],
  acks = -1,
): Promise<RequestFrame> {
  const buf = encodeRequestFrame(
    { apiKey: ApiKey.Produce, apiVersion: version, correlationId: 7, clientId: 't' },
    {
      transactionalId: null,
      acks,
      timeoutMs: 1000,
      topicData: await Promise.all(
        topics.map(async (t) => ({
          name: t.name ?? '',
          topicId: t.topicId ?? ZERO_UUID,
          partitionData: [{ index: 0, records: await records() }],
        })),
      ),
    },
  );
  return new RequestFrame(buf.subarray(4));
}

function fetch(topics: string[]): RequestFrame {
  const body = defaultFetchRequest();
  body.topics = topics.map((topic) => ({
    topic,
    topicId: ZERO_UUID,
    partitions: [
      {
        partition: 0,
        currentLeaderEpoch: -1,
        fetchOffset: 0n,
        lastFetchedEpoch: -1,
        logStartOffset: -1n,
        partitionMaxBytes: 1 << 20,
      },
    ],
  }));
  const buf = encodeRequestFrame(
    { apiKey: ApiKey.Fetch, apiVersion: 12, correlationId: 9, clientId: 't' },
    body,
  );
  return new RequestFrame(buf.subarray(4));
}

const answeredProduce = (d: FilterDecision, version: number) => {
  assert.equal(d.kind, 'answer');
  const buf = (d as { response: Buffer }).response;
  return new ResponseFrame(buf.subarray(4), ApiKey.Produce, version).body(ApiKey.Produce);
};

describe('encryption filter stage', () => {
  test('Produce by name: encrypted topics are sealed before forwarding, others untouched', async () => {
    const frame = await produce(9, [{ name: 'enc-a' }, { name: 'plain-b' }]);
    const d = await filter(frame, session('User:alice'));
    assert.equal(d.kind, 'forward');
    const [enc, plain] = frame.body(ApiKey.Produce).topicData;
    assert.ok((await decodeRecordBatch(enc!.partitionData[0]!.records!)).records.every(isSealed));
    assert.deepEqual(plain!.partitionData[0]!.records, await records());
  });

  test('Produce v13 by id: a known id is encrypted; an unknown id is answered, never forwarded', async () => {
    const unknown = topicId();
    const frame = await produce(13, [{ topicId: KNOWN_ID }, { topicId: unknown }]);
    const d = await filter(frame, session('User:alice'));
    assert.equal(d.kind, 'forward', 'the known topic still goes to the broker');
    assert.equal(frame.body(ApiKey.Produce).topicData.length, 1);
    const only = await produce(13, [{ topicId: unknown }]);
    const body = answeredProduce(await filter(only, session('User:alice')), 13);
    assert.equal(body.responses[0]!.partitionResponses[0]!.errorCode, 100); // UNKNOWN_TOPIC_ID
  });

  test('Produce under a KEK the KMS lacks: answered with a message; acks=0 closes the connection', async () => {
    const body = answeredProduce(await filter(await produce(9, [{ name: 'nokek-x' }]), session('User:a')), 9);
    const p = body.responses[0]!.partitionResponses[0]!;
    assert.equal(p.errorCode, -1);
    assert.match(p.errorMessage!, /kgw cannot encrypt records for topic nokek-x \(KEK "absent"\)/);
    const d = await filter(await produce(9, [{ name: 'nokek-x' }], 0), session('User:a'));
    assert.equal(d.kind, 'close');
  });

  test('Fetch keeps cut-through until the connection reads a topic it decrypts; then it stays decoded', async () => {
    const bob = session('User:bob');
    assert.equal(
      ((await filter(fetch(['plain']), bob)) as { transformResponse?: unknown }).transformResponse,
      undefined,
    );
    assert.equal(
      ((await filter(fetch(['only-alice-t']), bob)) as { transformResponse?: unknown }).transformResponse,
      undefined,
      'bob reads ciphertext there: nothing to decode',
    );
    assert.notEqual(
      ((await filter(fetch(['enc-t']), bob)) as { transformResponse?: unknown }).transformResponse,
      undefined,
    );
    assert.notEqual(
      ((await filter(fetch([]), bob)) as { transformResponse?: unknown }).transformResponse,
      undefined,
      'an incremental fetch on the same connection may return the session’s partitions',
    );
    assert.equal(
      ((await filter(fetch([]), session('User:bob'))) as { transformResponse?: unknown }).transformResponse,
      undefined,
    );
  });

  test('a Fetch response is decrypted in place for a permitted principal', async () => {
    const frame = await produce(9, [{ name: 'enc-a' }]);
    await filter(frame, session('User:alice'));
    const stored = frame.body(ApiKey.Produce).topicData[0]!.partitionData[0]!.records!;
    const d = (await filter(fetch(['enc-a']), session('User:alice'))) as {
      transformResponse: (r: ResponseFrame) => Promise<void>;
    };
    const partition = {
      partitionIndex: 0,
      errorCode: 0,
      highWatermark: 1n,
      lastStableOffset: 1n,
      logStartOffset: 0n,
      abortedTransactions: null,
      preferredReadReplica: -1,
      records: stored,
    };
    const buf = encodeResponseFrame(ApiKey.Fetch, 12, 9, {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [{ topic: 'enc-a', topicId: ZERO_UUID, partitions: [partition] }],
    });
    const response = new ResponseFrame(buf.subarray(4), ApiKey.Fetch, 12);
    await d.transformResponse(response);
    const out = new ResponseFrame(response.toBuffer().subarray(4), ApiKey.Fetch, 12).body(ApiKey.Fetch);
    assert.deepEqual(out.responses[0]!.partitions[0]!.records, await records());
  });
});
