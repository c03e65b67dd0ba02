/**
 * Byte-exact decode → encode of traffic captured between REAL clients (Kafka's Java CLI tools,
 * kcat) and a REAL Kafka 4.3.1 broker, through the capture proxy (which itself relies on the
 * codec to rewrite broker addresses). Also decodes every record batch the clients produced and
 * the broker returned (CRC verified, with Java's gzip/snappy/lz4/zstd output).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  Writer,
  apiKeyInfo,
  decodeRecords,
  decodeRequest,
  decodeRequestHeader,
  decodeResponse,
  decodeResponseHeader,
  encodeRecordBatch,
  encodeRequest,
  encodeRequestHeader,
  encodeResponse,
  encodeResponseHeader,
  valuesAt,
  ApiKey,
  type RequestApiKey,
} from '../../../protocol/index.js';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { clusterBootstrap, kafkaTool, kcat, uniqueName } from '../../harness/index.js';
import { CaptureProxy, type CapturedFrame } from './capture-proxy.js';

const lines = (s: string): string[] => s.split('\n').filter((l) => l.length > 0);

function roundTrip(f: CapturedFrame): void {
  const key = f.apiKey as RequestApiKey;
  const what = `${apiKeyInfo(f.apiKey)?.name ?? f.apiKey} v${f.apiVersion} ${f.direction}`;
  if (f.direction === 'request') {
    const h = decodeRequestHeader(f.payload);
    const w = new Writer();
    encodeRequestHeader(w, h);
    assert.ok(w.finish().equals(f.payload.subarray(0, h.headerLength)), `${what}: header differs`);
    const body = decodeRequest(key, f.apiVersion, f.payload, h.headerLength);
    const again = encodeRequest(key, f.apiVersion, body);
    assert.ok(again.equals(f.payload.subarray(h.headerLength)), `${what}: body re-encoding differs`);
  } else {
    const h = decodeResponseHeader(f.apiKey, f.apiVersion, f.payload);
    const w = new Writer();
    encodeResponseHeader(w, f.apiKey, f.apiVersion, h.correlationId, h.taggedFields);
    assert.ok(w.finish().equals(f.payload.subarray(0, h.headerLength)), `${what}: header differs`);
    const body = decodeResponse(key, f.apiVersion, f.payload, h.headerLength);
    const again = encodeResponse(key, f.apiVersion, body);
    assert.ok(again.equals(f.payload.subarray(h.headerLength)), `${what}: body re-encoding differs`);
  }
}

/** The records fields of captured Produce requests and Fetch responses. */
function recordFields(f: CapturedFrame): Buffer[] {
  if (f.direction === 'request' && f.apiKey === ApiKey.Produce) {
    const h = decodeRequestHeader(f.payload);
    const body = decodeRequest(ApiKey.Produce, f.apiVersion, f.payload, h.headerLength);
    return valuesAt(body, 'topicData[].partitionData[].records') as Buffer[];
  }
  if (f.direction === 'response' && f.apiKey === ApiKey.Fetch) {
    const h = decodeResponseHeader(f.apiKey, f.apiVersion, f.payload);
    const body = decodeResponse(ApiKey.Fetch, f.apiVersion, f.payload, h.headerLength);
    return valuesAt(body, 'responses[].partitions[].records') as Buffer[];
  }
  return [];
}

