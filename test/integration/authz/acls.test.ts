/**
 * ACL enforcement through a TLS+SCRAM gateway with allow.everyone.if.no.acl.found=false, driven by
 * real clients as different users: kafkajs for data and groups, Kafka's own kafka-acls and
 * kafka-configs tools for administration. Denials are also checked on the broker side directly
 * (nothing created, nothing committed), and an ACL added through one gateway is enforced by a
 * second one sharing the security topic.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import { clusterBootstrap, kafkaTool, uniqueName } from '../../harness/index.js';
import {
  ADMIN,
  javaClientConfig,
  kafkajsSecurity,
  startTestGateway,
  type TestGateway,
  type TestUser,
} from '../../harness/gateway.js';

const { Kafka, logLevel, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } =
  kafkajs;
const ALICE: TestUser = { name: 'alice', password: 'alice-pw' };
const BOB: TestUser = { name: 'bob', password: 'bob-pw' };
const securityTopic = uniqueName('__kgw_security_authz');
let gw: TestGateway;
let gw2: TestGateway | undefined;

before(async () => {
  gw = await startTestGateway({
    upstream: clusterBootstrap('east'),
    users: [ALICE, BOB],
    allowEveryoneIfNoAclFound: false,
    securityTopic,
  });
  // The consume test gives kafkajs two retries, too few for a new cluster's first FindCoordinator
  // (the broker creates __consumer_offsets then). Gateways used to join a consumer group at start,
  // which created it; they join none now, so wait for the group coordinator here, directly.
  const admin = new Kafka({
    brokers: clusterBootstrap('east').split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 10 },
  }).admin();
  await admin.connect();
  try {
    await admin.describeGroups([uniqueName('coordinator-ready')]);
  } finally {
    await admin.disconnect();
  }
});
after(async () => {
  await gw2?.close();
  await gw?.close();
});

const client = (user: TestUser, g: TestGateway = gw, retries = 0) =>
  new Kafka({
    clientId: `authz-${user.name}`,
    brokers: [g.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries },
    ...kafkajsSecurity(g, user),
  });
const direct = () => new Kafka({ brokers: clusterBootstrap('east').split(','), logLevel: logLevel.NOTHING });

type Acl = Parameters<kafkajs.Admin['createAcls']>[0]['acl'][number];
const allow = (
  user: TestUser,
  resourceType: kafkajs.AclResourceTypes,
  resourceName: string,
  operation: kafkajs.AclOperationTypes,
  over: Partial<Acl> = {},
): Acl => ({
  resourceType,
  resourceName,
  resourcePatternType: ResourcePatternTypes.LITERAL,
  principal: `User:${user.name}`,
  host: '*',
  operation,
  permissionType: AclPermissionTypes.ALLOW,
  ...over,
});

async function withAdmin<T>(
  user: TestUser,
  fn: (a: kafkajs.Admin) => Promise<T>,
  g: TestGateway = gw,
): Promise<T> {
  const admin = client(user, g).admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}
const addAcls = (acl: Acl[]) => withAdmin(ADMIN, (a) => a.createAcls({ acl }));
const createTopic = (topic: string) =>
  withAdmin(ADMIN, (a) => a.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true }));

/** 'none', or every error type and message along kafkajs' cause chain, joined. */
async function errorType(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'none';
  } catch (e) {
    const parts: string[] = [];
    const walk = (x: unknown, depth: number): void => {
      if (!x || typeof x !== 'object' || depth > 5) return;
      const err = x as {
        type?: string;
        message?: string;
        originalError?: unknown;
        cause?: unknown;
        errors?: unknown[];
      };
      if (err.type) parts.push(err.type);
      if (err.message) parts.push(err.message);
      walk(err.originalError, depth + 1);
      walk(err.cause, depth + 1);
      for (const inner of err.errors ?? []) walk(inner, depth + 1);
    };
    walk(e, 0);
    return parts.join(' | ');
  }
}
const TOPIC_DENIED = /TOPIC_AUTHORIZATION_FAILED|Topic authorization failed/;

