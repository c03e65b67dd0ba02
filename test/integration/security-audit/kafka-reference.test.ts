/**
 * Kafka's own implementation as the reference for the audit's verdicts: a Kafka 4.3.1 SASL_SSL
 * listener with StandardAuthorizer, the same kind of low-privilege user, the same run. Where Kafka
 * defines the behaviour (authorization of every API, including the broker-side state behind the
 * bypass checks) it must pass, so the audit demands nothing Kafka does not do; where kgw goes
 * further than Kafka, the audit reports what docs/security.md says it reports for Kafka.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, it } from 'node:test';
import kafkajs from 'kafkajs';
import { startPrivateCluster, uniqueName, type PrivateCluster } from '../../harness/index.js';
import { saslSslBrokerOverrides, testPki } from '../../harness/gateway.js';
import type { DevPkiFiles } from '../../../security/pki/index.js';
import { explain, runAuditCli, statuses } from './run-audit.js';

const { Kafka, logLevel, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } =
  kafkajs;
// Ports apart from every other cluster, distinct per KGW_PORT_OFFSET (a multiple of 100).
const base = 12000 + (Number(process.env.KGW_PORT_OFFSET ?? 0) / 100) * 4;
const securePort = base + 1;
const ADMIN = { name: 'admin', password: 'admin-ref-secret' };
const ALICE = { name: 'alice', password: 'alice-ref-secret' };
let cluster: PrivateCluster;
let pki: DevPkiFiles;

before(async () => {
  pki = await testPki();
  cluster = await startPrivateCluster('audit-ref', {
    nodes: 1,
    basePort: base,
    heapMb: 384,
    formatArgs: [
      '--add-scram',
      `SCRAM-SHA-512=[name=${ADMIN.name},password=${ADMIN.password}]`,
      '--add-scram',
      `SCRAM-SHA-512=[name=${ALICE.name},password=${ALICE.password}]`,
    ],
    overrides: {
      ...saslSslBrokerOverrides({ plaintext: base, controller: base + 100, secure: securePort }, pki),
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      // The broker's own plaintext and controller traffic is ANONYMOUS.
      'super.users': `User:${ADMIN.name};User:ANONYMOUS`,
    },
  });
  const admin = new Kafka({
    brokers: [`127.0.0.1:${securePort}`],
    logLevel: logLevel.NOTHING,
    ssl: { ca: [readFileSync(pki.caCert, 'utf8')] },
    sasl: { mechanism: 'scram-sha-512', username: ADMIN.name, password: ADMIN.password },
  }).admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic: uniqueName('audit-alice'), numPartitions: 1 }],
    waitForLeaders: true,
  });
  await admin.createAcls({
    acl: [AclOperationTypes.READ, AclOperationTypes.WRITE, AclOperationTypes.DESCRIBE].map((operation) => ({
      resourceType: AclResourceTypes.TOPIC,
      resourceName: 'audit-alice-',
      resourcePatternType: ResourcePatternTypes.PREFIXED,
      principal: `User:${ALICE.name}`,
      host: '*',
      operation,
      permissionType: AclPermissionTypes.ALLOW,
    })),
  });
  await admin.disconnect();
});

after(async () => {
  await cluster?.stop();
});

it(
  'Kafka with StandardAuthorizer passes every authorization check; its documented gaps are reported as such',
  { timeout: 180_000 },
  async () => {
    const { report } = await runAuditCli([
      `127.0.0.1:${securePort}`,
      '--ca-file',
      pki.caCert,
      '--user',
      ALICE.name,
      '--password',
      ALICE.password,
      '--admin-user',
      ADMIN.name,
      '--admin-password',
      ADMIN.password,
      '--auth-deadline',
      '5s',
      '--skip',
      'enumeration.timing', // a timing verdict is not a property to assert on a shared machine
    ]);
    const s = statuses(report);
    const context = `${explain(report)}\nnotes: ${report.notes.join('; ')}`;
    for (const id of [
      'bypass.fetch-session',
      'bypass.streams-topics',
      'bypass.dtp-cursor',
      'bypass.regex-subscription',
      'bypass.describe-groups',
      'leaks.internal-topics',
      'leaks.broker-addresses',
      'leaks.ungranted-topic',
      'leaks.group-listing',
      'preauth.apis',
      'preauth.metadata',
      'preauth.large-frame',
      'sasl.required',
      'sasl.mechanisms',
      'tls.required',
      'tls.legacy-versions',
      'tls.certificate',
    ])
      assert.equal(s[id], 'pass', `${id} on Kafka's own implementation:\n${context}`);
    // Where kgw is stricter than Kafka (docs/security.md, "What to expect"):
    assert.equal(s['preauth.deadline'], 'fail', context);
    assert.equal(s['enumeration.errors'], 'fail', context);
    assert.equal(s['enumeration.scram-challenge'], 'fail', context);
    assert.equal(s['bypass.fetch-session-probing'], 'warn', context);
    assert.equal(s['limits.lockout'], 'warn', context);
    assert.equal(report.summary.error, 0, context);
    assert.match(report.notes.join('\n'), /removed everything the audit created/);
  },
);
