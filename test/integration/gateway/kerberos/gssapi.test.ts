/**
 * SASL/GSSAPI through the gateway against a real MIT Kerberos KDC: Kafka's Java console tools (JAAS
 * Krb5LoginModule with a keytab) and kcat (librdkafka + Cyrus SASL) authenticate to the gateway's own
 * service keytab; the gateway maps the Kerberos principal with sasl.kerberos.principal.to.local.rules
 * and authorizes the mapped principal with its ACLs.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import kafkajs from 'kafkajs';
import { gssapiExchanges } from '../../../../gateway/sasl/gssapi.js';
import {
  ApiKey,
  FrameReader,
  decodeResponse,
  decodeResponseHeader,
  encodeRequestFrame,
} from '../../../../protocol/index.js';
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
let serviceKeytab: string;
let gw: TestGateway;
let bootstrap: string;
const keytabs: Record<string, string> = {};

before(async () => {
  kdc = await startKdc(REALM);
  serviceKeytab = kdc.addPrincipals('gateway.keytab', [`kafka/localhost@${REALM}`]);
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
      // Several tests fail authentication on purpose: no delays or lockout of 127.0.0.1 here.
      'limits: { failedAuth: { baseDelayMs: 0, maxDelayMs: 0, lockoutThreshold: 1000, windowMs: 60000, lockoutMs: 1000 } }',
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
    const x = kcatKerberos(ALICE);
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

  test('KIP-368: a Java consumer re-authenticates with GSSAPI within its session lifetime and keeps its principal', async () => {
    // A second gateway on the same keytab that sends a 4 s session lifetime.
    const short = await startTestGateway({
      upstream: clusterBootstrap('east'),
      mechanisms: ['GSSAPI'],
      advertisedHost: 'localhost',
      allowEveryoneIfNoAclFound: false,
      extraYaml: [
        'kerberos:',
        `  keytab: ${serviceKeytab}`,
        `  servicePrincipal: kafka/localhost@${REALM}`,
        `  defaultRealm: ${REALM}`,
        `  principalToLocalRules: ${JSON.stringify(RULES)}`,
        'limits: { reauthMs: 4000 }',
      ].join('\n'),
    });
    try {
      const { config, env } = javaKerberos(ALICE);
      // Idle for 12 s after reading what is there: fetches keep the connections busy across lifetimes.
      const r = await kafkaTool(
        'console-consumer',
        [
          ...['--bootstrap-server', `localhost:${short.bootstrap.split(':')[1]}`, '--topic', allowed],
          ...['--group', group, '--from-beginning', '--timeout-ms', '12000', '--command-config', config],
        ],
        { env, timeoutMs: 120_000 },
      );
      assert.match(r.stderr + r.stdout, /Processed a total of \d+ messages/);
      const log = readFileSync(short.logFile, 'utf8');
      assert.match(log, /"principal":"User:alice","mechanism":"GSSAPI","reauth":true,"msg":"authenticated"/);
      // (Idle bootstrap connections are closed at expiry instead: Java re-authenticates only before a send.)
      assert.doesNotMatch(log, /"reauth":true,"reason"/);
    } finally {
      await short.close();
    }
  });

  test('forged and malformed GSSAPI tokens get SASL_AUTHENTICATION_FAILED and a closed connection; the gateway carries on', async () => {
    const tokens: [string, Buffer][] = [
      ['empty', Buffer.alloc(0)],
      ['random bytes', Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 0xff))],
      // An RFC 2743 initial-context-token header with the Kerberos OID and a junk AP-REQ.
      [
        'junk AP-REQ',
        Buffer.concat([Buffer.from('6081b506092a864886f71201020201006e', 'hex'), Buffer.alloc(170, 0x41)]),
      ],
      ['64 KiB', Buffer.alloc(64 * 1024, 0x60)],
    ];
    for (const [what, token] of tokens) {
      const r = await rawGssapiAuthenticate(token);
      assert.equal(r.errorCode, 58, `${what}: error code`);
      assert.match(r.errorMessage ?? '', /invalid credentials with SASL mechanism GSSAPI/, what);
      assert.ok(r.closed, `${what}: connection left open`);
    }
    const x = kcatKerberos(ALICE);
    const ok = await kcat([...x, '-L', '-t', allowed], {
      env: kdc.env('kcat-after-forged.ccache'),
      timeoutMs: 60_000,
    });
    assert.equal(ok.code, 0, ok.stderr);
  });

  test('a stale service keytab refuses new tickets; replacing the file rotates keys without a restart', async () => {
    const x = kcatKerberos(ALICE);
    // The KDC issues tickets under new service keys; the gateway's keytab file still holds the old ones.
    const rotated = kdc.rotateKeys('gateway-rotated.keytab', [`kafka/localhost@${REALM}`]);
    const stale = await kcat([...x, '-L', '-t', allowed, '-m', '10'], {
      env: kdc.env('kcat-stale.ccache'),
      timeoutMs: 60_000,
    });
    assert.notEqual(stale.code, 0);
    assert.match(stale.stderr, /invalid credentials with SASL mechanism GSSAPI/);
    assert.match(
      gatewayLog(),
      /GSSAPI: accepting the client's GSS-API token: .*(kvno|key version|out of date)/i,
    );
    copyFileSync(rotated, serviceKeytab);
    const fresh = await kcat([...x, '-L', '-t', allowed], {
      env: kdc.env('kcat-fresh.ccache'),
      timeoutMs: 60_000,
    });
    assert.equal(fresh.code, 0, fresh.stderr);
  });
});

describe('GSSAPI configuration errors stop the gateway at start, naming the keys', () => {
  test('missing keytab file', () => {
    assert.throws(
      () =>
        gssapiExchanges({
          keytab: `${kdc.dir}/no-such.keytab`,
          servicePrincipal: `kafka/localhost@${REALM}`,
          principalToLocalRules: ['DEFAULT'],
        }),
      /^Error: kerberos\.keytab \/ kerberos\.servicePrincipal: cannot accept as kafka\/localhost@KGW\.TEST with keytab .*no-such\.keytab: /,
    );
  });
  test('a keytab without the service principal', () => {
    assert.throws(
      () =>
        gssapiExchanges({
          keytab: keytabs[ALICE]!,
          servicePrincipal: `kafka/localhost@${REALM}`,
          principalToLocalRules: ['DEFAULT'],
        }),
      /kerberos\.keytab \/ kerberos\.servicePrincipal: cannot accept as kafka\/localhost@KGW\.TEST/,
    );
  });
});

/** kcat -X settings for GSSAPI with a keytab (librdkafka runs kinit itself). */
function kcatKerberos(principal: string): string[] {
  return [
    ...['-b', bootstrap, '-X', 'security.protocol=SASL_SSL', '-X', `ssl.ca.location=${gw.pki!.caCert}`],
    ...['-X', 'sasl.mechanisms=GSSAPI', '-X', 'sasl.kerberos.service.name=kafka'],
    ...['-X', `sasl.kerberos.principal=${principal}`, '-X', `sasl.kerberos.keytab=${keytabs[principal]}`],
  ];
}

