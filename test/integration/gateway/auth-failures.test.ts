/**
 * Everything that must NOT get through: wrong passwords, unknown users, plaintext on a TLS port,
 * requests before authentication, bad frames, unknown API keys, expired tokens and sessions.
 * Each must give the client a clear error and reach nothing upstream.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import kafkajs from 'kafkajs';
import { ApiKey, ZERO_UUID, encodeRequestFrame, defaultMetadataRequest } from '../../../protocol/index.js';
import { clusterBootstrap, kafkaTool, kcat, uniqueName } from '../../harness/index.js';
import {
  ADMIN,
  javaClientConfig,
  kafkajsSecurity,
  kcatSecurity,
  startTestGateway,
  type TestGateway,
} from '../../harness/gateway.js';

const { Kafka, logLevel } = kafkajs;
const ALICE = { name: 'alice', password: 'alice-pw' };
let gw: TestGateway;
let jwtKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

before(async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  jwtKey = privateKey;
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'test', alg: 'RS256', use: 'sig' }] };
  const jwksFile = join(process.env.TMPDIR ?? '/tmp', `kgw-jwks-${process.pid}.json`);
  writeFileSync(jwksFile, JSON.stringify(jwks));
  gw = await startTestGateway({
    upstream: clusterBootstrap('east'),
    users: [ALICE],
    mechanisms: ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN', 'OAUTHBEARER'],
    extraYaml: `oauthbearer: { staticKeysFile: ${jwksFile}, issuer: kgw-test, audience: kafka }`,
  });
});
after(() => gw?.close());

const broker = () =>
  new Kafka({ brokers: clusterBootstrap('east').split(','), logLevel: logLevel.NOTHING }).admin();

async function topicExistsUpstream(topic: string): Promise<boolean> {
  const admin = broker();
  await admin.connect();
  try {
    return (await admin.listTopics()).includes(topic);
  } finally {
    await admin.disconnect();
  }
}

async function kafkajsCreateTopic(
  cfg: Partial<kafkajs.KafkaConfig>,
  topic: string,
): Promise<Error | undefined> {
  const admin = new Kafka({
    brokers: [gw.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 3000,
    ...cfg,
  }).admin();
  try {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic }] });
    return undefined;
  } catch (e) {
    return e as Error;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function token(claims: { sub: string; expSecondsFromNow: number }): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: 'kafka' })
    .setProtectedHeader({ alg: 'RS256', kid: 'test' })
    .setSubject(claims.sub)
    .setIssuer('kgw-test')
    .setAudience('kafka')
    .setIssuedAt(now - 60)
    .setExpirationTime(now + claims.expSecondsFromNow)
    .sign(jwtKey);
}

/** A TLS connection speaking raw Kafka frames; resolves the bytes received until the gateway closes it. */
function rawSession(frames: Buffer[]): Promise<{ received: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const [host, port] = gw.bootstrap.split(':');
    const socket: TLSSocket = tlsConnect(
      { host, port: Number(port), ca: [readFileSync(gw.pki!.caCert, 'utf8')] },
      () => {
        for (const f of frames) socket.write(f);
      },
    );
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ received: Buffer.concat(chunks), closed: false });
    }, 5000);
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ received: Buffer.concat(chunks), closed: true });
    });
  });
}

describe('authentication failures', () => {
  test('wrong password: clear error, nothing reaches the broker', async () => {
    const topic = uniqueName('never-wrong-pw');
    const err = await kafkajsCreateTopic(kafkajsSecurity(gw, { name: 'alice', password: 'nope' }), topic);
    assert.ok(err, 'connecting with a wrong password fails');
    assert.match(err.message, /invalid credentials with SASL mechanism SCRAM-SHA-512/);
    assert.equal(await topicExistsUpstream(topic), false);
  });

  test('unknown user: the same error as a wrong password (user names do not leak)', async () => {
    const err = await kafkajsCreateTopic(
      kafkajsSecurity(gw, { name: 'mallory', password: 'x' }),
      uniqueName('never-unknown'),
    );
    assert.ok(err);
    assert.match(err.message, /invalid credentials with SASL mechanism SCRAM-SHA-512/);
    const plain = await kafkajsCreateTopic(
      kafkajsSecurity(gw, { name: 'mallory', password: 'x' }, 'plain'),
      uniqueName('never-unknown'),
    );
    assert.match(plain!.message, /invalid credentials with SASL mechanism PLAIN/);
  });

  test('kcat with a wrong password gets an authentication error', async () => {
    const r = await kcat(
      ['-b', gw.bootstrap, ...kcatSecurity(gw, { name: 'alice', password: 'bad' }), '-L'],
      { timeoutMs: 20_000 },
    );
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Authentication failed during authentication due to invalid credentials/);
  });

  test('plaintext client on the TLS port: refused, gateway logs the failed handshake', async () => {
    const err = await kafkajsCreateTopic(
      { sasl: kafkajsSecurity(gw, ALICE).sasl },
      uniqueName('never-plaintext'),
    );
    assert.ok(err, 'plaintext connection to a TLS listener fails');
    const r = await kcat(['-b', gw.bootstrap, '-L', '-m', '3'], { timeoutMs: 20_000 });
    assert.notEqual(r.code, 0);
    await sleep(200);
    assert.match(readFileSync(gw.logFile, 'utf8'), /TLS handshake failed/);
  });
});

