/**
 * The monitor watches secured clusters (issue #14 item 2), configured with the one cluster-connection
 * shape in a real monitor.yaml read by the real loader:
 *
 *  - a Kafka broker with StandardAuthorizer and a SASL_SSL listener (SCRAM-SHA-512, PEM CA, host
 *    name checked) where the monitor's user holds only the least-privilege ACLs docs/monitor.md
 *    lists; an mTLS listener (ssl.client.auth=required) reached with a client certificate;
 *  - the same cluster through a kgw gateway with TLS + SCRAM and its own ACLs (no ACL, no access);
 *  - a wrong password: that cluster's cycles fail with the cause, the others carry on.
 *
 * Each path is judged the same way: lag per partition equals the ground truth built with the
 * broker's PLAINTEXT listener, Burrow's API reports the group, and the end-to-end probe round-trips.
 * One private single-node cluster serves everything here.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import kafkajs, { Kafka, logLevel, type AclEntry } from 'kafkajs';
import { startPrivateCluster, uniqueName, type PrivateCluster } from '../../harness/index.js';
import { ADMIN, startTestGateway, testPki, type TestGateway } from '../../harness/gateway.js';
import { loadMonitorConfig } from '../../../monitor/config.js';
import { Monitor } from '../../../monitor/monitor.js';
import type { DevPkiFiles } from '../../../security/pki/index.js';
import { eventually, getJson, sample } from './helpers.js';

const { AclOperationTypes: Op, AclPermissionTypes, AclResourceTypes: Res, ResourcePatternTypes } = kafkajs;

// This file's ports: 10500 + KGW_PORT_OFFSET * 5/3 (each engineer's 500-port block), + 100 inside it.
const base = 10_600 + Math.round((Number(process.env.KGW_PORT_OFFSET ?? 0) * 5) / 3);
const PLAIN = `127.0.0.1:${base}`; // User:ANONYMOUS, a super user: the test's own ground truth
const SASL_SSL = `127.0.0.1:${base + 50}`;
const MTLS = `127.0.0.1:${base + 51}`;
const MONITOR = { name: 'monitor', password: 'monitor-secret' };
const ALICE_DN = 'CN=alice,OU=eng,O=acme';

/** The monitor's least-privilege ACLs (docs/monitor.md, "Secured clusters"). */
function monitorAcls(principal: string): AclEntry[] {
  const allow = (
    resourceType: number,
    resourceName: string,
    operation: number,
    prefixed = false,
  ): AclEntry => ({
    resourceType,
    resourceName,
    resourcePatternType: prefixed ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
    principal,
    host: '*',
    operation,
    permissionType: AclPermissionTypes.ALLOW,
  });
  return [
    allow(Res.TOPIC, '*', Op.DESCRIBE),
    allow(Res.GROUP, '*', Op.DESCRIBE),
    allow(Res.TOPIC, 'kgw-monitor-', Op.ALL, true),
    allow(Res.GROUP, 'kgw-monitor-', Op.READ, true),
  ];
}

const readPem = (f: string): string => readFileSync(f, 'utf8');

let cluster: PrivateCluster;
let pki: DevPkiFiles;
let gateway: TestGateway;
const dir = mkdtempSync(join(tmpdir(), 'kgw-monitor-secure-'));
const plain = new Kafka({ clientId: 'truth', brokers: [PLAIN], logLevel: logLevel.NOTHING });

