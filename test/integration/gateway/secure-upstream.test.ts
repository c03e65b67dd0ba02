/**
 * The gateway in front of a broker that itself demands TLS and SASL: it connects with TLS (the
 * broker's certificate checked against our CA) and authenticates as its own service principal
 * (SCRAM-SHA-512, created when the broker's storage is formatted). Clients never see those
 * credentials; they authenticate to the gateway as themselves.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import kafkajs from 'kafkajs';
import { startPrivateCluster, uniqueName, type PrivateCluster } from '../../harness/index.js';
import {
  kafkajsSecurity,
  saslSslBrokerOverrides,
  startTestGateway,
  testPki,
  type TestGateway,
} from '../../harness/gateway.js';

const { Kafka, logLevel } = kafkajs;
const ALICE = { name: 'alice', password: 'alice-pw' };
let cluster: PrivateCluster;
let gw: TestGateway;
const base = 24092 + Number(process.env.KGW_PORT_OFFSET ?? 0) / 10;
const securePort = base + 50;

before(async () => {
  const pki = await testPki();
  cluster = await startPrivateCluster('secure', {
    nodes: 1,
    basePort: base,
    heapMb: 384,
    formatArgs: ['--add-scram', 'SCRAM-SHA-512=[name=kgw-gateway,password=service-secret]'],
    overrides: saslSslBrokerOverrides({ plaintext: base, controller: base + 100, secure: securePort }, pki),
  });
  gw = await startTestGateway({
    upstream: `127.0.0.1:${securePort}`,
    users: [ALICE],
    extraYaml: '',
    upstreamYaml: `tls: { ca: ${pki.caCert} }\n  sasl: { mechanism: SCRAM-SHA-512, username: kgw-gateway, password: service-secret }`,
  });
});
after(async () => {
  await gw?.close();
  await cluster?.stop();
});

test(
  'clients reach a SASL_SSL broker through the gateway, which authenticates as its service principal',
  { timeout: 120_000 },
  async () => {
    const kafka = new Kafka({
      brokers: [gw.bootstrap],
      logLevel: logLevel.NOTHING,
      ...kafkajsSecurity(gw, ALICE),
    });
    const topic = uniqueName('secure-upstream');
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ value: 'over two TLS hops' }] });
    await producer.disconnect();
    // Read it back directly on the broker's internal plaintext listener: it really got there.
    const direct = new Kafka({ brokers: [`127.0.0.1:${base}`], logLevel: logLevel.NOTHING });
    const consumer = direct.consumer({ groupId: uniqueName('secure-check') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const value = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('record not found on the broker')), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          clearTimeout(t);
          resolve(message.value!.toString());
        },
      });
    });
    await consumer.disconnect();
    assert.equal(value, 'over two TLS hops');
  },
);
