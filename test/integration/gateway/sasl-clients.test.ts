/** Real clients through a TLS + SASL gateway in front of a real broker. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import kafkajs from 'kafkajs';
import { ApiKey, defaultMetadataRequest, encodeRequestFrame } from '../../../protocol/index.js';
import { rawScramSession } from '../../harness/raw-client.js';
import { clusterBootstrap, kafkaTool, kcat, uniqueName } from '../../harness/index.js';
import {
  ADMIN,
  javaClientConfig,
  kafkajsSecurity,
  kcatSecurity,
  startTestGateway,
  type TestGateway,
} from '../../harness/gateway.js';

const { Kafka, logLevel } = kafkajs;
const ALICE = { name: 'alice', password: 'alice-pw' };
let gw: TestGateway;

before(async () => {
  gw = await startTestGateway({ upstream: clusterBootstrap('east'), users: [ALICE] });
});
after(() => gw?.close());

const lines = (s: string): string[] => s.split('\n').filter(Boolean);

describe('kafkajs through the gateway (SASL_SSL)', () => {
  for (const mechanism of ['scram-sha-512', 'scram-sha-256', 'plain'] as const) {
    test(`${mechanism}: produce and consume in a group`, async () => {
      const kafka = new Kafka({
        clientId: `gw-${mechanism}`,
        brokers: [gw.bootstrap],
        logLevel: logLevel.NOTHING,
        ...kafkajsSecurity(gw, ALICE, mechanism),
      });
      const topic = uniqueName(`gw-${mechanism}`);
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
      await admin.disconnect();
      const producer = kafka.producer();
      await producer.connect();
      const values = Array.from({ length: 50 }, (_, i) => `m${i}`);
      await producer.send({
        topic,
        acks: -1,
        messages: values.map((value, i) => ({ key: `k${i % 5}`, value })),
      });
      await producer.disconnect();
      const consumer = kafka.consumer({ groupId: uniqueName('gw-group') });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const seen: string[] = [];
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`consumed ${seen.length}/50`)), 30_000);
        void consumer.run({
          eachMessage: async ({ message }) => {
            seen.push(message.value!.toString());
            if (seen.length === values.length) {
              clearTimeout(t);
              resolve();
            }
          },
        });
      });
      await consumer.disconnect();
      assert.deepEqual(seen.sort(), [...values].sort());
    });
  }
});

describe('Java tools through the gateway (SASL_SSL, SCRAM-SHA-512, generated CA as trust store)', () => {
  test('console producer and consumer', async () => {
    const topic = uniqueName('gw-java');
    const config = javaClientConfig(gw, ALICE);
    const input = Array.from({ length: 10 }, (_, i) => `java-${i}`);
    const p = await kafkaTool(
      'console-producer',
      ['--bootstrap-server', gw.bootstrap, '--topic', topic, '--command-config', config],
      {
        input: input.join('\n') + '\n',
        timeoutMs: 90_000,
      },
    );
    assert.equal(p.code, 0, p.stderr);
    const c = await kafkaTool(
      'console-consumer',
      [
        '--bootstrap-server',
        gw.bootstrap,
        '--topic',
        topic,
        '--from-beginning',
        '--max-messages',
        '10',
        '--timeout-ms',
        '30000',
        '--command-config',
        config,
      ],
      { timeoutMs: 90_000 },
    );
    assert.equal(c.code, 0, c.stderr);
    assert.deepEqual(lines(c.stdout), input);
  });

  test('producer perf test', async () => {
    const topic = uniqueName('gw-perf');
    const r = await kafkaTool(
      'producer-perf-test',
      [
        '--topic',
        topic,
        '--num-records',
        '20000',
        '--record-size',
        '512',
        '--throughput',
        '-1',
        '--producer.config',
        javaClientConfig(gw, ALICE),
        '--producer-props',
        `bootstrap.servers=${gw.bootstrap}`,
        'acks=all',
      ],
      { timeoutMs: 120_000 },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /20000 records sent/);
  });

  test('admin tools: topics, consumer groups, configs', async () => {
    const topic = uniqueName('gw-admin');
    const config = javaClientConfig(gw, ADMIN);
    const base = ['--bootstrap-server', gw.bootstrap, '--command-config', config];
    const create = await kafkaTool('topics', [...base, '--create', '--topic', topic, '--partitions', '3']);
    assert.equal(create.code, 0, create.stderr);
    const list = await kafkaTool('topics', [...base, '--list']);
    assert.ok(lines(list.stdout).includes(topic), list.stderr);
    const alter = await kafkaTool('configs', [
      ...base,
      '--alter',
      '--entity-type',
      'topics',
      '--entity-name',
      topic,
      '--add-config',
      'retention.ms=7200000',
    ]);
    assert.equal(alter.code, 0, alter.stderr);
    const describe = await kafkaTool('configs', [
      ...base,
      '--describe',
      '--entity-type',
      'topics',
      '--entity-name',
      topic,
    ]);
    assert.match(describe.stdout, /retention\.ms=7200000/);
    const groups = await kafkaTool('consumer-groups', [...base, '--list']);
    assert.equal(groups.code, 0, groups.stderr);
    const cluster = await kafkaTool('topics', [...base, '--describe', '--topic', topic]);
    assert.match(cluster.stdout, /PartitionCount: 3/);
  });
});

describe('kcat through the gateway (SCRAM over TLS)', () => {
  test('produce and consume', async () => {
    const topic = uniqueName('gw-kcat');
    const sec = kcatSecurity(gw, ALICE);
    const p = await kcat(['-b', gw.bootstrap, ...sec, '-t', topic, '-P', '-X', 'acks=all'], {
      input: 'one\ntwo\nthree\n',
      timeoutMs: 30_000,
    });
    assert.equal(p.code, 0, p.stderr);
    const c = await kcat(['-b', gw.bootstrap, ...sec, '-t', topic, '-C', '-e', '-q'], { timeoutMs: 30_000 });
    assert.equal(c.code, 0, c.stderr);
    assert.deepEqual(lines(c.stdout), ['one', 'two', 'three']);
  });
});

describe('request handling', () => {
  test('Produce with acks=0 is forwarded without waiting for an answer', async () => {
    const kafka = new Kafka({
      brokers: [gw.bootstrap],
      logLevel: logLevel.NOTHING,
      ...kafkajsSecurity(gw, ALICE),
    });
    const topic = uniqueName('gw-acks0');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < 20; i++)
      assert.deepEqual(await producer.send({ topic, acks: 0, messages: [{ value: `z${i}` }] }), []);
    // An acknowledged send after them proves the connection stayed in step.
    await producer.send({ topic, acks: -1, messages: [{ value: 'last' }] });
    await producer.disconnect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    assert.equal(offsets[0]!.high, '21');
  });

  test('pipelined requests, answered by the gateway and by the broker, come back in order', async () => {
    const raw = await rawScramSession(gw, ALICE);
    try {
      const frames: Buffer[] = [];
      const ids: number[] = [];
      for (let i = 0; i < 30; i++) {
        const correlationId = raw.nextCorrelationId();
        ids.push(correlationId);
        // Alternate locally answered (ApiVersions) and forwarded (Metadata) requests.
        frames.push(
          i % 2 === 0
            ? encodeRequestFrame(
                { apiKey: ApiKey.ApiVersions, apiVersion: 3, correlationId, clientId: 'pipe' },
                { clientSoftwareName: 'pipe', clientSoftwareVersion: '1' },
              )
            : encodeRequestFrame(
                { apiKey: ApiKey.Metadata, apiVersion: 12, correlationId, clientId: 'pipe' },
                { ...defaultMetadataRequest(), topics: [] },
              ),
        );
      }
      assert.deepEqual(await raw.pipeline(frames, ids.length), ids);
    } finally {
      raw.close();
    }
  });
});

describe('large fetch responses (passed through as they arrive)', () => {
  test(
    '20 MiB consumed through the gateway arrives intact, in order per partition',
    { timeout: 120_000 },
    async () => {
      const topic = uniqueName('gw-bulk');
      const direct = new Kafka({ brokers: clusterBootstrap('east').split(','), logLevel: logLevel.NOTHING });
      const admin = direct.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
      await admin.disconnect();
      const producer = direct.producer();
      await producer.connect();
      const total = 20_000;
      const body = (i: number): string => `${i}:`.padEnd(1024, String.fromCharCode(97 + (i % 26)));
      for (let start = 0; start < total; start += 1000) {
        const messages = Array.from({ length: 1000 }, (_, j) => ({
          partition: (start + j) % 2,
          value: body(start + j),
        }));
        await producer.send({ topic, acks: -1, messages });
      }
      await producer.disconnect();

      const kafka = new Kafka({
        brokers: [gw.bootstrap],
        logLevel: logLevel.NOTHING,
        ...kafkajsSecurity(gw, ALICE),
      });
      const consumer = kafka.consumer({
        groupId: uniqueName('gw-bulk'),
        maxBytes: 8 * 1024 * 1024,
        maxBytesPerPartition: 4 * 1024 * 1024,
      });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const last = [-1, -1];
      let count = 0;
      let corrupt = 0;
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`consumed ${count}/${total}`)), 90_000);
        void consumer.run({
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              const v = m.value!.toString();
              const i = Number(v.slice(0, v.indexOf(':')));
              if (v !== body(i) || i % 2 !== batch.partition || i <= last[batch.partition]!) corrupt++;
              last[batch.partition] = i;
              count++;
            }
            if (count >= total) {
              clearTimeout(t);
              resolve();
            }
          },
        });
      });
      await consumer.disconnect();
      assert.equal(count, total);
      assert.equal(corrupt, 0, 'every record intact and in order per partition');
      // The Java consumer (Fetch v15 through the gateway) reads the same bytes.
      const perf = await kafkaTool(
        'consumer-perf-test',
        [
          '--topic',
          topic,
          '--messages',
          String(total),
          '--bootstrap-server',
          gw.bootstrap,
          '--command-config',
          javaClientConfig(gw, ALICE),
          '--timeout',
          '60000',
        ],
        { timeoutMs: 120_000 },
      );
      assert.equal(perf.code, 0, perf.stderr);
      assert.equal(Number(perf.stdout.trim().split('\n').pop()!.split(',')[4]), total);
    },
  );
});
