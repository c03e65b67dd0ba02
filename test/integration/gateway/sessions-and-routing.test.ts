/**
 * Session lifetime (KIP-368), mTLS principals, SNI routing by name and
 * certificate rotation, each against a real broker behind the gateway.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import { createDevPki } from '../../../security/pki/index.js';
import { clusterBootstrap, kafkaTool, uniqueName } from '../../harness/index.js';
import { javaSslClientConfig, kafkajsSecurity, startTestGateway } from '../../harness/gateway.js';
import { rawScramSession } from '../../harness/raw-client.js';

const { Kafka, logLevel } = kafkajs;
const ALICE = { name: 'alice', password: 'alice-pw' };

describe('KIP-368 session lifetime', () => {
  test('re-authentication keeps the login mechanism, as Kafka requires', { timeout: 60_000 }, async () => {
    const gw = await startTestGateway({ upstream: clusterBootstrap('east'), users: [ALICE] });
    try {
      const raw = await rawScramSession(gw, ALICE); // logged in with SCRAM-SHA-512
      for (const other of ['PLAIN', 'SCRAM-SHA-256'])
        assert.equal((await raw.handshake(other))?.errorCode, 33, `${other}: UNSUPPORTED_SASL_MECHANISM`);
      assert.equal((await raw.handshake('SCRAM-SHA-512'))?.errorCode, 0, 'the same mechanism is accepted');
      raw.close();
    } finally {
      await gw.close();
    }
  });

  test(
    'the lifetime is sent; kafkajs re-authenticates in time; a client that does not is cut off',
    { timeout: 90_000 },
    async () => {
      const gw = await startTestGateway({
        upstream: clusterBootstrap('east'),
        users: [ALICE],
        extraYaml: 'limits: { reauthMs: 3000 }',
      });
      try {
        const raw = await rawScramSession(gw, ALICE);
        assert.ok(
          raw.sessionLifetimeMs > 0n && raw.sessionLifetimeMs <= 3000n,
          `session lifetime ${raw.sessionLifetimeMs}`,
        );
        assert.ok(await raw.metadata(), 'requests are served while the session is valid');
        await sleep(3500);
        assert.equal(await raw.metadata(), undefined, 'no answer after the session expired');
        assert.equal(raw.isClosed(), true, 'the gateway closed the expired session');

        const kafka = new Kafka({
          brokers: [gw.bootstrap],
          logLevel: logLevel.NOTHING,
          reauthenticationThreshold: 1500,
          ...kafkajsSecurity(gw, ALICE),
        } as kafkajs.KafkaConfig);
        const topic = uniqueName('reauth');
        const producer = kafka.producer();
        await producer.connect();
        for (let i = 0; i < 16; i++) {
          await producer.send({ topic, acks: -1, messages: [{ value: String(i) }] });
          await sleep(500);
        }
        await producer.disconnect();
        const metrics = await gw.metrics.registry.getSingleMetricAsString(
          'kafka_server_socketservermetrics_successful_reauthentication_total',
        );
        assert.match(
          metrics,
          /successful_reauthentication_total\{[^}]*\} [1-9]/,
          'kafkajs re-authenticated on a live connection',
        );
      } finally {
        await gw.close();
      }
    },
  );
});

describe('mTLS principals', () => {
  test(
    'the certificate subject is mapped with ssl.principal.mapping.rules',
    { timeout: 90_000 },
    async () => {
      // alice is a super user; bob has no ACLs. Describing SCRAM users needs DESCRIBE on the cluster.
      const gw = await startTestGateway({
        upstream: clusterBootstrap('east'),
        mechanisms: [],
        clientAuth: 'required',
        superUsers: ['User:alice'],
        allowEveryoneIfNoAclFound: false,
      });
      try {
        const describe = (who: 'alice' | 'bob') =>
          kafkaTool('configs', [
            '--bootstrap-server',
            gw.bootstrap,
            '--command-config',
            javaSslClientConfig(gw, who),
            '--describe',
            '--entity-type',
            'users',
          ]);
        const alice = await describe('alice');
        assert.equal(alice.code, 0, alice.stderr);
        const bob = await describe('bob');
        assert.notEqual(bob.code, 0);
        assert.match(bob.stderr + bob.stdout, /Cluster authorization failed/);
      } finally {
        await gw.close();
      }
    },
  );
});

describe('SNI routing', () => {
  test('a client connecting by name reaches the broker named in SNI', { timeout: 60_000 }, async () => {
    const gw = await startTestGateway({
      upstream: clusterBootstrap('east'),
      users: [ALICE],
      addressing: 'sni',
    });
    try {
      const port = Number(gw.bootstrap.split(':')[1]);
      const names = new Set<string>();
      // Names under kgw.test are not in DNS here: resolve them to loopback, but present them in SNI.
      const socketFactory: kafkajs.ISocketFactory = ({ host, ssl, onConnect }) => {
        names.add(host);
        return tlsConnect(
          { ...(ssl as object), host: '127.0.0.1', port, servername: host },
          onConnect,
        ) as never;
      };
      const kafka = new Kafka({
        brokers: [`bootstrap.kgw.test:${port}`],
        logLevel: logLevel.NOTHING,
        socketFactory,
        ...kafkajsSecurity(gw, ALICE),
      });
      const topic = uniqueName('sni');
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: [{ value: 'via-sni' }] });
      await producer.disconnect();
      assert.ok(names.has('bootstrap.kgw.test'));
      assert.ok(
        [...names].some((n) => /^broker-\d+\.kgw\.test$/.test(n)),
        `connected to advertised broker names: ${[...names].join(', ')}`,
      );
    } finally {
      await gw.close();
    }
  });
});

describe('certificate rotation', () => {
  test('new certificates are served without a restart', { timeout: 60_000 }, async () => {
    const gw = await startTestGateway({ upstream: clusterBootstrap('east'), users: [ALICE] });
    const fingerprint = (): Promise<string> =>
      new Promise((resolve, reject) => {
        const [host, port] = gw.bootstrap.split(':');
        const s = tlsConnect({ host, port: Number(port), rejectUnauthorized: false }, () => {
          resolve(s.getPeerCertificate().fingerprint256);
          s.destroy();
        });
        s.once('error', reject);
      });
    try {
      const before = await fingerprint();
      const fresh = await createDevPki({
        dir: mkdtempSync(join(tmpdir(), 'kgw-pki2-')),
        serverNames: ['localhost', '127.0.0.1'],
        clients: [],
      });
      copyFileSync(fresh.server.key, join(gw.dir, 'server-key.pem'));
      copyFileSync(fresh.server.chain, join(gw.dir, 'server-chain.pem'));
      let after = before;
      for (let i = 0; i < 40 && after === before; i++) {
        await sleep(250);
        after = await fingerprint();
      }
      assert.notEqual(after, before, 'the rotated certificate is served');
    } finally {
      await gw.close();
    }
  });
});
