/**
 * Abuse limits before and around authentication (issue #12, findings 6-9), against a real broker:
 * the small frame limit before login, one deadline from TCP accept to authenticated covering the
 * TLS handshake, lockout per principal and address that cannot lock out anyone else and cannot
 * tell a locked user from an unknown one, bounded metric labels and log lines.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect as netConnect, createServer, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import {
  ApiKey,
  FrameReader,
  decodeResponse,
  decodeResponseHeader,
  encodeRecordBatch,
  encodeRequestFrame,
} from '../../../protocol/index.js';
import { ScramClient } from '../../../security/scram/index.js';
import { clusterBootstrap, kafkaTool, uniqueName } from '../../harness/index.js';
import {
  ADMIN,
  javaClientConfig,
  kafkajsSecurity,
  startTestGateway,
  type TestGateway,
} from '../../harness/gateway.js';
import { rawScramSession } from '../../harness/raw-client.js';

const { Kafka, logLevel } = kafkajs;
const ALICE = { name: 'alice', password: 'alice-pw' };
const PRE_AUTH_MAX = 512 * 1024;

/** Logs in with kafkajs and lists topics; the error message when it cannot. */
async function login(
  gw: TestGateway,
  user: { name: string; password: string },
  mechanism: 'scram-sha-512' | 'plain' = 'scram-sha-512',
): Promise<string | undefined> {
  const admin = new Kafka({
    brokers: [gw.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 10_000,
    ...kafkajsSecurity(gw, user, mechanism),
  }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function tlsSocket(gw: TestGateway): Promise<TLSSocket> {
  const [host, port] = gw.bootstrap.split(':');
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host, port: Number(port), ca: [readFileSync(gw.pki!.caCert, 'utf8')] }, () =>
      resolve(s),
    );
    s.once('error', reject);
  });
}

const closed = (s: Socket): Promise<void> =>
  s.destroyed ? Promise.resolve() : new Promise((r) => s.once('close', () => r()));

/** A raw SCRAM-SHA-512 exchange up to server-first; returns it and the socket. */
async function scramServerFirst(
  gw: TestGateway,
  user: string,
): Promise<{ serverFirst: string; s: TLSSocket }> {
  const s = await tlsSocket(gw);
  const reader = new FrameReader({ maxFrameSize: 1 << 20 });
  const frames: Buffer[] = [];
  s.on('data', (d: Buffer) => frames.push(...reader.push(d)));
  s.on('error', () => undefined);
  const next = async (): Promise<Buffer> => {
    for (let i = 0; i < 400 && frames.length === 0; i++) await sleep(25);
    return frames.shift()!;
  };
  s.write(
    encodeRequestFrame(
      { apiKey: ApiKey.SaslHandshake, apiVersion: 1, correlationId: 1, clientId: 'probe' },
      { mechanism: 'SCRAM-SHA-512' },
    ),
  );
  await next();
  const client = new ScramClient({ mechanism: 'SCRAM-SHA-512', username: user, password: 'irrelevant' });
  s.write(
    encodeRequestFrame(
      { apiKey: ApiKey.SaslAuthenticate, apiVersion: 2, correlationId: 2, clientId: 'probe' },
      { authBytes: client.first() },
    ),
  );
  const payload = await next();
  const h = decodeResponseHeader(ApiKey.SaslAuthenticate, 2, payload);
  const body = decodeResponse(ApiKey.SaslAuthenticate, 2, payload, h.headerLength);
  return { serverFirst: body.authBytes.toString('utf8'), s };
}

