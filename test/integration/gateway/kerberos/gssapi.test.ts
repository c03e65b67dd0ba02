/**
 * SASL/GSSAPI through the gateway against a real MIT Kerberos KDC: Kafka's Java console tools (JAAS
 * Krb5LoginModule with a keytab) and kcat (librdkafka + Cyrus SASL) authenticate to the gateway's own
 * service keytab; the gateway maps the Kerberos principal with sasl.kerberos.principal.to.local.rules
 * and authorizes the mapped principal with its ACLs.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import kafkajs from 'kafkajs';
import { clusterBootstrap, kafkaTool, kcat, uniqueName } from '../../../harness/index.js';
import { ADMIN, kafkajsSecurity, startTestGateway, type TestGateway } from '../../../harness/gateway.js';
import { startKdc, type TestKdc } from '../../../harness/kerberos/kdc.js';

const { Kafka, logLevel, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } =
  kafkajs;

const REALM = 'KGW.TEST';
// Two-component user principals map to their lower-cased first component; one-component principals
// only when they are "admin". Anything else has no rule: Kafka (and the gateway) refuse it.
const RULES = [`RULE:[2:$1@$0](.*@KGW\\.TEST)s/@.*//L`, `RULE:[1:$1@$0](admin@KGW\\.TEST)s/@.*//`];
const ALICE = `Alice/batch@${REALM}`; // → User:alice
const CAROL = `carol@${REALM}`; // no rule applies
const GHOST = `ghost/batch@${REALM}`; // its keytab exists, the KDC no longer knows it

let kdc: TestKdc;
let gw: TestGateway;
let bootstrap: string;
const keytabs: Record<string, string> = {};

before(async () => {
  kdc = await startKdc(REALM);
  const serviceKeytab = kdc.addPrincipals('gateway.keytab', [`kafka/localhost@${REALM}`]);
  keytabs[ALICE] = kdc.addPrincipals('alice.keytab', [ALICE]);
  keytabs[CAROL] = kdc.addPrincipals('carol.keytab', [CAROL]);
  keytabs[GHOST] = kdc.addPrincipals('ghost.keytab', [GHOST]);
  kdc.deletePrincipal(GHOST);
  gw = await startTestGateway({
    upstream: clusterBootstrap('east'),
    mechanisms: ['GSSAPI', 'SCRAM-SHA-512'],
    advertisedHost: 'localhost',
    allowEveryoneIfNoAclFound: false,
    extraYaml: [
      'kerberos:',
      `  keytab: ${serviceKeytab}`,
      `  servicePrincipal: kafka/localhost@${REALM}`,
      `  defaultRealm: ${REALM}`,
      `  principalToLocalRules: ${JSON.stringify(RULES)}`,
    ].join('\n'),
  });
  bootstrap = `localhost:${gw.bootstrap.split(':')[1]}`;
});
after(async () => {
  await gw?.close();
  await kdc?.stop();
});

/** A Java client .properties file for SASL_SSL + GSSAPI with a keytab, and the JVM's krb5.conf. */
function javaKerberos(principal: string): { config: string; env: NodeJS.ProcessEnv } {
  const file = join(gw.dir, `client-${principal.replace(/[^A-Za-z0-9]/g, '_')}.properties`);
  writeFileSync(
    file,
    [
      'security.protocol=SASL_SSL',
      'sasl.mechanism=GSSAPI',
      'sasl.kerberos.service.name=kafka',
      'sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true ' +
        `storeKey=true keyTab="${keytabs[principal]}" principal="${principal}";`,
      'ssl.truststore.type=PKCS12',
      `ssl.truststore.location=${gw.pki!.truststoreP12}`,
      `ssl.truststore.password=${gw.pki!.password}`,
      '',
    ].join('\n'),
  );
  return { config: file, env: { JAVA_TOOL_OPTIONS: `-Djava.security.krb5.conf=${kdc.krb5Conf}` } };
}