describe('codec round trip on traffic between real clients and a real broker', () => {
  let proxy: CaptureProxy;
  let via: string;

  before(async () => {
    proxy = await CaptureProxy.start(clusterBootstrap('east'));
    via = await proxy.address();
  });
  after(async () => {
    await proxy.close();
  });

  const topic = uniqueName('capture');
  const codecs = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

  test('Java admin tools through the proxy', async () => {
    const create = await kafkaTool(
      'topics',
      ['--bootstrap-server', via, '--create', '--topic', topic, '--partitions', '2'],
      { timeoutMs: 90_000 },
    );
    assert.equal(create.code, 0, create.stderr);
    const describe = await kafkaTool('topics', ['--bootstrap-server', via, '--describe', '--topic', topic], {
      timeoutMs: 90_000,
    });
    assert.equal(describe.code, 0, describe.stderr);
    assert.match(describe.stdout, new RegExp(`Topic: ${topic}`));
    const configs = await kafkaTool(
      'configs',
      ['--bootstrap-server', via, '--describe', '--entity-type', 'topics', '--entity-name', topic],
      { timeoutMs: 90_000 },
    );
    assert.equal(configs.code, 0, configs.stderr);
  });

  test('Java console producer with every compression codec, then a console consumer group', async () => {
    for (const codec of codecs) {
      const input = Array.from(
        { length: 5 },
        (_, i) => `${codec}-key-${i}:${codec} value ${i} ${'x'.repeat(i * 40)}`,
      );
      const produce = await kafkaTool(
        'console-producer',
        [
          '--bootstrap-server',
          via,
          '--topic',
          topic,
          '--compression-codec',
          codec,
          '--property',
          'parse.key=true',
          '--property',
          'key.separator=:',
        ],
        { input: input.join('\n') + '\n', timeoutMs: 90_000 },
      );
      assert.equal(produce.code, 0, produce.stderr);
    }
    const group = uniqueName('capture-group');
    const consume = await kafkaTool(
      'console-consumer',
      [
        '--bootstrap-server',
        via,
        '--topic',
        topic,
        '--group',
        group,
        '--from-beginning',
        '--max-messages',
        String(codecs.length * 5),
        '--timeout-ms',
        '60000',
      ],
      { timeoutMs: 120_000 },
    );
    assert.equal(consume.code, 0, consume.stderr);
    assert.equal(lines(consume.stdout).length, codecs.length * 5);
    const groups = await kafkaTool(
      'consumer-groups',
      ['--bootstrap-server', via, '--describe', '--group', group],
      {
        timeoutMs: 90_000,
      },
    );
    assert.equal(groups.code, 0, groups.stderr);
  });

  test('kcat metadata, produce and consume through the proxy', async () => {
    const meta = await kcat(['-b', via, '-L', '-t', topic], { timeoutMs: 30_000 });
    assert.equal(meta.code, 0, meta.stderr);
    for (const codec of ['snappy', 'lz4']) {
      const produce = await kcat(['-b', via, '-t', topic, '-P', '-z', codec, '-X', 'acks=all'], {
        // big, repetitive values: librdkafka sends a batch uncompressed if compressing does not shrink it
        input: `kcat ${codec} 1 ${'abc'.repeat(200)}\nkcat ${codec} 2 ${'abc'.repeat(200)}\n`,
        timeoutMs: 30_000,
      });
      assert.equal(produce.code, 0, produce.stderr);
    }
    const consume = await kcat(['-b', via, '-t', topic, '-C', '-e', '-q', '-f', '%s\\n'], {
      timeoutMs: 60_000,
    });
    assert.equal(consume.code, 0, consume.stderr);
    assert.equal(lines(consume.stdout).length, codecs.length * 5 + 4);
  });

  test('kafkajs admin, producer and consumer group through the proxy', async () => {
    const kafka = new Kafka({ clientId: 'capture-kafkajs', brokers: [via], logLevel: logLevel.ERROR });
    const own = uniqueName('capture-kafkajs');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: own, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const messages = Array.from({ length: 10 }, (_, i) => ({
      key: `k${i}`,
      value: `v${i}`,
      headers: { h: 'x' },
    }));
    await producer.send({ topic: own, acks: -1, compression: CompressionTypes.GZIP, messages });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: uniqueName('capture-kafkajs-group') });
    await consumer.connect();
    await consumer.subscribe({ topic: own, fromBeginning: true });
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`received ${received}/10`)), 60_000);
      void consumer.run({
        eachMessage: async () => {
          if (++received === messages.length) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
  });

  test('Java consumer with the KIP-848 consumer group protocol', async () => {
    const consume = await kafkaTool(
      'console-consumer',
      [
        '--bootstrap-server',
        via,
        '--topic',
        topic,
        '--group',
        uniqueName('capture-848'),
        '--consumer-property',
        'group.protocol=consumer',
        '--from-beginning',
        '--max-messages',
        '5',
        '--timeout-ms',
        '60000',
      ],
      { timeoutMs: 120_000 },
    );
    assert.equal(consume.code, 0, consume.stderr);
    // (the tool may add a status line to stdout; what matters is that it consumed through the proxy)
    assert.ok(lines(consume.stdout).length >= 5, consume.stdout);
  });

  test('more admin operations: partitions, configs, offsets, groups, quorum, transactions, deletes', async () => {
    const ok = async (p: Promise<{ code: number | null; stderr: string }>): Promise<void> => {
      const r = await p;
      assert.equal(r.code, 0, r.stderr);
    };
    const t = { timeoutMs: 90_000 };
    const scratch = uniqueName('capture-admin');
    await ok(
      kafkaTool(
        'topics',
        ['--bootstrap-server', via, '--create', '--topic', scratch, '--partitions', '1'],
        t,
      ),
    );
    await ok(
      kafkaTool('topics', ['--bootstrap-server', via, '--alter', '--topic', scratch, '--partitions', '3'], t),
    );
    await ok(
      kafkaTool(
        'configs',
        [
          '--bootstrap-server',
          via,
          '--alter',
          '--entity-type',
          'topics',
          '--entity-name',
          scratch,
          '--add-config',
          'retention.ms=3600000',
        ],
        t,
      ),
    );
    await ok(kafkaTool('metadata-quorum', ['--bootstrap-server', via, 'describe', '--status'], t));

    // kafkajs: a transaction that also commits consumer offsets, then DeleteRecords
    const kafka = new Kafka({ clientId: 'capture-admin', brokers: [via], logLevel: logLevel.ERROR });
    const producer = kafka.producer({
      transactionalId: uniqueName('capture-tx'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const tx = await producer.transaction();
    await tx.send({ topic: scratch, messages: [{ key: 'a', value: 'in a transaction' }] });
    const txGroup = uniqueName('capture-tx-group');
    await tx.sendOffsets({
      consumerGroupId: txGroup,
      topics: [{ topic: scratch, partitions: [{ partition: 0, offset: '0' }] }],
    });
    await tx.commit();
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.fetchTopicMetadata({ topics: [scratch] }); // kafkajs needs it loaded for deleteTopicRecords
    await admin.deleteTopicRecords({ topic: scratch, partitions: [{ partition: 0, offset: '-1' }] });
    await admin.disconnect();

    await ok(
      kafkaTool(
        'consumer-groups',
        [
          '--bootstrap-server',
          via,
          '--group',
          txGroup,
          '--reset-offsets',
          '--to-earliest',
          '--topic',
          scratch,
          '--execute',
        ],
        t,
      ),
    );
    await ok(kafkaTool('consumer-groups', ['--bootstrap-server', via, '--delete', '--group', txGroup], t));
    await ok(kafkaTool('topics', ['--bootstrap-server', via, '--delete', '--topic', scratch], t));
  });

  test('every captured request and response decodes and re-encodes byte-exact', async () => {
    assert.deepEqual(proxy.errors, []);
    const covered = new Map<string, number>();
    for (const f of proxy.frames) {
      roundTrip(f);
      const k = `${apiKeyInfo(f.apiKey)?.name ?? f.apiKey} v${f.apiVersion} ${f.direction}`;
      covered.set(k, (covered.get(k) ?? 0) + 1);
    }
    assert.ok(proxy.frames.length > 50, `only ${proxy.frames.length} frames captured`);
    console.log(`captured ${proxy.frames.length} frames; (api, version, direction) covered:`);
    for (const [k, n] of [...covered.entries()].sort()) console.log(`  ${k} ×${n}`);

    // record batches written by Java and librdkafka producers and returned by the broker
    const seenCodecs = new Set<number>();
    let batches = 0;
    for (const f of proxy.frames) {
      for (const field of recordFields(f)) {
        const { batches: decoded } = await decodeRecords(field);
        for (const b of decoded) {
          if (b.magic !== 2) continue;
          batches++;
          seenCodecs.add(b.attributes & 7);
          if ((b.attributes & 7) === 0) {
            const raw = await encodeRecordBatch(b);
            assert.ok(field.includes(raw), 'uncompressed batch re-encodes byte-exact');
          }
        }
      }
    }
    console.log(
      `decoded ${batches} record batches; compression codecs seen: ${[...seenCodecs].sort().join(',')}`,
    );
    assert.deepEqual([...seenCodecs].sort(), [0, 1, 2, 3, 4]);
  });
});