describe('frame limit before authentication (finding 6)', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ upstream: clusterBootstrap('east'), users: [ALICE] });
  });
  after(() => gw?.close());

  test(
    'unauthenticated clients announcing huge frames cannot make the gateway hold more than a few KiB each',
    { timeout: 60_000 },
    async () => {
      const connections = 20;
      const bodyPerConnection = 2 * 1024 * 1024;
      let peak = 0;
      const sampler = setInterval(() => {
        peak = Math.max(peak, ...gw.listeners.map((l) => l.bufferedBytes()));
      }, 2);
      const sockets = await Promise.all(Array.from({ length: connections }, () => tlsSocket(gw)));
      const chunk = Buffer.alloc(64 * 1024, 0x41);
      await Promise.all(
        sockets.map(async (s) => {
          s.on('error', () => undefined);
          const prefix = Buffer.alloc(4);
          prefix.writeInt32BE(90 * 1024 * 1024); // as in the finding: 90 MiB frames before login
          s.write(prefix);
          // The body follows as fast as the gateway reads it, until the gateway hangs up.
          for (let sent = 0; sent < bodyPerConnection && !s.destroyed; sent += chunk.length) {
            if (!s.write(chunk)) await Promise.race([new Promise((r) => s.once('drain', r)), closed(s)]);
          }
          await closed(s);
        }),
      );
      clearInterval(sampler);
      peak = Math.max(peak, ...gw.listeners.map((l) => l.bufferedBytes()));
      assert.ok(peak <= connections * 4 * 1024, `the gateway held ${peak} request bytes at the peak`);
      const log = readFileSync(gw.logFile, 'utf8');
      assert.match(log, new RegExp(`exceeds the maximum of ${PRE_AUTH_MAX}`));
      const metrics = await gw.metrics.registry.getSingleMetricAsString(
        'kgw_gateway_connections_rejected_total',
      );
      assert.match(metrics, /reason="frame-too-large-before-auth"\} (\d+)/);
      const n = Number(/reason="frame-too-large-before-auth"\} (\d+)/.exec(metrics)![1]);
      assert.ok(n >= connections, `${n} connections counted as rejected`);
    },
  );

  test(
    'frames under 512 KiB but over what SCRAM/PLAIN need are refused at their API key, before the body',
    { timeout: 60_000 },
    async () => {
      const connections = 30;
      let peak = 0;
      const sampler = setInterval(() => {
        peak = Math.max(peak, ...gw.listeners.map((l) => l.bufferedBytes()));
      }, 2);
      const sockets = await Promise.all(Array.from({ length: connections }, () => tlsSocket(gw)));
      const chunk = Buffer.alloc(16 * 1024, 0x41);
      await Promise.all(
        sockets.map(async (s, i) => {
          s.on('error', () => undefined);
          s.resume(); // read the handshake answer, or the socket never sees the gateway close it
          // Half announce a 400 KiB ApiVersions, half a 400 KiB SaslAuthenticate after a SCRAM handshake.
          const head = Buffer.alloc(6);
          head.writeInt32BE(400 * 1024);
          head.writeInt16BE(i % 2 === 0 ? ApiKey.ApiVersions : ApiKey.SaslAuthenticate, 4);
          if (i % 2 === 1) {
            s.write(
              encodeRequestFrame(
                { apiKey: ApiKey.SaslHandshake, apiVersion: 1, correlationId: 1, clientId: 'flood' },
                { mechanism: 'SCRAM-SHA-512' },
              ),
            );
          }
          s.write(head);
          for (let sent = 0; sent < 400 * 1024 && !s.destroyed; sent += chunk.length) {
            if (!s.write(chunk)) await Promise.race([new Promise((r) => s.once('drain', r)), closed(s)]);
          }
          await closed(s);
        }),
      );
      clearInterval(sampler);
      assert.ok(peak <= connections * 10 * 1024, `the gateway held ${peak} request bytes at the peak`);
      assert.match(readFileSync(gw.logFile, 'utf8'), /for API key 36 exceeds the maximum of 8192/);
      assert.match(readFileSync(gw.logFile, 'utf8'), /for API key 18 exceeds the maximum of 8192/);
    },
  );

  test('a PLAIN SaslAuthenticate over 8 KiB is refused; after login larger frames pass', async () => {
    const s = await tlsSocket(gw);
    s.on('error', () => undefined);
    const handshake = encodeRequestFrame(
      { apiKey: ApiKey.SaslHandshake, apiVersion: 1, correlationId: 1, clientId: 'big' },
      { mechanism: 'PLAIN' },
    );
    const big = encodeRequestFrame(
      { apiKey: ApiKey.SaslAuthenticate, apiVersion: 2, correlationId: 2, clientId: 'big' },
      { authBytes: Buffer.alloc(8 * 1024, 0x61) },
    );
    assert.ok(big.length - 4 > 8 * 1024);
    s.write(Buffer.concat([handshake, big]));
    await closed(s);
    assert.match(
      readFileSync(gw.logFile, 'utf8'),
      /bad frame before authentication: frame of \d+ bytes for API key 36 exceeds the maximum of 8192/,
    );

    // The post-login maximum (100 MiB) applies once authenticated: a 900 KiB record (under the
    // broker's message.max.bytes) goes through.
    const topic = uniqueName('big-after-login');
    const kafka = new Kafka({
      brokers: [gw.bootstrap],
      logLevel: logLevel.NOTHING,
      ...kafkajsSecurity(gw, ALICE),
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({ topic, acks: -1, messages: [{ value: Buffer.alloc(900 * 1024, 0x62) }] });
    } finally {
      await producer.disconnect();
    }
  });
});