before(async () => {
  pki = await testPki();
  const scram = `[name=${MONITOR.name},password=${MONITOR.password}]`;
  cluster = await startPrivateCluster('monitor-secure', {
    nodes: 1,
    basePort: base,
    heapMb: 384,
    formatArgs: ['--add-scram', `SCRAM-SHA-512=${scram}`],
    overrides: {
      listeners: `PLAINTEXT://${PLAIN},CONTROLLER://127.0.0.1:${base + 100},SECURE://${SASL_SSL},MTLS://${MTLS}`,
      'advertised.listeners': `PLAINTEXT://${PLAIN},SECURE://${SASL_SSL},MTLS://${MTLS}`,
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SECURE:SASL_SSL,MTLS:SSL',
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'super.users': `User:ANONYMOUS;User:${ALICE_DN}`,
      'listener.name.secure.sasl.enabled.mechanisms': 'SCRAM-SHA-512',
      'listener.name.secure.scram-sha-512.sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'listener.name.secure.ssl.keystore.type': 'PKCS12',
      'listener.name.secure.ssl.keystore.location': pki.server.keystoreP12,
      'listener.name.secure.ssl.keystore.password': pki.password,
      'listener.name.mtls.ssl.keystore.type': 'PKCS12',
      'listener.name.mtls.ssl.keystore.location': pki.server.keystoreP12,
      'listener.name.mtls.ssl.keystore.password': pki.password,
      'listener.name.mtls.ssl.truststore.type': 'PKCS12',
      'listener.name.mtls.ssl.truststore.location': pki.truststoreP12,
      'listener.name.mtls.ssl.truststore.password': pki.password,
      'listener.name.mtls.ssl.client.auth': 'required',
    },
  });
  const admin = plain.admin();
  await admin.connect();
  try {
    await admin.createAcls({ acl: monitorAcls(`User:${MONITOR.name}`) });
  } finally {
    await admin.disconnect();
  }
  gateway = await startTestGateway({
    upstream: PLAIN,
    users: [MONITOR],
    allowEveryoneIfNoAclFound: false,
    securityTopic: `__kgw_security_monitor_${process.pid}`,
  });
  // The same least-privilege ACLs, held by the gateway this time.
  const gwAdmin = new Kafka({
    clientId: 'gw-admin',
    brokers: [gateway.bootstrap],
    ssl: { ca: [readPem(pki.caCert)] },
    sasl: { mechanism: 'scram-sha-512', username: ADMIN.name, password: ADMIN.password },
    logLevel: logLevel.NOTHING,
  }).admin();
  await gwAdmin.connect();
  try {
    await gwAdmin.createAcls({ acl: monitorAcls(`User:${MONITOR.name}`) });
  } finally {
    await gwAdmin.disconnect();
  }
});

after(async () => {
  await gateway?.close();
  await cluster?.stop();
});

/** A group with known lag on a fresh topic, built over PLAINTEXT: partition → expected lag. */
async function groupWithLag(): Promise<{ topic: string; group: string; expected: Map<number, number> }> {
  const topic = uniqueName('msec');
  const group = uniqueName('msec-group');
  const admin = plain.admin();
  const producer = plain.producer();
  await admin.connect();
  await producer.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    for (let p = 0; p < 3; p++)
      await producer.send({
        topic,
        messages: Array.from({ length: 5 + 7 * p }, (_, i) => ({ partition: p, value: `r${i}` })),
      });
    await admin.setOffsets({
      groupId: group,
      topic,
      partitions: [
        { partition: 0, offset: '2' },
        { partition: 1, offset: '12' },
        { partition: 2, offset: '0' },
      ],
    });
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
  // 5, 12 and 19 records; committed 2, 12 and 0.
  return {
    topic,
    group,
    expected: new Map([
      [0, 3],
      [1, 0],
      [2, 19],
    ]),
  };
}

/** Writes a monitor.yaml (relative CA path, password by reference) and loads it with the real loader. */
function monitorConfig(name: string, clusters: string, probeTopic: string) {
  writeFileSync(join(dir, 'ca.pem'), readPem(pki.caCert));
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      'clusters:',
      clusters,
      'listen: { host: 127.0.0.1, port: 0 }',
      'collection: { intervalSeconds: 1, deadlineSeconds: 8 }',
      `probes: { enabled: true, intervalSeconds: 0.5, topic: ${probeTopic}, group: ${probeTopic}, replicationFactor: 1 }`,
      '',
    ].join('\n'),
  );
  return loadMonitorConfig(file);
}