async function produce(user: TestUser, topic: string, value = 'v', g: TestGateway = gw): Promise<void> {
  const p = client(user, g).producer({ allowAutoTopicCreation: false });
  await p.connect();
  try {
    await p.send({ topic, acks: -1, messages: [{ value }] });
  } finally {
    await p.disconnect();
  }
}

describe('authz through the gateway', () => {
  test('kafka-acls.sh adds, lists and removes ACLs unchanged', async () => {
    const topic = uniqueName('acl-roundtrip');
    const base = ['--bootstrap-server', gw.bootstrap, '--command-config', javaClientConfig(gw, ADMIN)];
    const add = await kafkaTool(
      'acls',
      [...base, '--add', '--allow-principal', 'User:alice', '--operation', 'Read', '--topic', topic],
      {
        timeoutMs: 60_000,
      },
    );
    assert.equal(add.code, 0, add.stderr);
    const list = await kafkaTool('acls', [...base, '--list', '--topic', topic], { timeoutMs: 60_000 });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /principal=User:alice, host=\*, operation=READ, permissionType=ALLOW/);
    const remove = await kafkaTool(
      'acls',
      [
        ...base,
        '--remove',
        '--force',
        '--allow-principal',
        'User:alice',
        '--operation',
        'Read',
        '--topic',
        topic,
      ],
      { timeoutMs: 60_000 },
    );
    assert.equal(remove.code, 0, remove.stderr);
    const after = await kafkaTool('acls', [...base, '--list', '--topic', topic], { timeoutMs: 60_000 });
    assert.doesNotMatch(after.stdout, /User:alice/);
    const audit = readFileSync(gw.auditFile, 'utf8');
    assert.match(audit, new RegExp(`"api":"CreateAcls".*"resource":"${topic}".*"decision":"CHANGED"`));
    assert.match(audit, new RegExp(`"api":"DeleteAcls".*"resource":"${topic}".*"decision":"CHANGED"`));
    // A user without ALTER on the cluster cannot add ACLs.
    const denied = await kafkaTool(
      'acls',
      [
        '--bootstrap-server',
        gw.bootstrap,
        '--command-config',
        javaClientConfig(gw, BOB),
        '--add',
        '--allow-principal',
        'User:bob',
        '--operation',
        'All',
        '--topic',
        '*',
      ],
      { timeoutMs: 60_000 },
    );
    assert.match(denied.stdout + denied.stderr, /ClusterAuthorizationException|Cluster authorization failed/);
  });

  test('produce: allowed for alice, denied for bob; a denied topic never shows in metadata', async () => {
    const topic = uniqueName('orders');
    const hidden = uniqueName('hidden');
    await createTopic(topic);
    await createTopic(hidden);
    await addAcls([allow(ALICE, AclResourceTypes.TOPIC, topic, AclOperationTypes.WRITE)]);
    await produce(ALICE, topic);
    assert.match(await errorType(produce(BOB, topic)), TOPIC_DENIED);
    const listed = await withAdmin(ALICE, (a) => a.listTopics());
    assert.ok(listed.includes(topic));
    assert.ok(!listed.includes(hidden), 'unauthorized topic listed');
    assert.ok(!listed.some((t) => t.startsWith('__kgw_security')), 'security topic listed');
    const audit = readFileSync(gw.auditFile, 'utf8');
    assert.match(
      audit,
      new RegExp(
        `"principal":"User:bob".*"api":"(Metadata|Produce)".*"resource":"${topic}".*"decision":"DENIED"`,
      ),
    );
  });

  test('PREFIXED and wildcard rules; DENY overrides ALLOW; host-restricted rules', async () => {
    const prefix = uniqueName('pfx');
    const [t1, t2, t3] = [`${prefix}-a`, `${prefix}-secret`, uniqueName('hosty')];
    for (const t of [t1, t2, t3]) await createTopic(t);
    await addAcls([
      allow(ALICE, AclResourceTypes.TOPIC, `${prefix}-`, AclOperationTypes.WRITE, {
        resourcePatternType: ResourcePatternTypes.PREFIXED,
      }),
      allow(ALICE, AclResourceTypes.TOPIC, t2, AclOperationTypes.WRITE, {
        permissionType: AclPermissionTypes.DENY,
      }),
      allow(BOB, AclResourceTypes.TOPIC, '*', AclOperationTypes.DESCRIBE),
      allow(BOB, AclResourceTypes.TOPIC, t3, AclOperationTypes.WRITE, { host: '10.9.8.7' }),
    ]);
    await produce(ALICE, t1);
    assert.match(await errorType(produce(ALICE, t2)), TOPIC_DENIED);
    assert.match(await errorType(produce(BOB, t3)), TOPIC_DENIED);
    // Wildcard DESCRIBE: bob sees every topic (but the gateway's own).
    const listed = await withAdmin(BOB, (a) => a.listTopics());
    assert.ok(listed.includes(t1) && listed.includes(t2));
    await addAcls([allow(BOB, AclResourceTypes.TOPIC, t3, AclOperationTypes.WRITE, { host: '127.0.0.1' })]);
    await produce(BOB, t3);
  });

  test('consume and commit need READ on topic and group; denied commits never reach the broker', async () => {
    const topic = uniqueName('events');
    const group = uniqueName('grp');
    const bobGroup = uniqueName('bobgrp');
    await createTopic(topic);
    await addAcls([
      allow(ALICE, AclResourceTypes.TOPIC, topic, AclOperationTypes.WRITE),
      allow(ALICE, AclResourceTypes.TOPIC, topic, AclOperationTypes.READ),
      allow(ALICE, AclResourceTypes.GROUP, group, AclOperationTypes.READ),
      allow(BOB, AclResourceTypes.TOPIC, topic, AclOperationTypes.READ),
    ]);
    await produce(ALICE, topic, 'hello');
    const consumer = client(ALICE).consumer({ groupId: group, retry: { retries: 2 } });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const got = new Promise<string>((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) });
    });
    assert.equal(await Promise.race([got, sleep(30_000, 'timeout', { ref: false })]), 'hello');
    await consumer.disconnect();

    // Bob committing offsets for his group: refused before the broker sees it.
    const bobAdmin = client(BOB).admin();
    await bobAdmin.connect();
    const setOffsets = bobAdmin.setOffsets({
      groupId: bobGroup,
      topic,
      partitions: [{ partition: 0, offset: '1' }],
    });
    // kafkajs reports the refused FindCoordinator as "Failed to find group coordinator" with the
    // GROUP_AUTHORIZATION_FAILED answer as its cause.
    assert.match(
      await errorType(setOffsets),
      /GROUP_AUTHORIZATION_FAILED|Group authorization failed|group coordinator/,
    );
    await bobAdmin.disconnect();
    const d = direct().admin();
    await d.connect();
    try {
      const groups = (await d.listGroups()).groups.map((g) => g.groupId);
      assert.ok(!groups.includes(bobGroup), 'denied group reached the broker');
      const offsets = await d.fetchOffsets({ groupId: group, topics: [topic] });
      assert.equal(offsets[0]!.partitions[0]!.offset, '1', 'alice committed');
    } finally {
      await d.disconnect();
    }
  });

  test('topic create/delete and configs: denied ones never reach the broker', async () => {
    const mine = uniqueName('alice-own');
    const notMine = uniqueName('bob-try');
    await addAcls([
      allow(ALICE, AclResourceTypes.TOPIC, mine, AclOperationTypes.CREATE),
      allow(ALICE, AclResourceTypes.TOPIC, mine, AclOperationTypes.DELETE),
      allow(ALICE, AclResourceTypes.TOPIC, mine, AclOperationTypes.DESCRIBE_CONFIGS),
    ]);
    await withAdmin(ALICE, (a) =>
      a.createTopics({ topics: [{ topic: mine, numPartitions: 1 }], waitForLeaders: true }),
    );
    assert.match(
      await errorType(
        withAdmin(BOB, (a) => a.createTopics({ topics: [{ topic: notMine, numPartitions: 1 }] })),
      ),
      /TOPIC_AUTHORIZATION_FAILED|Topic authorization failed|Authorization failed/,
    );
    const d = direct().admin();
    await d.connect();
    try {
      const topics = await d.listTopics();
      assert.ok(topics.includes(mine));
      assert.ok(!topics.includes(notMine), 'denied topic was created');
    } finally {
      await d.disconnect();
    }
    // Configs: alice may describe her topic but not alter it; bob may not describe it.
    const cfg = ['--bootstrap-server', gw.bootstrap, '--entity-type', 'topics', '--entity-name', mine];
    const described = await kafkaTool(
      'configs',
      [...cfg, '--command-config', javaClientConfig(gw, ALICE), '--describe'],
      { timeoutMs: 60_000 },
    );
    assert.equal(described.code, 0, described.stderr);
    const altered = await kafkaTool(
      'configs',
      [
        ...cfg,
        '--command-config',
        javaClientConfig(gw, ALICE),
        '--alter',
        '--add-config',
        'retention.ms=1000',
      ],
      {
        timeoutMs: 60_000,
      },
    );
    assert.match(altered.stdout + altered.stderr, /TopicAuthorizationException|Topic authorization failed/);
    const bobDescribe = await kafkaTool(
      'configs',
      [...cfg, '--command-config', javaClientConfig(gw, BOB), '--describe'],
      { timeoutMs: 60_000 },
    );
    assert.match(
      bobDescribe.stdout + bobDescribe.stderr,
      /TopicAuthorizationException|Topic authorization failed/,
    );
    assert.match(
      await errorType(withAdmin(BOB, (a) => a.deleteTopics({ topics: [mine] }))),
      /TOPIC_AUTHORIZATION_FAILED|authorization/i,
    );
    await withAdmin(ALICE, (a) => a.deleteTopics({ topics: [mine] }));
  });

  test('transactions need WRITE on the transactional id', async () => {
    const topic = uniqueName('txn');
    const txnId = uniqueName('alice-tx');
    const bobTx = uniqueName('bob-tx');
    await createTopic(topic);
    await addAcls([
      allow(ALICE, AclResourceTypes.TOPIC, topic, AclOperationTypes.WRITE),
      allow(ALICE, AclResourceTypes.TRANSACTIONAL_ID, txnId, AclOperationTypes.WRITE),
      allow(BOB, AclResourceTypes.TOPIC, topic, AclOperationTypes.WRITE),
      // DESCRIBE lets bob find the coordinator; without WRITE, InitProducerId is refused.
      allow(BOB, AclResourceTypes.TRANSACTIONAL_ID, bobTx, AclOperationTypes.DESCRIBE),
    ]);
    const p = client(ALICE, gw, 2).producer({
      transactionalId: txnId,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await p.connect();
    const tx = await p.transaction();
    await tx.send({ topic, messages: [{ value: 'in-txn' }] });
    await tx.commit();
    await p.disconnect();
    const b = client(BOB, gw, 1).producer({
      transactionalId: bobTx,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    assert.match(
      await errorType(b.connect().then(() => b.transaction())),
      /TRANSACTIONAL_ID_AUTHORIZATION_FAILED|Transactional Id authorization failed/,
    );
    await b.disconnect().catch(() => undefined);
  });

  test('an ACL added through one gateway is enforced by a second one', async () => {
    gw2 = await startTestGateway({
      upstream: clusterBootstrap('east'),
      users: [ALICE, BOB],
      allowEveryoneIfNoAclFound: false,
      securityTopic,
    });
    const topic = uniqueName('shared');
    await createTopic(topic);
    assert.match(await errorType(produce(BOB, topic, 'x', gw2)), TOPIC_DENIED);
    await addAcls([allow(BOB, AclResourceTypes.TOPIC, topic, AclOperationTypes.WRITE)]); // through gw
    const deadline = Date.now() + 5000;
    for (;;) {
      const r = await errorType(produce(BOB, topic, 'x', gw2));
      if (r === 'none') break;
      assert.ok(Date.now() < deadline, `second gateway still refuses: ${r}`);
      await sleep(200);
    }
  });
});
