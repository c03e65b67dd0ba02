/**
 * `kgw audit` against its two reference targets, run as a user runs it (the CLI, --json):
 *
 * - a bare broker listener (the shared cluster east: PLAINTEXT, no authorizer, anonymous access)
 *   fails exactly the checks such a listener must fail, creates nothing and exits 1;
 * - the gateway in front of it, configured as docs/security.md recommends, passes every check,
 *   and everything the audit created with the administrator's credentials is gone afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { clusterBootstrap, uniqueName } from '../../harness/index.js';
import { ADMIN, kafkajsSecurity, startTestGateway, type TestGateway } from '../../harness/gateway.js';
import { eventually } from '../../harness/eventually.js';
import { explain, runAuditCli, statuses } from './run-audit.js';

const { Kafka, logLevel, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } =
  kafkajs;
const ALICE = { name: 'alice', password: 'alice-audit-secret' };
const CONNECTION_LIMIT = 20;
let east: string;
let gw: TestGateway;

before(async () => {
  east = clusterBootstrap('east');
  // A committed offset makes the broker create __consumer_offsets: the internal topic a bare listener shows to anyone.
  const kafka = new Kafka({ brokers: [east], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topic = uniqueName('audit-bare');
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.setOffsets({
    groupId: uniqueName('audit-bare'),
    topic,
    partitions: [{ partition: 0, offset: '0' }],
  });
  await admin.disconnect();

  // As docs/security.md recommends: SCRAM, deny by default, a per-address connection limit; TLS (1.2+
  // with forward-secret AEAD suites) and the abuse limits at their defaults, which must pass.
  gw = await startTestGateway({
    upstream: east,
    users: [ALICE],
    mechanisms: ['SCRAM-SHA-512', 'SCRAM-SHA-256'],
    allowEveryoneIfNoAclFound: false,
    clientAuth: 'none',
    extraYaml: `limits: { maxConnectionsPerIp: ${CONNECTION_LIMIT} }`,
  });
  const gwAdmin = new Kafka({
    brokers: [gw.bootstrap],
    logLevel: logLevel.NOTHING,
    ...kafkajsSecurity(gw, ADMIN),
  }).admin();
  await gwAdmin.connect();
  await gwAdmin.createTopics({
    topics: [{ topic: uniqueName('audit-alice'), numPartitions: 1 }],
    waitForLeaders: true,
  });
  await gwAdmin.createAcls({
    acl: [AclOperationTypes.READ, AclOperationTypes.WRITE, AclOperationTypes.DESCRIBE].map((operation) => ({
      resourceType: AclResourceTypes.TOPIC,
      resourceName: 'audit-alice-',
      resourcePatternType: ResourcePatternTypes.PREFIXED,
      principal: 'User:alice',
      host: '*',
      operation,
      permissionType: AclPermissionTypes.ALLOW,
    })),
  });
  await gwAdmin.disconnect();
});

after(async () => {
  await gw?.close();
});

async function topicsOn(brokers: string, security: Partial<kafkajs.KafkaConfig> = {}): Promise<string[]> {
  const admin = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING, ...security }).admin();
  await admin.connect();
  try {
    return await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

describe('kgw audit', () => {
  it(
    'a bare broker listener (no TLS, no SASL, no authorizer) fails exactly what it must, and nothing is created',
    { timeout: 120_000 },
    async () => {
      const before = await topicsOn(east);
      const { code, report } = await runAuditCli([
        east,
        '--auth-deadline',
        '5s',
        '--max-connections-per-address',
        String(CONNECTION_LIMIT),
      ]);
      assert.equal(code, 1, 'exit status 1 when a check fails');
      const failed = report.checks
        .filter((c) => c.status === 'fail')
        .map((c) => c.id)
        .sort();
      assert.deepEqual(
        failed,
        [
          'leaks.internal-topics',
          'limits.connections',
          'preauth.apis',
          'preauth.deadline',
          'preauth.large-frame',
          'preauth.metadata',
          'sasl.required',
          'tls.required',
        ],
        explain(report),
      );
      // The rest either could not apply (no TLS, no SASL, no administrator) or found nothing.
      const s = statuses(report);
      for (const id of ['bypass.dtp-cursor', 'leaks.broker-addresses', 'leaks.group-listing'])
        assert.equal(s[id], 'pass', explain(report));
      assert.equal(report.summary.error, 0, explain(report, ['pass', 'fail', 'skip']));
      assert.equal(report.summary.warn, 0, explain(report, ['pass', 'fail', 'skip']));
      assert.ok(report.budget.used.connections <= report.budget.max.connections);
      assert.ok(report.budget.used.requests <= report.budget.max.requests);
      // Without administrator credentials nothing is created (CreateTopics is sent with validateOnly).
      assert.deepEqual(
        (await topicsOn(east)).filter((t) => !before.includes(t) && t.startsWith('kgw-audit')),
        [],
      );
    },
  );

  it(
    'credentials that do not work make the checks needing them errors, never passes or skips',
    { timeout: 60_000 },
    async () => {
      const { code, report } = await runAuditCli([
        gw.bootstrap,
        '--ca-file',
        gw.pki!.caCert,
        '--user',
        ALICE.name,
        '--password',
        'not-her-password',
        '--only',
        'leaks',
        'sasl',
      ]);
      assert.equal(code, 1);
      const s = statuses(report);
      assert.deepEqual(s, {
        'sasl.required': 'pass',
        'sasl.mechanisms': 'pass',
        'leaks.internal-topics': 'error',
        'leaks.broker-addresses': 'error',
        'leaks.ungranted-topic': 'skip', // no administrator given
        'leaks.group-listing': 'error',
      });
      assert.match(report.notes.join('\n'), /User:alice .*cannot log in/);
    },
  );

  it(
    'the gateway configured as docs/security.md recommends passes every check, and the audit cleans up',
    { timeout: 180_000 },
    async () => {
      // Other test files leave topics of their own named kgw-audit-… (the gateway's audit-log topic).
      const before = await topicsOn(gw.bootstrap, kafkajsSecurity(gw, ADMIN));
      const { code, report } = await runAuditCli([
        gw.bootstrap,
        '--ca-file',
        gw.pki!.caCert,
        '--user',
        ALICE.name,
        '--password',
        ALICE.password,
        '--admin-user',
        ADMIN.name,
        '--admin-password',
        ADMIN.password,
        '--max-connections-per-address',
        String(CONNECTION_LIMIT),
      ]);
      const notPassed = explain(report);
      assert.equal(
        notPassed,
        '',
        `checks that did not pass:\n${notPassed}\nnotes: ${report.notes.join('; ')}`,
      );
      assert.equal(code, 0);
      assert.equal(report.checks.length, 25);
      assert.match(report.notes.join('\n'), /removed everything the audit created/);
      // Deleted by the audit; a broker's metadata drops a deleted topic a moment after the answer.
      await eventually('the audit removed its topics', async () => {
        const all = await topicsOn(gw.bootstrap, kafkajsSecurity(gw, ADMIN));
        return all.every((t) => before.includes(t) || !t.startsWith('kgw-audit-'));
      });
    },
  );
});
