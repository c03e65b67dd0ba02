/**
 * The product as operators run it — a gateway in front of east, the mirror east → west and the
 * monitor over both — scraped by a real Prometheus (Debian's package). Every PromQL expression the
 * dashboards and alert rules ship must return data. The workload makes each kind of event happen
 * for real: allowed and denied clients, a wrong password, a committing consumer group and one that
 * stopped committing, mirrored
 * records and checkpoints, end-to-end probes within and across the clusters, records encrypted and
 * decrypted by the gateway (and one refused for a missing key), and the same keys written in both
 * data centres under a second, active-active mirror with last-writer-wins.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import pino from 'pino';
import { loadMirrorConfig } from '../../../mirror/config/config.js';
import { Mirror } from '../../../mirror/runtime.js';
import type { Monitor } from '../../../monitor/monitor.js';
import { clusterBootstrap, uniqueName } from '../../harness/index.js';
import { kafkajsSecurity, startTestGateway, type TestGateway } from '../../harness/gateway.js';
import { keyringWith } from '../encryption/helpers.js';
import { mm2Properties, writeConfig } from '../mirror/helpers.js';
import { startMonitor, testConfig } from '../monitor/helpers.js';
import { startPrometheus, type PrometheusServer } from '../monitor/prometheus.js';
import { components, dashboardExprs, substitute } from './expressions.js';

const { Kafka, logLevel, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } =
  kafkajs;
const ALICE = { name: 'alice', password: 'alice-pw' };
const BOB = { name: 'bob', password: 'bob-pw' };
const prefix = uniqueName('dash');
const PROBE_TOPIC = 'kgw-monitor-replication-probe';
/** Written in both clusters by key, outside the first mirror's topics: the active-active mirror's. */
const KV_TOPIC = uniqueName('dash-kv');

let gw: TestGateway;
let mirror: Mirror;
let activeActive: Mirror;
let monitor: Monitor;
let prometheus: PrometheusServer;
let stopTraffic = false;
let traffic: Promise<void>;

const portOf = (server: { address(): unknown }): number => (server.address() as { port: number }).port;

