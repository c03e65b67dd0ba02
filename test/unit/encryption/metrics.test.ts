/**
 * Encryption metrics counted by the filter stage on real encoded frames: records per topic and
 * operation, failures with their reason, data keys made and why, KMS latency, and the topic label
 * cap (client-made names beyond it are counted under __other__).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import { Registry } from 'prom-client';
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
import { EncryptionMetrics, timedKms } from '../../../gateway/encryption/metrics.js';
import type { SessionInfo } from '../../../gateway/session/client-session.js';
import { KeyringKms, emptyKeyring, rotateKek } from '../../../security/kms/index.js';

const session: SessionInfo = {
  id: 1,
  listener: 'l',
  clientAddress: '127.0.0.1',
  identity: { principal: 'User:alice', mechanism: 'PLAIN', expiresAt: undefined },
};

function setup(maxTopicLabels = 100) {
  const registry = new Registry();
  const metrics = new EncryptionMetrics(registry, {
    maxTopicLabels,
    engine: 'native',
    keks: ['k', 'absent'],
    topics: ['enc-named'],
  });
  const ring = rotateKek(emptyKeyring(), 'k', new Date()).ring;
  const kms = timedKms(new KeyringKms(() => ring, 'ring'), metrics);
  const keys = new DataKeys(kms, { maxRecords: 5, maxAgeMs: 60_000 }, 10, (kek, reason) =>
    metrics.dataKey(kek, reason),
  );
  const policies = new EncryptionPolicies([
    { prefix: 'enc-', kek: 'k', encryptHeaders: false },
    { prefix: 'nokek-', kek: 'absent', encryptHeaders: false },
  ]);
  const filter = encryptionFilter(undefined, {
    policies,
    keys,
    topicName: () => undefined,
    log: pino({ level: 'silent' }),
    metrics,
  });
  const value = async (name: string, labels: Record<string, string>): Promise<number> => {
    // a histogram's _count series is a value of the histogram's metric, named by metricName
    const values = (await registry.getMetricsAsJSON()).flatMap((m) =>
      m.values.map((v) => ({ ...v, series: (v as { metricName?: string }).metricName ?? m.name })),
    );
    const hit = values.find(
      (v) => v.series === name && Object.entries(labels).every(([k, l]) => v.labels[k] === l),
    );
    return hit?.value ?? 0;
  };
  return { registry, filter, value };
}

async function batch(n: number): Promise<Buffer> {
  return encodeRecordBatch({
    baseOffset: 0n,
    partitionLeaderEpoch: -1,
    attributes: 0,
    baseTimestamp: 0n,
    maxTimestamp: 0n,
    producerId: -1n,
    producerEpoch: -1,
    baseSequence: -1,
    records: Array.from({ length: n }, (_, i) => ({
      attributes: 0,
      timestampDelta: 0,
      offsetDelta: i,
      key: null,
      value: Buffer.from(`v${i}`),
      headers: [],
    })),
  });
}

async function produce(topic: string, n: number): Promise<RequestFrame> {
  const buf = encodeRequestFrame(
    { apiKey: ApiKey.Produce, apiVersion: 9, correlationId: 7, clientId: 't' },
    {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topicData: [
        { name: topic, topicId: ZERO_UUID, partitionData: [{ index: 0, records: await batch(n) }] },
      ],
    },
  );
  return new RequestFrame(buf.subarray(4));
}

function fetchRequest(topic: string): RequestFrame {
  const body = defaultFetchRequest();
  body.topics = [{ topic, topicId: ZERO_UUID, partitions: [] }];
  const buf = encodeRequestFrame(
    { apiKey: ApiKey.Fetch, apiVersion: 12, correlationId: 9, clientId: 't' },
    body,
  );
  return new RequestFrame(buf.subarray(4));
}

function fetchResponse(topic: string, records: Buffer): ResponseFrame {
  const partition = {
    partitionIndex: 0,
    errorCode: 0,
    highWatermark: 1n,
    lastStableOffset: 1n,
    logStartOffset: 0n,
    abortedTransactions: null,
    preferredReadReplica: -1,
    records,
  };
  const buf = encodeResponseFrame(ApiKey.Fetch, 12, 9, {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: [{ topic, topicId: ZERO_UUID, partitions: [partition] }],
  });
  return new ResponseFrame(buf.subarray(4), ApiKey.Fetch, 12);
}

type Transform = { transformResponse: (r: ResponseFrame) => Promise<void> };

describe('encryption metrics', () => {
  test('records, failures, data keys and KMS latency are counted where they happen', async () => {
    const { filter, value } = setup();
    const RECORDS = 'kgw_gateway_encryption_records_total';
    const FAILURES = 'kgw_gateway_encryption_failures_total';
    const KEYS = 'kgw_gateway_encryption_data_keys_total';
    assert.equal(
      await value(RECORDS, { topic: 'enc-named', operation: 'encrypt' }),
      0,
      'present from the start',
    );

    const frames = [await produce('enc-a', 3), await produce('enc-a', 4), await produce('enc-a', 2)];
    for (const f of frames) await filter(f, session);
    assert.equal(await value(RECORDS, { topic: 'enc-a', operation: 'encrypt' }), 9);
    // maxRecords 5: 3 fit the first key, 4 more do not (a new key), 2 more fit it (4 + 2 > 5: new)
    assert.equal(await value(KEYS, { kek: 'k', reason: 'first' }), 1);
    assert.equal(await value(KEYS, { kek: 'k', reason: 'max_records' }), 2);

    await filter(await produce('nokek-x', 2), session);
    assert.equal(await value(FAILURES, { topic: 'nokek-x', operation: 'encrypt', reason: 'kms' }), 1);
    assert.equal(await value(RECORDS, { topic: 'nokek-x', operation: 'encrypt' }), 0);

    const stored = frames[1]!.body(ApiKey.Produce).topicData[0]!.partitionData[0]!.records!;
    const d = (await filter(fetchRequest('enc-a'), session)) as Transform;
    await d.transformResponse(fetchResponse('enc-a', stored));
    assert.equal(await value(RECORDS, { topic: 'enc-a', operation: 'decrypt' }), 4);

    // One ciphertext byte altered, the batch re-encoded with a valid CRC: only GCM can notice.
    const decoded = await decodeRecordBatch(stored);
    const value0 = Buffer.from(decoded.records[0]!.value!);
    value0[value0.length - 20]! ^= 1;
    decoded.records[0] = { ...decoded.records[0]!, value: value0 };
    const reencoded = await encodeRecordBatch(decoded);
    await ((await filter(fetchRequest('enc-a'), session)) as Transform).transformResponse(
      fetchResponse('enc-a', reencoded),
    );
    assert.equal(
      await value(FAILURES, { topic: 'enc-a', operation: 'decrypt', reason: 'authentication' }),
      1,
    );

    const KMS = 'kgw_gateway_encryption_kms_seconds_count';
    assert.equal(await value(KMS, { kms_operation: 'wrap', outcome: 'ok' }), 3);
    assert.equal(await value(KMS, { kms_operation: 'wrap', outcome: 'error' }), 1);
    assert.equal(await value('kgw_gateway_encryption_engine', { engine: 'native' }), 1);
  });

  test('client-made topic names beyond the cap are counted under __other__', async () => {
    const { filter, value, registry } = setup(3);
    for (let i = 0; i < 10; i++) await filter(await produce(`enc-${i}`, 1), session);
    await filter(await produce('enc-0', 1), session);
    const series = (await registry.getMetricsAsJSON())
      .find((m) => m.name === 'kgw_gateway_encryption_records_total')!
      .values.filter((v) => v.labels.operation === 'encrypt');
    // enc-named (configured) took one of the 3 places; enc-0 and enc-1 the other two
    assert.deepEqual(series.map((v) => v.labels.topic).sort(), ['__other__', 'enc-0', 'enc-1', 'enc-named']);
    assert.equal(
      await value('kgw_gateway_encryption_records_total', { topic: 'enc-0', operation: 'encrypt' }),
      2,
    );
    assert.equal(
      await value('kgw_gateway_encryption_records_total', { topic: '__other__', operation: 'encrypt' }),
      8,
    );
  });
});