/** SaslHandshake(GSSAPI) then one SaslAuthenticate with `token`, over TLS, as a hostile client would. */
async function rawGssapiAuthenticate(
  token: Buffer,
): Promise<{ errorCode: number; errorMessage: string | null; closed: boolean }> {
  const [host, port] = gw.bootstrap.split(':');
  const socket = tlsConnect({ host, port: Number(port), ca: [readFileSync(gw.pki!.caCert, 'utf8')] });
  const reader = new FrameReader({ maxFrameSize: 1 << 20 });
  const frames: Buffer[] = [];
  let wake: (() => void) | undefined;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('data', (d: Buffer) => {
    frames.push(...reader.push(d));
    wake?.();
  });
  socket.on('error', () => undefined);
  const next = async (): Promise<Buffer> => {
    while (frames.length === 0) {
      const arrived = new Promise<void>((resolve) => (wake = resolve));
      const ended = await Promise.race([arrived.then(() => false), closed.then(() => true)]);
      if (ended && frames.length === 0) throw new Error('connection closed before a response');
    }
    return frames.shift()!;
  };
  try {
    socket.write(
      encodeRequestFrame(
        { apiKey: ApiKey.SaslHandshake, apiVersion: 1, correlationId: 1, clientId: 'forger' },
        {
          mechanism: 'GSSAPI',
        } as never,
      ),
    );
    const hs = await next();
    const hsBody = decodeResponse(
      ApiKey.SaslHandshake,
      1,
      hs,
      decodeResponseHeader(ApiKey.SaslHandshake, 1, hs).headerLength,
    ) as { errorCode: number };
    assert.equal(hsBody.errorCode, 0, 'GSSAPI handshake refused');
    socket.write(
      encodeRequestFrame(
        { apiKey: ApiKey.SaslAuthenticate, apiVersion: 2, correlationId: 2, clientId: 'forger' },
        {
          authBytes: token,
        } as never,
      ),
    );
    const auth = await next();
    const body = decodeResponse(
      ApiKey.SaslAuthenticate,
      2,
      auth,
      decodeResponseHeader(ApiKey.SaslAuthenticate, 2, auth).headerLength,
    ) as {
      errorCode: number;
      errorMessage: string | null;
    };
    const wasClosed = await Promise.race([
      closed.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 10_000).unref()),
    ]);
    return { errorCode: body.errorCode, errorMessage: body.errorMessage, closed: wasClosed };
  } finally {
    socket.destroy();
  }
}