async function judge(
  monitor: Monitor,
  url: string,
  clusterName: string,
  g: Awaited<ReturnType<typeof groupWithLag>>,
) {
  const lags = await eventually(
    `lag of ${g.group} on ${clusterName}`,
    async () => {
      const r = await getJson<{
        groups: { group: string; partitions: { partition: number; lag: number }[] }[];
      }>(`${url}/v1/lag/${clusterName}`);
      const found = r.status === 200 ? r.body.groups.find((x) => x.group === g.group) : undefined;
      return found && found.partitions.length === 3 ? found : undefined;
    },
    40_000,
  );
  assert.deepEqual(
    new Map(lags.partitions.map((p) => [p.partition, p.lag])),
    g.expected,
    `${clusterName}: lag per partition equals the truth`,
  );
  const status = await eventually(`Burrow status of ${g.group} on ${clusterName}`, async () => {
    const r = await getJson<{
      error: boolean;
      status: { status: string; partition_count: number; totallag: number };
    }>(`${url}/v3/kafka/${clusterName}/consumer/${g.group}/lag`);
    return r.status === 200 ? r.body : undefined;
  });
  assert.equal(status.error, false);
  assert.equal(status.status.partition_count, 3);
  assert.equal(status.status.totallag, 22);
  const received = await eventually(
    `probe round trips on ${clusterName}`,
    async () => {
      const v = sample(await monitor.renderMetrics(), 'kminion_end_to_end_messages_received_total', {
        cluster: clusterName,
      });
      return v !== undefined && v > 0 ? v : undefined;
    },
    45_000,
  );
  assert.ok(received > 0);
}

describe('monitor on secured clusters', () => {
  test('SASL_SSL with least-privilege ACLs; a wrong password fails only its own cluster, with the cause', async () => {
    const g = await groupWithLag();
    process.env.KGW_T_MONITOR_PW = MONITOR.password;
    const config = monitorConfig(
      'sasl-ssl',
      [
        `  - name: secure`,
        `    bootstrap: ${SASL_SSL}`,
        `    tls: { ca: ca.pem }`,
        `    sasl: { mechanism: SCRAM-SHA-512, username: ${MONITOR.name}, password: "\${env:KGW_T_MONITOR_PW}" }`,
        `  - name: wrong`,
        `    bootstrap: ${SASL_SSL}`,
        `    tls: { ca: ca.pem }`,
        `    sasl: { mechanism: SCRAM-SHA-512, username: ${MONITOR.name}, password: not-the-password }`,
      ].join('\n'),
      'kgw-monitor-e2e-sasl',
    );
    assert.equal(config.clusters[0]!.tls?.ca, join(dir, 'ca.pem'), 'relative to monitor.yaml');
    const monitor = new Monitor(config);
    const { port } = await monitor.start();
    const url = `http://127.0.0.1:${port}`;
    try {
      await judge(monitor, url, 'secure', g);
      const health = await eventually('the wrong password reported', async () => {
        const r = await getJson<{ clusters: Record<string, { lastError: string | null }> }>(`${url}/healthz`);
        return r.body.clusters.wrong?.lastError ? r.body : undefined;
      });
      assert.match(health.clusters.wrong!.lastError!, /[Aa]uthentication/);
      assert.equal(health.clusters.secure!.lastError, null);
      assert.equal((await getJson(`${url}/v1/lag/wrong`)).status, 404, 'no lag invented for it');
    } finally {
      await monitor.stop();
    }
  });

  test('mTLS: a client certificate on a listener with ssl.client.auth=required', async () => {
    const g = await groupWithLag();
    const config = monitorConfig(
      'mtls',
      [
        `  - name: mtls`,
        `    bootstrap: ${MTLS}`,
        `    tls: { ca: ca.pem, cert: ${pki.clients.alice!.chain}, key: ${pki.clients.alice!.key} }`,
      ].join('\n'),
      'kgw-monitor-e2e-mtls',
    );
    const monitor = new Monitor(config);
    const { port } = await monitor.start();
    try {
      await judge(monitor, `http://127.0.0.1:${port}`, 'mtls', g);
    } finally {
      await monitor.stop();
    }
  });

  test('through a kgw gateway with TLS + SCRAM and the gateway enforcing the same ACLs', async () => {
    const g = await groupWithLag();
    const config = monitorConfig(
      'gateway',
      [
        `  - name: via-gateway`,
        `    bootstrap: ${gateway.bootstrap}`,
        `    tls: { ca: ca.pem }`,
        `    sasl: { mechanism: SCRAM-SHA-512, username: ${MONITOR.name}, password: ${MONITOR.password} }`,
      ].join('\n'),
      'kgw-monitor-e2e-gw',
    );
    const monitor = new Monitor(config);
    const { port } = await monitor.start();
    try {
      await judge(monitor, `http://127.0.0.1:${port}`, 'via-gateway', g);
    } finally {
      await monitor.stop();
    }
  });
});