describe('one deadline from TCP accept to authenticated (finding 7)', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({
      upstream: clusterBootstrap('east'),
      users: [ALICE],
      extraYaml: 'limits: { authTimeoutMs: 3000, maxConnectionsPerIp: 4 }',
    });
  });
  after(() => gw?.close());

  /** The ClientHello a real TLS client sends, captured from a listener that never answers. */
  async function realClientHello(): Promise<Buffer> {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const hello = new Promise<Buffer>((resolve) =>
      server.once('connection', (c) => c.once('data', (d: Buffer) => (resolve(d), c.destroy()))),
    );
    const client = tlsConnect({ host: '127.0.0.1', port: (server.address() as { port: number }).port });
    client.on('error', () => undefined);
    const bytes = await hello;
    client.destroy();
    server.close();
    return bytes;
  }

  test(
    'silent TCP and a ClientHello at one byte a step are closed, their slots released',
    { timeout: 90_000 },
    async () => {
      const [host, port] = gw.bootstrap.split(':');
      const open = (): Promise<Socket> =>
        new Promise((resolve) => {
          const s = netConnect({ host, port: Number(port) }, () => resolve(s));
          s.on('error', () => undefined);
        });
      // Fill the per-address limit: three silent connections and one trickling its ClientHello.
      const silent = await Promise.all([open(), open(), open()]);
      const hello = await realClientHello();
      const trickler = await open();
      let sent = 0;
      const trickle = (async () => {
        while (!trickler.destroyed && sent < hello.length) {
          trickler.write(hello.subarray(sent, sent + 1));
          sent++;
          await sleep(100);
        }
      })();
      // A fifth connection from this address is refused while the four hold their slots.
      const fifth = await open();
      await closed(fifth);
      assert.equal(gw.listeners[0]!.inHandshake, 4, 'four connections are still in their handshake');

      await Promise.all([...silent, trickler].map(closed));
      await trickle;
      assert.ok(sent < hello.length, `the handshake never completed (${sent} of ${hello.length} bytes sent)`);
      assert.equal(gw.listeners[0]!.inHandshake, 0);
      assert.match(
        readFileSync(gw.logFile, 'utf8'),
        /TLS handshake not completed within the authentication deadline/,
      );
      // The slots are free again: a real client logs in.
      assert.equal(await login(gw, ALICE), undefined);
    },
  );

  test('after the handshake the same deadline still applies to SASL', { timeout: 30_000 }, async () => {
    const s = await tlsSocket(gw);
    s.on('error', () => undefined);
    await closed(s);
    assert.match(readFileSync(gw.logFile, 'utf8'), /not authenticated within 3000 ms of connecting/);
  });
});