describe('protocol abuse', () => {
  test('a request before authentication closes the connection and never reaches the broker', async () => {
    const topic = uniqueName('never-preauth');
    const metadata = encodeRequestFrame(
      { apiKey: ApiKey.Metadata, apiVersion: 12, correlationId: 1, clientId: 'raw' },
      {
        ...defaultMetadataRequest(),
        topics: [{ name: topic, topicId: ZERO_UUID }],
        allowAutoTopicCreation: true,
      },
    );
    const r = await rawSession([metadata]);
    assert.equal(r.closed, true, 'the gateway closes the connection');
    assert.equal(r.received.length, 0, 'and answers nothing');
    assert.equal(await topicExistsUpstream(topic), false, 'auto-creation never happened upstream');
  });

  test('garbage, an oversized frame, an unknown API key: connection closed, gateway keeps serving', async () => {
    const oversized = Buffer.alloc(4);
    oversized.writeInt32BE(0x7fffffff);
    const unknownKey = Buffer.from([0, 0, 0, 10, 0x7f, 0x00, 0, 0, 0, 0, 0, 1, 0xff, 0xff]);
    for (const frames of [[oversized], [unknownKey], [Buffer.from('GET / HTTP/1.1\r\n\r\n')]]) {
      const r = await rawSession(frames);
      assert.equal(r.closed, true);
    }
    assert.equal(
      await kafkajsCreateTopic(kafkajsSecurity(gw, ALICE), uniqueName('still-serving')),
      undefined,
    );
  });
});

describe('OAUTHBEARER', () => {
  test('a valid JWT authenticates; an expired one is refused', async () => {
    const good = await token({ sub: 'svc-orders', expSecondsFromNow: 300 });
    const ok = await kafkajsCreateTopic(
      {
        ssl: kafkajsSecurity(gw, ALICE).ssl,
        sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: good }) },
      },
      uniqueName('oauth'),
    );
    assert.equal(ok, undefined);
    const expired = await token({ sub: 'svc-orders', expSecondsFromNow: -600 });
    const topic = uniqueName('never-expired');
    const err = await kafkajsCreateTopic(
      {
        ssl: kafkajsSecurity(gw, ALICE).ssl,
        sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: expired }) },
      },
      topic,
    );
    assert.ok(err, 'an expired token is refused');
    assert.equal(await topicExistsUpstream(topic), false);
  });

  test('a 40 KiB token is accepted: OAUTHBEARER may use the 512 KiB frame before login', async () => {
    const now = Math.floor(Date.now() / 1000);
    const big = await new SignJWT({ scope: 'kafka', padding: 'x'.repeat(40 * 1024) })
      .setProtectedHeader({ alg: 'RS256', kid: 'test' })
      .setSubject('svc-big-token')
      .setIssuer('kgw-test')
      .setAudience('kafka')
      .setIssuedAt(now - 60)
      .setExpirationTime(now + 300)
      .sign(jwtKey);
    const ok = await kafkajsCreateTopic(
      {
        ssl: kafkajsSecurity(gw, ALICE).ssl,
        sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: big }) },
      },
      uniqueName('oauth-big'),
    );
    assert.equal(ok, undefined);
  });
});

describe("credentials through Kafka's own admin API", () => {
  test('kafka-configs adds a SCRAM user through the gateway; the new user can log in; describe lists it', async () => {
    const user = { name: uniqueName('carol').replace(/-/g, '_'), password: 'carol-pw-1' };
    const admin = javaClientConfig(gw, ADMIN);
    const add = await kafkaTool('configs', [
      '--bootstrap-server',
      gw.bootstrap,
      '--command-config',
      admin,
      '--alter',
      '--add-config',
      `SCRAM-SHA-512=[iterations=8192,password=${user.password}]`,
      '--entity-type',
      'users',
      '--entity-name',
      user.name,
    ]);
    assert.equal(add.code, 0, add.stderr);
    const describe = await kafkaTool('configs', [
      '--bootstrap-server',
      gw.bootstrap,
      '--command-config',
      admin,
      '--describe',
      '--entity-type',
      'users',
      '--entity-name',
      user.name,
    ]);
    assert.match(describe.stdout, /SCRAM-SHA-512=iterations=8192/);
    assert.equal(await kafkajsCreateTopic(kafkajsSecurity(gw, user), uniqueName('carol-topic')), undefined);
  });

  test('only principals with ALTER on the cluster may change credentials', async () => {
    // allow.everyone.if.no.acl.found=false: without ACLs only the super user (admin) may alter.
    const strict = await startTestGateway({
      upstream: clusterBootstrap('east'),
      users: [ALICE],
      allowEveryoneIfNoAclFound: false,
    });
    try {
      const denied = await kafkaTool('configs', [
        '--bootstrap-server',
        strict.bootstrap,
        '--command-config',
        javaClientConfig(strict, ALICE),
        '--alter',
        '--add-config',
        'SCRAM-SHA-512=[password=hijack]',
        '--entity-type',
        'users',
        '--entity-name',
        'admin',
      ]);
      assert.notEqual(denied.code, 0);
      assert.match(denied.stderr + denied.stdout, /Cluster authorization failed/);
      assert.match(
        readFileSync(strict.auditFile, 'utf8'),
        /"decision":"DENIED".*"api":"AlterUserScramCredentials"|"api":"AlterUserScramCredentials".*"decision":"DENIED"/,
      );
    } finally {
      await strict.close();
    }
  });
});
