/**
 * The security topic shared by gateway instances, on the real east cluster: a credential changed
 * through one gateway reaches another one that is already running (its tail) and a gateway started
 * later (its replay, complete before it is ready), deletions included; and no gateway joins a
 * consumer group to read the topic, so nothing is left in the cluster's group list.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import kafkajs from 'kafkajs';
import { KafkaClientConnection } from '../../../client/connection.js';
import { parseAddress } from '../../../client/cluster.js';
import { ApiKey } from '../../../protocol/index.js';
import { hi } from '../../../security/scram/index.js';
import { clusterBootstrap, uniqueName } from '../../harness/index.js';
import { ADMIN, startTestGateway, type TestGateway, type TestUser } from '../../harness/gateway.js';
import { eventually as pollUntil } from '../../harness/eventually.js';

const { Kafka, logLevel } = kafkajs;
const SCRAM_SHA_512 = 2; // Kafka's ScramMechanism code
const securityTopic = uniqueName('__kgw_security_shared');
const gateways: TestGateway[] = [];
let groupsBefore: string[];

async function listGroups(): Promise<string[]> {
  const admin = new Kafka({
    brokers: clusterBootstrap('east').split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    return (await admin.listGroups()).groups.map((g) => g.groupId).sort();
  } finally {
    await admin.disconnect();
  }
}

async function gateway(): Promise<TestGateway> {
  const gw = await startTestGateway({ upstream: clusterBootstrap('east'), securityTopic });
  gateways.push(gw);
  return gw;
}

/** A connection to the gateway authenticated as `user` (rejects when authentication fails). */
function connect(gw: TestGateway, user: TestUser): Promise<KafkaClientConnection> {
  return KafkaClientConnection.open(parseAddress(gw.bootstrap), {
    clientId: 'security-topic-test',
    connectTimeoutMs: 5000,
    requestTimeoutMs: 15_000,
    tls: { ca: readFileSync(gw.pki!.caCert, 'utf8'), rejectUnauthorized: true, checkServerIdentity: true },
    sasl: { mechanism: 'SCRAM-SHA-512', username: user.name, password: user.password },
  });
}

/** AlterUserScramCredentials as admin through `gw`: what kafka-configs --alter sends. */
async function alter(gw: TestGateway, change: { upsert?: TestUser; remove?: string }): Promise<void> {
  const conn = await connect(gw, ADMIN);
  try {
    const salt = randomBytes(24);
    const iterations = 4096;
    const r = await conn.request(
      ApiKey.AlterUserScramCredentials,
      conn.version(ApiKey.AlterUserScramCredentials, 0, 0),
      {
        deletions: change.remove ? [{ name: change.remove, mechanism: SCRAM_SHA_512 }] : [],
        upsertions: change.upsert
          ? [
              {
                name: change.upsert.name,
                mechanism: SCRAM_SHA_512,
                iterations,
                salt,
                saltedPassword: hi('sha512', change.upsert.password, salt, iterations),
              },
            ]
          : [],
      },
    );
    assert.deepEqual(
      r.results.map((x) => [x.user, x.errorCode]),
      [[change.upsert?.name ?? change.remove, 0]],
    );
  } finally {
    conn.close();
  }
}

/** Whether `gw` knows a SCRAM-SHA-512 credential for `name` (DescribeUserScramCredentials as admin). */
async function known(gw: TestGateway, name: string): Promise<boolean> {
  const conn = await connect(gw, ADMIN);
  try {
    const r = await conn.request(
      ApiKey.DescribeUserScramCredentials,
      conn.version(ApiKey.DescribeUserScramCredentials, 0, 0),
      { users: [{ name }] },
    );
    const result = r.results[0]!;
    return result.errorCode === 0 && result.credentialInfos.some((c) => c.mechanism === SCRAM_SHA_512);
  } finally {
    conn.close();
  }
}

/** Credentials travel through the security topic: every instance learns them within seconds. */
const eventually = (what: string, check: () => Promise<boolean>): Promise<boolean> =>
  pollUntil(what, check, 10_000, 100);

async function canLogIn(gw: TestGateway, user: TestUser): Promise<boolean> {
  try {
    (await connect(gw, user)).close();
    return true;
  } catch (e) {
    assert.match((e as Error).message, /authentication as .* failed/);
    return false;
  }
}

before(async () => {
  groupsBefore = await listGroups();
});
after(async () => {
  for (const gw of gateways) await gw.close();
});

test('a credential added through one gateway reaches a running one, a restarted one, and no consumer group appears', async () => {
  const carol = { name: uniqueName('carol').replace(/-/g, '_'), password: 'carol-pw' };
  const gw1 = await gateway();
  const gw2 = await gateway();
  assert.equal(await canLogIn(gw2, carol), false);

  await alter(gw1, { upsert: carol });
  assert.equal(await canLogIn(gw1, carol), true); // applied locally before the answer
  await eventually('the second gateway learns the credential from its tail', () => known(gw2, carol.name));
  assert.equal(await canLogIn(gw2, carol), true);

  // Both gateways are running and have read and written the topic: no group of theirs exists.
  const groupsDuring = await listGroups();
  assert.deepEqual(
    groupsDuring.filter((g) => !groupsBefore.includes(g)),
    [],
    'groups created while gateways run',
  );

  // A gateway started now replays the topic before it is ready: the credential works at once.
  await gw1.close();
  gateways.splice(gateways.indexOf(gw1), 1);
  const gw3 = await gateway();
  assert.equal(await canLogIn(gw3, carol), true);
});

test('a deleted credential is gone on the other instances and after a restart', async () => {
  const dave = { name: uniqueName('dave').replace(/-/g, '_'), password: 'dave-pw' };
  const [gwA, gwB] = gateways as [TestGateway, TestGateway];
  await alter(gwA, { upsert: dave });
  await eventually('the other gateway learns the credential', () => known(gwB, dave.name));
  await alter(gwA, { remove: dave.name });
  await eventually('the other gateway forgets the credential', async () => !(await known(gwB, dave.name)));
  assert.equal(await canLogIn(gwB, dave), false);
  const gwC = await gateway();
  assert.equal(await known(gwC, dave.name), false);
  assert.equal(await canLogIn(gwC, dave), false);
  assert.deepEqual(
    (await listGroups()).filter((g) => !groupsBefore.includes(g)),
    [],
    'groups created while gateways run',
  );
});

test('an empty user list describes every user, as Kafka does (what kafka-configs.sh --describe sends)', async () => {
  const erin = { name: uniqueName('erin').replace(/-/g, '_'), password: 'erin-pw' };
  const gw = gateways[0]!;
  await alter(gw, { upsert: erin });
  const conn = await connect(gw, ADMIN);
  try {
    const version = conn.version(ApiKey.DescribeUserScramCredentials, 0, 0);
    const listed = async (users: { name: string }[] | null): Promise<string[]> =>
      (await conn.request(ApiKey.DescribeUserScramCredentials, version, { users })).results
        .filter((r) => r.errorCode === 0)
        .map((r) => r.user)
        .sort();
    const everyone = await listed(null);
    assert.ok(everyone.includes(erin.name) && everyone.includes(ADMIN.name), everyone.join(','));
    assert.deepEqual(await listed([]), everyone);
  } finally {
    conn.close();
  }
});