describe('lockout per principal and address (finding 8)', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({
      upstream: clusterBootstrap('east'),
      users: [ALICE],
      extraYaml:
        'limits: { failedAuth: { baseDelayMs: 20, maxDelayMs: 100, lockoutThreshold: 3, windowMs: 60000, lockoutMs: 4000 } }',
    });
  });
  after(() => gw?.close());

  test(
    'a locked user looks exactly like an unknown user or a wrong password; other users still log in',
    { timeout: 90_000 },
    async () => {
      const before = await scramServerFirst(gw, ALICE.name);
      before.s.destroy();
      const wrongPassword = await login(gw, { name: ALICE.name, password: 'wrong-1' });
      assert.ok(wrongPassword);
      for (let i = 0; i < 2; i++) assert.ok(await login(gw, { name: ALICE.name, password: 'wrong' }));

      // alice is now locked from this address: the right password gets the wrong-password answer.
      const locked = await login(gw, ALICE);
      assert.equal(locked, wrongPassword, 'locked is answered as a wrong password');
      const unknown = await login(gw, { name: 'nobody-here', password: 'x' });
      assert.equal(unknown, wrongPassword, 'and so is an unknown user');
      assert.equal(
        await login(gw, ALICE, 'plain'),
        await login(gw, { name: 'nobody-here', password: 'x' }, 'plain'),
        'PLAIN: locked and unknown give the same answer',
      );
      // SCRAM: the challenge of a locked user is its real one (salt, iterations), unchanged, so
      // locking an account and watching for a switch to a fake challenge reveals nothing.
      const during = await scramServerFirst(gw, ALICE.name);
      during.s.destroy();
      const saltAndIterations = (m: string): string =>
        m
          .split(',')
          .filter((p) => !p.startsWith('r='))
          .join(',');
      assert.equal(saltAndIterations(during.serverFirst), saltAndIterations(before.serverFirst));

      // Another principal from the same address (a NAT, a load balancer) is not locked out.
      assert.equal(await login(gw, ADMIN), undefined, 'admin logs in from the same address');
      assert.match(readFileSync(gw.logFile, 'utf8'), /User:alice locked out from this address/);

      await sleep(4200);
      assert.equal(await login(gw, ALICE), undefined, 'the lockout ends');
    },
  );
});

describe('bounded metric labels and log lines (finding 9)', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({
      upstream: clusterBootstrap('east'),
      users: [ALICE],
      extraYaml: 'limits: { maxLabelValues: 20 }',
    });
  });
  after(() => gw?.close());

  test('300 produce requests to made-up topics add at most the capped number of series', async () => {
    const records = await encodeRecordBatch({
      baseOffset: 0n,
      partitionLeaderEpoch: -1,
      attributes: 0,
      baseTimestamp: BigInt(Date.now()),
      maxTimestamp: BigInt(Date.now()),
      producerId: -1n,
      producerEpoch: -1,
      baseSequence: -1,
      records: [
        { attributes: 0, timestampDelta: 0, offsetDelta: 0, key: null, value: Buffer.from('v'), headers: [] },
      ],
    });
    const raw = await rawScramSession(gw, ADMIN);
    try {
      const prefix = uniqueName('made-up');
      const frames = Array.from({ length: 300 }, (_, i) =>
        encodeRequestFrame(
          {
            apiKey: ApiKey.Produce,
            apiVersion: 9,
            correlationId: raw.nextCorrelationId(),
            clientId: 'labels',
          },
          {
            transactionalId: null,
            acks: 1,
            timeoutMs: 5000,
            topicData: [{ name: `${prefix}-${i}`, partitionData: [{ index: 0, records }] }],
          } as never,
        ),
      );
      const answered = await raw.pipeline(frames, frames.length);
      assert.equal(answered.length, 300, 'the broker answered every request (UNKNOWN_TOPIC_OR_PARTITION)');
    } finally {
      raw.close();
    }
    const text = await gw.metrics.registry.metrics();
    for (const name of [
      'kafka_server_brokertopicmetrics_bytesin_total',
      'kafka_server_brokertopicmetrics_messagesin_total',
    ]) {
      const series = text.split('\n').filter((l) => l.startsWith(`${name}{`));
      assert.ok(series.length <= 21, `${name}: ${series.length} series`);
      assert.ok(
        series.some((l) => l.includes('topic="__other__"')),
        `${name} has the overflow series`,
      );
    }
  });

  test('a 7 KiB user name is not logged whole, and no password is logged', { timeout: 60_000 }, async () => {
    // Before login a SCRAM/PLAIN message may be 8 KiB: a 7 KiB name still gets to the log (cut).
    const name = 'n'.repeat(7 * 1024);
    const password = `pw-${uniqueName('secret')}`;
    assert.ok(await login(gw, { name, password }, 'plain'));
    assert.ok(await login(gw, { name, password }));
    assert.ok(await login(gw, { name: ALICE.name, password }, 'plain'));
    await sleep(200);
    const log = readFileSync(gw.logFile, 'utf8');
    const longest = Math.max(...log.split('\n').map((l) => l.length));
    assert.ok(longest < 8 * 1024, `longest log line ${longest} chars`);
    assert.match(log, /n{256}…\[7168 chars\]/, 'the name is logged cut, with its length');
    assert.equal(log.includes(password), false, 'the password never reaches the log');
    assert.equal(readFileSync(gw.auditFile, 'utf8').includes(password), false);
  });
});