async function workload(): Promise<void> {
  const alice = new Kafka({
    brokers: [gw.bootstrap],
    logLevel: logLevel.NOTHING,
    ...kafkajsSecurity(gw, ALICE),
  });
  const bob = new Kafka({
    brokers: [gw.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    ...kafkajsSecurity(gw, BOB),
  });
  const producer = alice.producer();
  await producer.connect();
  const consumer = alice.consumer({ groupId: `${prefix}-group` });
  await consumer.connect();
  await consumer.subscribe({ topic: `${prefix}-orders`, fromBeginning: true });
  await consumer.run({ autoCommitInterval: 500, eachMessage: async () => undefined });
  const bobProducer = bob.producer();
  await bobProducer.connect().catch(() => undefined);
  // The same keys written in both data centres at once: conflicts, losers discarded, repairs.
  const kvWriters = await Promise.all(
    (['east', 'west'] as const).map(async (dc) => {
      const p = new Kafka({
        brokers: clusterBootstrap(dc).split(','),
        logLevel: logLevel.NOTHING,
      }).producer();
      await p.connect();
      return { dc, p };
    }),
  );
  let round = 0;
  while (!stopTraffic) {
    round++;
    for (const { dc, p } of kvWriters)
      await p.send({
        topic: KV_TOPIC,
        messages: [0, 1, 2].map((k) => ({ key: `k${k}`, value: `${dc}-${round}`, partition: 0 })),
      });
    // No key-encryption key for this topic: the produce is refused (an encryption failure).
    await producer
      .send({ topic: `${prefix}-nokek`, acks: -1, messages: [{ value: 'secret' }] })
      .catch(() => undefined);
    await producer.send({
      topic: `${prefix}-orders`,
      acks: -1,
      messages: [{ value: `order-${Date.now()}` }],
    });
    // Denied: bob has no ACLs (an ACL denial and a TOPIC_AUTHORIZATION_FAILED error).
    await bobProducer
      .send({ topic: `${prefix}-orders`, messages: [{ value: 'nope' }] })
      .catch(() => undefined);
    // A wrong password (a failed authentication).
    const intruder = new Kafka({
      brokers: [gw.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      ...kafkajsSecurity(gw, { name: 'alice', password: 'guess' }),
    }).admin();
    await intruder.connect().catch(() => undefined);
    await intruder.disconnect().catch(() => undefined);
    await sleep(300);
  }
  await Promise.allSettled([
    producer.disconnect(),
    consumer.disconnect(),
    bobProducer.disconnect(),
    ...kvWriters.map((w) => w.p.disconnect()),
  ]);
}

before(async () => {
  const keyring = keyringWith('dashboards-keyring.json', ['orders']);
  gw = await startTestGateway({
    upstream: clusterBootstrap('east'),
    users: [ALICE, BOB],
    allowEveryoneIfNoAclFound: false,
    // The orders topic is encrypted at rest; the nokek topic names a key the keyring lacks.
    extraYaml: `
encryption:
  kms: { type: keyring, file: ${keyring}, checkIntervalMs: 0 }
  dataKeys: { maxRecords: 50, maxAgeMs: 3600000 }
  topics:
    - { prefix: ${prefix}-orders, kek: orders }
    - { prefix: ${prefix}-nokek, kek: absent }
`,
  });
  const admin = new Kafka({
    brokers: [gw.bootstrap],
    logLevel: logLevel.NOTHING,
    ...kafkajsSecurity(gw, { name: 'admin', password: 'admin-secret' }),
  }).admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: `${prefix}-orders`, numPartitions: 2 },
      { topic: `${prefix}-nokek`, numPartitions: 1 },
    ],
    waitForLeaders: true,
  });
  const allow = (resourceType: number, name: string) => ({
    resourceType,
    resourceName: name,
    resourcePatternType: ResourcePatternTypes.PREFIXED,
    principal: 'User:alice',
    host: '*',
    operation: AclOperationTypes.ALL,
    permissionType: AclPermissionTypes.ALLOW,
  });
  await admin.createAcls({
    acl: [allow(AclResourceTypes.TOPIC, prefix), allow(AclResourceTypes.GROUP, prefix)],
  });
  await admin.disconnect();
  // A group that committed once and stopped while records keep arriving: lag grows, Burrow says STOP.
  const eastDirect = new Kafka({ brokers: clusterBootstrap('east').split(','), logLevel: logLevel.NOTHING });
  const seed = eastDirect.producer();
  await seed.connect();
  await seed.send({
    topic: `${prefix}-orders`,
    messages: Array.from({ length: 20 }, (_, i) => ({ partition: i % 2, value: `seed-${i}` })),
  });
  await seed.disconnect();
  const direct = eastDirect.admin();
  await direct.connect();
  await direct.setOffsets({
    groupId: `${prefix}-stopped`,
    topic: `${prefix}-orders`,
    partitions: [
      { partition: 0, offset: '0' },
      { partition: 1, offset: '0' },
    ],
  });
  await direct.disconnect();

  mirror = new Mirror(
    loadMirrorConfig(
      writeConfig(
        'dashboards.properties',
        mm2Properties({
          'east->west.enabled': 'true',
          topics: `${prefix}.*, ${PROBE_TOPIC}`,
          groups: `${prefix}.*`,
        }),
      ),
    ),
    pino({ level: 'warn' }),
  );
  await mirror.start();
  for (const dc of ['east', 'west'] as const) {
    const a = new Kafka({ brokers: clusterBootstrap(dc).split(','), logLevel: logLevel.NOTHING }).admin();
    await a.connect();
    await a.createTopics({
      topics: [
        { topic: KV_TOPIC, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      ],
      waitForLeaders: true,
    });
    await a.disconnect();
  }
  activeActive = new Mirror(
    loadMirrorConfig(
      writeConfig(
        'dashboards-active-active.properties',
        mm2Properties({
          'east->west.enabled': 'true',
          'west->east.enabled': 'true',
          topics: KV_TOPIC,
          'replication.policy.class': 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy',
          'emit.checkpoints.enabled': 'false',
          'kgw.conflicts.window.ms': '60000',
          'kgw.conflicts.lww.topics': KV_TOPIC,
          'kgw.conflicts.lww.cluster.order': 'east, west',
        }),
      ),
    ),
    pino({ level: 'warn' }),
  );
  await activeActive.start();
  ({ monitor } = await startMonitor(
    testConfig(
      {
        status: { windowSize: 3 },
        probes: {
          enabled: true,
          intervalSeconds: 0.5,
          replicationFactor: 1,
          topic: uniqueName('kgw-monitor-e2e'),
          group: uniqueName('kgw-monitor-e2e-group'),
        },
        mirrors: [
          {
            source: 'east',
            target: 'west',
            topics: { include: [`^${prefix}`] },
            probe: true,
            probeTopic: PROBE_TOPIC,
          },
        ],
      },
      ['east', 'west'],
    ),
  ));
  const monitorPort = portOf((monitor as unknown as { server: { address(): unknown } }).server);
  prometheus = await startPrometheus([
    `127.0.0.1:${portOf(gw.http)}`,
    `127.0.0.1:${mirror.port}`,
    `127.0.0.1:${activeActive.port}`,
    `127.0.0.1:${monitorPort}`,
  ]);
  traffic = workload();
});

after(async () => {
  stopTraffic = true;
  await traffic?.catch(() => undefined);
  await prometheus?.stop();
  await monitor?.stop();
  await mirror?.stop();
  await activeActive?.stop();
  await gw?.close();
});

test('every dashboard panel, variable and alert expression returns data', { timeout: 180_000 }, async () => {
  const exprs = dashboardExprs();
  assert.ok(exprs.length > 50, `found ${exprs.length} expressions`);
  let missing: string[];
  const deadline = Date.now() + 120_000;
  do {
    await sleep(3000);
    missing = [];
    for (const { where, expr } of exprs) {
      const r = await prometheus.query(substitute(expr));
      if (r.result.length === 0)
        missing.push(`${where} [${[...components(expr)].join(', ')}]: ${substitute(expr)}`);
    }
  } while (missing.length > 0 && Date.now() < deadline);
  assert.deepEqual(missing, [], `expressions without data:\n${missing.join('\n')}`);
});