async function withAdmin<T>(fn: (a: kafkajs.Admin) => Promise<T>): Promise<T> {
  const admin = new Kafka({
    brokers: [gw.bootstrap],
    logLevel: logLevel.NOTHING,
    ...kafkajsSecurity(gw, ADMIN),
  }).admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

const allowAlice = (
  resourceType: kafkajs.AclResourceTypes,
  resourceName: string,
  operation: kafkajs.AclOperationTypes,
) => ({
  resourceType,
  resourceName,
  resourcePatternType: ResourcePatternTypes.LITERAL,
  principal: 'User:alice',
  host: '*',
  operation,
  permissionType: AclPermissionTypes.ALLOW,
});

const gatewayLog = (): string => readFileSync(gw.logFile, 'utf8');
const lines = (s: string): string[] => s.split('\n').filter(Boolean);

describe('SASL/GSSAPI through the gateway (real KDC, service keytab, principal-to-local rules)', () => {
  let allowed: string;
  let denied: string;
  let group: string;
  before(async () => {
    allowed = uniqueName('krb-allowed');
    denied = uniqueName('krb-denied');
    group = uniqueName('krb-group');
    await withAdmin(async (a) => {
      await a.createTopics({
        topics: [allowed, denied].map((topic) => ({ topic, numPartitions: 1 })),
        waitForLeaders: true,
      });
      await a.createAcls({
        acl: [
          allowAlice(AclResourceTypes.TOPIC, allowed, AclOperationTypes.WRITE),
          allowAlice(AclResourceTypes.TOPIC, allowed, AclOperationTypes.READ),
          allowAlice(AclResourceTypes.GROUP, group, AclOperationTypes.READ),
        ],
      });
    });
  });

  test('Java console producer and consumer with a keytab: authenticated, mapped to User:alice, authorized by its ACLs', async () => {
    const { config, env } = javaKerberos(ALICE);
    const input = Array.from({ length: 8 }, (_, i) => `kerberos-${i}`);
    const produced = await kafkaTool(
      'console-producer',
      ['--bootstrap-server', bootstrap, '--topic', allowed, '--command-config', config],
      { input: input.join('\n') + '\n', env, timeoutMs: 120_000 },
    );
    assert.equal(produced.code, 0, produced.stderr);
    const consumed = await kafkaTool(
      'console-consumer',
      [
        ...['--bootstrap-server', bootstrap, '--topic', allowed, '--group', group],
        ...['--from-beginning', '--max-messages', String(input.length), '--timeout-ms', '60000'],
        ...['--command-config', config],
      ],
      { env, timeoutMs: 120_000 },
    );
    assert.equal(consumed.code, 0, consumed.stderr);
    assert.deepEqual(lines(consumed.stdout).sort(), [...input].sort());
    assert.match(
      gatewayLog(),
      /"principal":"User:alice","mechanism":"GSSAPI","reauth":false,"msg":"authenticated"/,
    );

    // The same principal has no ACL on the other topic.
    const refused = await kafkaTool(
      'console-producer',
      ['--bootstrap-server', bootstrap, '--topic', denied, '--command-config', config],
      { input: 'not-allowed\n', env, timeoutMs: 120_000 },
    );
    assert.match(refused.stderr, /TopicAuthorizationException|TOPIC_AUTHORIZATION_FAILED/);
    const audit = readFileSync(gw.auditFile, 'utf8');
    assert.ok(
      lines(audit).some(
        (l) =>
          l.includes('"principal":"User:alice"') &&
          l.includes(`"resource":"${denied}"`) &&
          l.includes('"DENIED"'),
      ),
      `no DENIED audit line for User:alice on ${denied}`,
    );
    // Nothing reached the broker: the denied topic is still empty.
    const end = await withAdmin((a) => a.fetchTopicOffsets(denied));
    assert.deepEqual(
      end.map((p) => p.high),
      ['0'],
    );
  });

  test('kcat (librdkafka with Cyrus SASL GSSAPI, kinit from the keytab) produces and consumes as User:alice', async () => {
    const x = [
      ...['-b', bootstrap, '-X', 'security.protocol=SASL_SSL', '-X', `ssl.ca.location=${gw.pki!.caCert}`],
      ...['-X', 'sasl.mechanisms=GSSAPI', '-X', 'sasl.kerberos.service.name=kafka'],
      ...['-X', `sasl.kerberos.principal=${ALICE}`, '-X', `sasl.kerberos.keytab=${keytabs[ALICE]}`],
    ];
    const env = kdc.env('kcat.ccache');
    const values = ['kcat-a', 'kcat-b', 'kcat-c'];
    const p = await kcat([...x, '-P', '-t', allowed], {
      input: values.join('\n') + '\n',
      env,
      timeoutMs: 60_000,
    });
    assert.equal(p.code, 0, p.stderr);
    const c = await kcat([...x, '-C', '-t', allowed, '-o', 'beginning', '-e', '-q'], {
      env,
      timeoutMs: 60_000,
    });
    assert.equal(c.code, 0, c.stderr);
    for (const v of values)
      assert.ok(lines(c.stdout).includes(v), `kcat did not read back ${v}: ${c.stdout}`);
    const d = await kcat([...x, '-P', '-t', denied], { input: 'kcat-denied\n', env, timeoutMs: 60_000 });
    assert.match(d.stderr, /Topic authorization failed|TOPIC_AUTHORIZATION_FAILED/);
  });

  test('a principal no rule maps is refused by the gateway with SASL_AUTHENTICATION_FAILED', async () => {
    const { config, env } = javaKerberos(CAROL);
    const r = await kafkaTool(
      'console-producer',
      ['--bootstrap-server', bootstrap, '--topic', allowed, '--command-config', config],
      { input: 'from-carol\n', env, timeoutMs: 120_000 },
    );
    assert.match(
      r.stderr,
      /Authentication failed during authentication due to invalid credentials with SASL mechanism GSSAPI/,
    );
    assert.match(gatewayLog(), /GSSAPI: cannot map carol@KGW\.TEST to a short name: No rules apply/);
  });

  test('an unknown principal cannot log in at the KDC and never authenticates to the gateway', async () => {
    const { config, env } = javaKerberos(GHOST);
    const r = await kafkaTool(
      'console-producer',
      ['--bootstrap-server', bootstrap, '--topic', allowed, '--command-config', config],
      { input: 'from-ghost\n', env, timeoutMs: 120_000 },
    );
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Client not found in Kerberos database|LoginException/);
    assert.doesNotMatch(gatewayLog(), /ghost/);
  });
});
