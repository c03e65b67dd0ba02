/**
 * KIP-932 share groups read an encrypted topic through the gateway: Kafka's own console share
 * consumer (kafka-console-share-consumer.sh, ShareFetch/ShareAcknowledge) gets the plaintext that
 * kcat produced, while the broker's segment files hold none of it; a principal outside the topic's
 * decryptFor gets the stored ciphertext, marked. Counted by record content.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import kafkajs from 'kafkajs';
import { javaCommand } from '../../../deploy/kafka/runtime.js';
import { runProcess, toolLog4jConfig } from '../../../deploy/kafka/tools.js';
import {
  clusterBootstrap,
  createTopicsWithLeaders,
  kafkaTool,
  kcat,
  uniqueName,
} from '../../harness/index.js';
import {
  javaClientConfig,
  kcatSecurity,
  startTestGateway,
  type TestGateway,
  type TestUser,
} from '../../harness/gateway.js';
import { findPlaintext, keyringWith, lines } from './helpers.js';

const { Kafka, logLevel } = kafkajs;
const ALICE: TestUser = { name: 'alice', password: 'alice-pw' };
const BOB: TestUser = { name: 'bob', password: 'bob-pw' };
const EAST = (): string => clusterBootstrap('east');

let gw: TestGateway;

before(async () => {
  const keyring = keyringWith('share-keyring.json', ['shares']);
  gw = await startTestGateway({
    upstream: EAST(),
    users: [ALICE, BOB],
    extraYaml: `
encryption:
  kms: { type: keyring, file: ${keyring} }
  topics:
    - { prefix: enc-share-, kek: shares, decryptFor: ["User:alice"] }
`,
  });
});
after(() => gw?.close());

async function createTopic(topic: string): Promise<void> {
  const admin = new Kafka({ clientId: 'share-admin', brokers: [EAST()], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await createTopicsWithLeaders(admin, [{ topic, numPartitions: 2 }]);
  } finally {
    await admin.disconnect();
  }
}

async function produceThroughGateway(topic: string, keyValues: string[]): Promise<void> {
  const p = await kcat(['-b', gw.bootstrap, ...kcatSecurity(gw, ALICE), '-t', topic, '-P', '-K', ':'], {
    input: keyValues.join('\n') + '\n',
    timeoutMs: 60_000,
  });
  assert.equal(p.code, 0, p.stderr);
}

/** A new share group starts at the latest offset unless told otherwise (KIP-932 group config). */
async function shareGroupFromEarliest(group: string): Promise<void> {
  const r = await kafkaTool(
    'configs',
    [
      '--bootstrap-server',
      EAST(),
      '--alter',
      '--entity-type',
      'groups',
      '--entity-name',
      group,
      '--add-config',
      'share.auto.offset.reset=earliest',
    ],
    { timeoutMs: 60_000 },
  );
  assert.equal(r.code, 0, r.stderr);
}

/** kafka-console-share-consumer.sh through the gateway as `user`: its standard output. */
async function shareConsume(user: TestUser, topic: string, group: string, count: number): Promise<string> {
  const { cmd, args } = javaCommand(
    'org.apache.kafka.tools.consumer.ConsoleShareConsumer',
    [
      '--bootstrap-server',
      gw.bootstrap,
      '--command-config',
      javaClientConfig(gw, user),
      '--topic',
      topic,
      '--group',
      group,
      '--max-messages',
      String(count),
      '--timeout-ms',
      '60000',
      '--formatter-property',
      'print.key=true',
      '--formatter-property',
      'key.separator=:',
    ],
    { heapMb: 256, fastStart: true, log4jConfig: toolLog4jConfig() },
  );
  const r = await runProcess(cmd, args, { timeoutMs: 120_000 });
  assert.equal(r.timedOut, false, 'the share consumer did not finish');
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

/** Sum of a gateway metric's series that carry these labels. */
async function metricValue(name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await gw.metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
    .reduce((sum, v) => sum + v.value, 0);
}

describe('share groups on an encrypted topic', () => {
  test('the console share consumer gets the plaintext; the broker stores none of it', async () => {
    const topic = uniqueName('enc-share-');
    await createTopic(topic);
    const produced = Array.from({ length: 30 }, (_, i) => `k${i}:share-secret-${i}-${topic}`);
    await produceThroughGateway(topic, produced);
    assert.deepEqual(await findPlaintext('east', topic, ['share-secret-']), []);

    const group = uniqueName('share-alice-');
    await shareGroupFromEarliest(group);
    const decryptedBefore = await metricValue('kgw_gateway_encryption_records_total', {
      topic,
      operation: 'decrypt',
    });
    const consumed = lines(await shareConsume(ALICE, topic, group, produced.length));
    assert.deepEqual([...consumed].sort(), [...produced].sort());
    const shareFetches = await metricValue('kafka_network_requestmetrics_requests_total', {
      request: 'ShareFetch',
    });
    assert.ok(shareFetches > 0, 'the records came by ShareFetch');
    const decrypted =
      (await metricValue('kgw_gateway_encryption_records_total', { topic, operation: 'decrypt' })) -
      decryptedBefore;
    assert.ok(decrypted >= produced.length, `decrypted ${decrypted} records for the share consumer`);
  });

  test('a share consumer outside decryptFor gets the stored ciphertext, never the plaintext', async () => {
    const topic = uniqueName('enc-share-');
    await createTopic(topic);
    const produced = Array.from({ length: 5 }, (_, i) => `k${i}:bob-cannot-read-${i}`);
    await produceThroughGateway(topic, produced);
    const group = uniqueName('share-bob-');
    await shareGroupFromEarliest(group);
    const output = await shareConsume(BOB, topic, group, produced.length);
    assert.ok(!output.includes('bob-cannot-read-'), 'no plaintext reaches bob');
    // Each record prints as "k<i>:" and its value, the envelope (format version 1 first). Binary
    // ciphertext may contain newlines, so records are found by their key, not by line.
    for (let i = 0; i < produced.length; i++)
      assert.ok(output.includes(`k${i}:\u0001`), `record k${i} arrived as an envelope: ${output}`);
  });
});