describe('partition counts a broker cannot survive (found by bench/fuzz)', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ upstream: clusterBootstrap('east'), users: [ALICE] });
  });
  after(() => gw?.close());

  test('a billion partitions are refused per topic; the other topics of the request go through', async () => {
    const kafka = new Kafka({
      brokers: [gw.bootstrap],
      logLevel: logLevel.NOTHING,
      ...kafkajsSecurity(gw, ALICE),
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const big = uniqueName('part-big');
      const small = uniqueName('part-small');
      await admin.createTopics({ topics: [{ topic: big }, { topic: small }] });
      await assert.rejects(
        admin.createPartitions({
          topicPartitions: [
            { topic: big, count: 1_236_648_772 },
            { topic: small, count: 3 },
          ],
        }),
        (e: Error & { type?: string }) => e.type === 'INVALID_PARTITIONS',
      );
      // Kafka's own tool shows the reason the gateway gives.
      const cli = await kafkaTool('topics', [
        '--bootstrap-server',
        gw.bootstrap,
        '--command-config',
        javaClientConfig(gw, ALICE),
        '--alter',
        '--topic',
        big,
        '--partitions',
        '2000000000',
      ]);
      assert.notEqual(cli.code, 0);
      assert.match(cli.stdout + cli.stderr, /limits\.maxPartitionsPerTopic is 10000/);
      const direct = new Kafka({
        brokers: clusterBootstrap('east').split(','),
        logLevel: logLevel.NOTHING,
      }).admin();
      await direct.connect();
      try {
        const meta = await direct.fetchTopicMetadata({ topics: [big, small] });
        const partitions = Object.fromEntries(meta.topics.map((t) => [t.name, t.partitions.length]));
        assert.deepEqual(partitions, { [big]: 1, [small]: 3 }, 'the sane part of the request was applied');
      } finally {
        await direct.disconnect();
      }
      // Authorization comes first, as in Kafka: without ALTER the answer is the authorization error.
      const strict = await startTestGateway({
        upstream: clusterBootstrap('east'),
        users: [ALICE],
        allowEveryoneIfNoAclFound: false,
      });
      try {
        const denied = new Kafka({
          brokers: [strict.bootstrap],
          logLevel: logLevel.NOTHING,
          ...kafkajsSecurity(strict, ALICE),
        }).admin();
        await denied.connect();
        await assert.rejects(
          denied.createPartitions({ topicPartitions: [{ topic: big, count: 2_000_000_000 }] }),
          (e: Error & { type?: string }) => e.type === 'TOPIC_AUTHORIZATION_FAILED',
        );
        await denied.disconnect();
      } finally {
        await strict.close();
      }
      const huge = uniqueName('part-huge');
      await assert.rejects(admin.createTopics({ topics: [{ topic: huge, numPartitions: 2_000_000_000 }] }));
      assert.equal((await admin.listTopics()).includes(huge), false);
    } finally {
      await admin.disconnect();
    }
  });
});
