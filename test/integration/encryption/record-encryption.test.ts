/**
 * Record encryption through a real gateway in front of the real `east` broker, with real clients
 * (Java console tools, kcat, kafkajs): what clients see is plaintext, what the broker stores in its
 * segment files is not; transactions, header sealing, the decrypt permission, KEK rotation and a
 * shredded KEK (fail closed).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import kafkajs from 'kafkajs';
import { envelopeOf, isSealed } from '../../../security/encryption/index.js';
import { readKeyringFile, rotateKek, writeKeyringFile } from '../../../security/kms/index.js';
import {
  clusterBootstrap,
  createTopicsWithLeaders,
  kafkaTool,
  kcat,
  uniqueName,
} from '../../harness/index.js';
import {
  javaClientConfig,
  kafkajsSecurity,
  kcatSecurity,
  startTestGateway,
  type TestGateway,
  type TestUser,
} from '../../harness/gateway.js';
import { findPlaintext, keyringWith, lines, storedBatches, storedRecords } from './helpers.js';

const { Kafka, logLevel, CompressionTypes } = kafkajs;
const ALICE: TestUser = { name: 'alice', password: 'alice-pw' };
const BOB: TestUser = { name: 'bob', password: 'bob-pw' };
const EAST = (): string => clusterBootstrap('east');

function encryptionYaml(keyring: string): string {
  return `
encryption:
  kms: { type: keyring, file: ${keyring}, checkIntervalMs: 0 }
  dataKeys: { maxRecords: 10, maxAgeMs: 3600000 }
  topics:
    - { prefix: enc-, kek: orders }
    - { prefix: hdr-, kek: orders, encryptHeaders: true }
    - { prefix: restricted-, kek: orders, decryptFor: ["User:alice", "User:admin"] }
    - { prefix: nokek-, kek: absent }
`;
}

let keyring: string;
let gw: TestGateway;

before(async () => {
  keyring = keyringWith('keyring.json', ['orders']);
  gw = await startTestGateway({ upstream: EAST(), users: [ALICE, BOB], extraYaml: encryptionYaml(keyring) });
});
after(() => gw?.close());

async function createTopic(topic: string, partitions = 1): Promise<void> {
  const admin = new Kafka({ clientId: 'enc-admin', brokers: [EAST()], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await createTopicsWithLeaders(admin, [{ topic, numPartitions: partitions }]);
  } finally {
    await admin.disconnect();
  }
}

async function kcatProduce(
  g: TestGateway,
  user: TestUser,
  topic: string,
  input: string[],
  extra: string[] = [],
): Promise<void> {
  const r = await kcat(
    ['-b', g.bootstrap, ...kcatSecurity(g, user), '-t', topic, '-P', '-K', ':', '-X', 'acks=all', ...extra],
    {
      input: input.join('\n') + '\n',
      timeoutMs: 60_000,
    },
  );
  assert.equal(r.code, 0, r.stderr);
}

async function kcatConsume(
  g: TestGateway,
  user: TestUser,
  topic: string,
  format = '%k:%s\\n',
): Promise<string[]> {
  const r = await kcat(
    [
      '-b',
      g.bootstrap,
      ...kcatSecurity(g, user),
      '-t',
      topic,
      '-C',
      '-o',
      'beginning',
      '-e',
      '-q',
      '-f',
      format,
    ],
    {
      timeoutMs: 60_000,
    },
  );
  assert.equal(r.code, 0, r.stderr);
  return lines(r.stdout);
}

async function javaConsume(
  g: TestGateway,
  user: TestUser,
  topic: string,
  count: number,
  o: { extra?: string[]; timeoutMs?: number } = {},
) {
  return kafkaTool(
    'console-consumer',
    [
      '--bootstrap-server',
      g.bootstrap,
      '--topic',
      topic,
      '--from-beginning',
      '--max-messages',
      String(count),
      '--timeout-ms',
      String(o.timeoutMs ?? 30_000),
      '--formatter-property',
      'print.key=true',
      '--formatter-property',
      'key.separator=:',
      '--command-config',
      javaClientConfig(g, user),
      ...(o.extra ?? []),
    ],
    { timeoutMs: 120_000 },
  );
}

describe('record encryption in the gateway (keyring KMS)', () => {
  test('Java and kcat clients write and read plaintext through the gateway; the segment files hold none of it', async () => {
    const topic = uniqueName('enc-clients');
    const control = uniqueName('plain-control');
    await Promise.all([createTopic(topic, 2), createTopic(control)]);
    const java = Array.from({ length: 15 }, (_, i) => `jk${i}:java secret ${i} ${'lorem ipsum '.repeat(i)}`);
    const kc = Array.from({ length: 15 }, (_, i) => `kk${i}:kcat secret ${i} ${'abc'.repeat(100)}`);
    const p = await kafkaTool(
      'console-producer',
      [
        '--bootstrap-server',
        gw.bootstrap,
        '--topic',
        topic,
        '--compression-codec',
        'gzip',
        '--property',
        'parse.key=true',
        '--property',
        'key.separator=:',
        '--command-config',
        javaClientConfig(gw, ALICE),
      ],
      { input: java.join('\n') + '\n', timeoutMs: 120_000 },
    );
    assert.equal(p.code, 0, p.stderr);
    await kcatProduce(gw, ALICE, topic, kc, ['-z', 'snappy']);
    const expected = [...java, ...kc].sort();

    const c = await javaConsume(gw, ALICE, topic, 30);
    assert.equal(c.code, 0, c.stderr);
    assert.deepEqual(lines(c.stdout).sort(), expected, 'Java console consumer reads plaintext');
    assert.deepEqual((await kcatConsume(gw, BOB, topic)).sort(), expected, 'kcat reads plaintext');

    const stored = await storedRecords('east', topic);
    assert.equal(stored.length, 30, 'every record is in the segment files');
    assert.ok(stored.every(isSealed), 'every stored record carries the encryption marker');
    assert.deepEqual(
      stored.map((r) => r.key!.toString()).sort(),
      expected.map((l) => l.split(':')[0]).sort(),
      'keys stay plaintext (partitioning, compaction)',
    );
    const needles = ['secret', ...expected.map((l) => l.split(':')[1]!)];
    assert.deepEqual(await findPlaintext('east', topic, needles), []);

    // The same reading finds plaintext where there is some: a topic without a policy.
    await kcatProduce(gw, ALICE, control, ['c:control secret in the clear']);
    assert.notDeepEqual(await findPlaintext('east', control, ['control secret in the clear']), []);
  });

  test('transactions: batches keep producer id and transactional flag; read_committed sees only committed records', async () => {
    const topic = uniqueName('enc-txn');
    await createTopic(topic);
    const kafka = new Kafka({
      clientId: 'enc-txn',
      brokers: [gw.bootstrap],
      logLevel: logLevel.NOTHING,
      ...kafkajsSecurity(gw, ALICE),
    });
    const producer = kafka.producer({
      transactionalId: uniqueName('enc-txn-id'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const send = async (prefix: string, commit: boolean): Promise<void> => {
      const txn = await producer.transaction();
      await txn.send({
        topic,
        compression: CompressionTypes.GZIP,
        messages: Array.from({ length: 5 }, (_, i) => ({
          key: `${prefix}${i}`,
          value: `${prefix} txn secret ${i}`,
        })),
      });
      await (commit ? txn.commit() : txn.abort());
    };
    await send('committed-a', true);
    await send('aborted', false);
    await send('committed-b', true);
    await producer.disconnect();

    const c = await javaConsume(gw, ALICE, topic, 10, { extra: ['--isolation-level', 'read_committed'] });
    assert.equal(c.code, 0, c.stderr);
    const seen = lines(c.stdout).sort();
    assert.deepEqual(
      seen,
      ['a', 'b'].flatMap((x) =>
        Array.from({ length: 5 }, (_, i) => `committed-${x}${i}:committed-${x} txn secret ${i}`),
      ),
    );

    const batches = await storedBatches('east', topic);
    const data = batches.filter((b) => (b.attributes & 0x20) === 0);
    const markers = batches.filter((b) => (b.attributes & 0x20) !== 0);
    assert.equal(data.length, 3);
    assert.ok(data.every((b) => (b.attributes & 0x10) !== 0 && b.producerId >= 0n && b.baseSequence >= 0));
    assert.equal(markers.length, 3, 'commit, abort, commit markers');
    assert.ok(data.every((b) => b.records.every(isSealed)));
    assert.deepEqual(await findPlaintext('east', topic, ['txn secret']), []);
  });

  test('encryptHeaders seals header names and values; clients get them back', async () => {
    const topic = uniqueName('hdr-sealed');
    await createTopic(topic);
    await kcatProduce(
      gw,
      ALICE,
      topic,
      ['h1:value one', 'h2:value two'],
      ['-H', 'tenant=acme-corp', '-H', 'trace=t-123'],
    );
    const back = await kcatConsume(gw, ALICE, topic, '%k|%s|%h\\n');
    assert.deepEqual(back, [
      'h1|value one|tenant=acme-corp,trace=t-123',
      'h2|value two|tenant=acme-corp,trace=t-123',
    ]);
    const stored = await storedRecords('east', topic);
    assert.deepEqual(
      stored.map((r) => r.headers.map((h) => h.key)),
      [['kgw.encryption'], ['kgw.encryption']],
    );
    assert.deepEqual(await findPlaintext('east', topic, ['tenant', 'acme-corp', 't-123', 'value one']), []);
  });

  test('a principal allowed to read but not to decrypt gets the stored ciphertext, marked, never plaintext', async () => {
    const topic = uniqueName('restricted-data');
    await createTopic(topic);
    await kcatProduce(gw, ALICE, topic, ['r1:restricted secret one', 'r2:restricted secret two']);
    assert.deepEqual(await kcatConsume(gw, ALICE, topic), [
      'r1:restricted secret one',
      'r2:restricted secret two',
    ]);
    const kafka = new Kafka({
      clientId: 'enc-bob',
      brokers: [gw.bootstrap],
      logLevel: logLevel.NOTHING,
      ...kafkajsSecurity(gw, BOB),
    });
    const consumer = kafka.consumer({ groupId: uniqueName('enc-bob') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const got: { key: string; value: Buffer; marker: unknown }[] = [];
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`bob read ${got.length}/2`)), 60_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          got.push({
            key: message.key!.toString(),
            value: message.value!,
            marker: message.headers?.['kgw.encryption'],
          });
          if (got.length === 2) {
            clearTimeout(t);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    for (const g of got) {
      assert.ok(g.marker !== undefined, 'the kgw.encryption header says the value is ciphertext');
      assert.ok(!g.value.includes(Buffer.from('restricted secret')));
      const env = envelopeOf({
        key: Buffer.from(g.key),
        value: g.value,
        headers: [{ key: 'kgw.encryption', value: Buffer.from([1]) }],
      });
      assert.equal(env.key.kekId, 'orders');
    }
  });

  test('after a KEK rotation old and new records decrypt; without the old version reads fail closed', async () => {
    const topic = uniqueName('enc-rotation');
    await createTopic(topic);
    const first = Array.from({ length: 12 }, (_, i) => `a${i}:before rotation ${i}`);
    const second = Array.from({ length: 12 }, (_, i) => `b${i}:after rotation ${i}`);
    await kcatProduce(gw, ALICE, topic, first);
    writeKeyringFile(keyring, rotateKek(readKeyringFile(keyring), 'orders', new Date()).ring);
    await kcatProduce(gw, ALICE, topic, second); // maxRecords 10: a new data key, wrapped by version 2
    const versions = new Set((await storedRecords('east', topic)).map((r) => envelopeOf(r).key.kekVersion));
    assert.deepEqual([...versions].sort(), [1, 2]);
    assert.deepEqual((await kcatConsume(gw, ALICE, topic)).sort(), [...first, ...second].sort());

    // Crypto-shredding: a gateway whose keyring lacks version 1 cannot decrypt the first records.
    const ring = readKeyringFile(keyring);
    const shredded = keyringWith('shredded.json', []);
    writeKeyringFile(shredded, {
      keks: new Map([['orders', ring.keks.get('orders')!.filter((v) => v.version !== 1)]]),
    });
    const gw2 = await startTestGateway({
      upstream: EAST(),
      users: [ALICE],
      extraYaml: encryptionYaml(shredded),
    });
    try {
      const c = await javaConsume(gw2, ALICE, topic, 24, { timeoutMs: 20_000 });
      // ConsoleConsumer logs the consumer's exception and ends (with exit code 0, by its design).
      assert.match(
        c.stderr,
        /Encountered corrupt message when fetching offset 0 for topic-partition/,
        c.stderr,
      );
      assert.match(c.stderr, /Processed a total of 0 messages/);
      assert.deepEqual(lines(c.stdout), [], 'no record, and no ciphertext, was printed');
      assert.match(
        readFileSync(gw2.logFile, 'utf8'),
        /"offset":"0","err":"[^\n]*no KEK \\"orders\\" version 1","msg":"cannot decrypt fetched records/,
      );
    } finally {
      await gw2.close();
    }
  });

  test('a KEK the KMS does not have: the produce fails with a message naming topic and KEK; nothing is stored', async () => {
    const topic = uniqueName('nokek-data');
    await createTopic(topic);
    const p = await kafkaTool(
      'console-producer',
      ['--bootstrap-server', gw.bootstrap, '--topic', topic, '--command-config', javaClientConfig(gw, ALICE)],
      { input: 'would be plaintext\n', timeoutMs: 120_000 },
    );
    assert.match(p.stderr, new RegExp(`kgw cannot encrypt records for topic ${topic} \\(KEK "absent"\\)`));
    assert.deepEqual(await storedRecords('east', topic), []);
    assert.deepEqual(await findPlaintext('east', topic, ['would be plaintext']), []);
  });
});
