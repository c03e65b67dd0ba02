/** Audit events published to a Kafka topic: present on the broker, unreachable through the gateway. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import { clusterBootstrap, kcat, uniqueName } from '../../harness/index.js';
import { kafkajsSecurity, kcatSecurity, startTestGateway, type TestGateway } from '../../harness/gateway.js';

const { Kafka, logLevel } = kafkajs;
const BOB = { name: 'bob', password: 'bob-pw' };
const auditTopic = uniqueName('kgw-audit');
let gw: TestGateway;

before(async () => {
  gw = await startTestGateway({
    upstream: clusterBootstrap('east'),
    users: [BOB],
    allowEveryoneIfNoAclFound: false,
    auditTopic,
  });
});
after(() => gw?.close());

test(
  'a denied request is audited to the topic, and clients cannot reach the audit topic',
  { timeout: 90_000 },
  async () => {
    const topic = uniqueName('audited');
    const producer = new Kafka({
      brokers: [gw.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      ...kafkajsSecurity(gw, BOB),
    }).producer();
    await producer.connect();
    await assert.rejects(producer.send({ topic, messages: [{ value: 'x' }] }));
    await producer.disconnect();

    let events: { principal: string; decision: string; resource: string }[] = [];
    for (let i = 0; i < 40 && !events.some((e) => e.resource === topic); i++) {
      await sleep(250);
      const r = await kcat(
        ['-b', clusterBootstrap('east'), '-t', auditTopic, '-C', '-o', 'beginning', '-e', '-q'],
        { timeoutMs: 20_000 },
      );
      events = r.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as (typeof events)[number]);
    }
    const denial = events.find((e) => e.resource === topic);
    assert.ok(denial, `no audit event for ${topic} in ${auditTopic}`);
    assert.equal(denial.principal, 'User:bob');
    assert.equal(denial.decision, 'DENIED');

    // Even the super user cannot read the gateway's own topics through the gateway.
    const r = await kcat(
      [
        '-b',
        gw.bootstrap,
        ...kcatSecurity(gw, { name: 'admin', password: 'admin-secret' }),
        '-t',
        auditTopic,
        '-C',
        '-o',
        'beginning',
        '-e',
        '-q',
      ],
      { timeoutMs: 20_000 },
    );
    assert.equal(r.stdout, '', 'no audit record is readable through the gateway');
  },
);
