/**
 * The mirror against a Kafka cluster that has an authorizer (StandardAuthorizer) and secure
 * listeners: SASL_SSL with SCRAM-SHA-512 (PEM truststore, host name checked) and SASL_PLAINTEXT with
 * SCRAM-SHA-256. One private single-node cluster serves every test here (the runner's east and west
 * have no authorizer, and three JVMs is the budget).
 *
 * - Topic ACL sync by MM2's rules. Source and target must both have an authorizer, so both aliases
 *   of that flow point at the private cluster (a topic `t` there is replicated to `src.t` there).
 * - The mirror's own connections (admin, fetch, produce) over SASL_SSL in both directions between
 *   east and the private cluster (mm2.properties); SASL_PLAINTEXT with the YAML form's MM2 keys; a
 *   wrong password fails the connectors with the cause in their REST status; SASL_SSL in the YAML
 *   form's shared connection shape (`bootstrap`, `tls`, `sasl`: docs/connections.md), both ways.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import kafkajs, { type AclEntry } from 'kafkajs';
import { startPrivateCluster, uniqueName, type PrivateCluster } from '../../harness/index.js';
import { testPki } from '../../harness/gateway.js';
import {
  EAST,
  endOffsets,
  kafka,
  killAllMirrors,
  mm2Properties,
  readAll,
  startMirror,
  waitFor,
  writeConfig,
  type MirrorProcess,
  type ReadRecord,
} from './helpers.js';
import { explainedBy, topicAcls, type ListedAcl } from './kafka-tools.js';

const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

// Ports from KGW_PORT_OFFSET (as the presets), below Linux's ephemeral range: base + 4000 + 151 < 32768.
const base = 28092 + Number(process.env.KGW_PORT_OFFSET ?? 0) / 5;
const PLAIN = `127.0.0.1:${base}`; // PLAINTEXT: principal User:ANONYMOUS, a super user (tests' own admin)
const SASL_SSL = `127.0.0.1:${base + 50}`;
const SASL_PLAIN = `127.0.0.1:${base + 51}`;
const MIRROR_USER = { name: 'mirror', password: 'mirror-secret' };
const jaas = (password: string): string =>
  `org.apache.kafka.common.security.scram.ScramLoginModule required username="${MIRROR_USER.name}" password="${password}";`;

let cluster: PrivateCluster;
let caCert: string;

before(async () => {
  const pki = await testPki();
  caCert = pki.caCert;
  const scram = `[name=${MIRROR_USER.name},password=${MIRROR_USER.password}]`;
  cluster = await startPrivateCluster('mirror-secure', {
    nodes: 1,
    basePort: base,
    heapMb: 384,
    formatArgs: ['--add-scram', `SCRAM-SHA-512=${scram}`, '--add-scram', `SCRAM-SHA-256=${scram}`],
    overrides: {
      listeners: `PLAINTEXT://${PLAIN},CONTROLLER://127.0.0.1:${base + 100},SECURE://${SASL_SSL},SASLPLAIN://${SASL_PLAIN}`,
      'advertised.listeners': `PLAINTEXT://${PLAIN},SECURE://${SASL_SSL},SASLPLAIN://${SASL_PLAIN}`,
      'listener.security.protocol.map':
        'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SECURE:SASL_SSL,SASLPLAIN:SASL_PLAINTEXT',
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'super.users': `User:ANONYMOUS;User:${MIRROR_USER.name}`,
      'listener.name.secure.sasl.enabled.mechanisms': 'SCRAM-SHA-512',
      'listener.name.secure.scram-sha-512.sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'listener.name.secure.ssl.keystore.type': 'PKCS12',
      'listener.name.secure.ssl.keystore.location': pki.server.keystoreP12,
      'listener.name.secure.ssl.keystore.password': pki.password,
      'listener.name.saslplain.sasl.enabled.mechanisms': 'SCRAM-SHA-256',
      'listener.name.saslplain.scram-sha-256.sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    },
  });
});
after(async () => {
  killAllMirrors();
  await cluster?.stop();
});

async function createTopic(bootstrap: string, topic: string, partitions: number): Promise<void> {
  const admin = kafka(bootstrap).admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: false, topics: [{ topic, numPartitions: partitions }] });
  } finally {
    await admin.disconnect();
  }
  await waitFor(`${topic} with leaders`, async () =>
    (await endOffsets(bootstrap, topic)).size === partitions ? true : undefined,
  );
}

async function produce(bootstrap: string, topic: string, tag: string, count: number): Promise<void> {
  const producer = kafka(bootstrap).producer({ idempotent: true });
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: count }, (_, i) => ({
        key: `k${i % 5}`,
        value: `${tag}-${i}`,
        headers: { seq: String(i) },
      })),
    });
  } finally {
    await producer.disconnect();
  }
}

/** Waits until `target` has as many records as `source`, then compares them partition by partition. */
async function assertReplicated(
  source: { bootstrap: string; topic: string },
  target: { bootstrap: string; topic: string },
): Promise<void> {
  const want = [...(await endOffsets(source.bootstrap, source.topic)).values()].reduce((a, b) => a + b, 0);
  assert.ok(want > 0, 'source has records');
  await waitFor(`${want} records in ${target.topic} on ${target.bootstrap}`, async () => {
    const e = await endOffsets(target.bootstrap, target.topic);
    return [...e.values()].reduce((a, b) => a + b, 0) >= want ? true : undefined;
  });
  const pick = (rs: ReadRecord[]): string[][] => rs.map((r) => [String(r.partition), r.key, r.value]);
  const [s, t] = await Promise.all([
    readAll(source.bootstrap, source.topic),
    readAll(target.bootstrap, target.topic),
  ]);
  assert.deepEqual(pick(t), pick(s), `${target.topic}: same records in the same partitions and order`);
  for (const r of t) assert.match(r.headers, /seq=\d+.*kgw\.origin\.cluster=/, 'headers and provenance');
}

/** The YAML form's keys for a one-node cluster and a quick test: replication factor 1, short intervals. */
const FAST_YAML = [
  'replication.factor: 1',
  'checkpoints.topic.replication.factor: 1',
  'heartbeats.topic.replication.factor: 1',
  'offset-syncs.topic.replication.factor: 1',
  'refresh.topics.interval.seconds: 1',
  'kgw.positions.commit.interval.ms: 200',
  'kgw.rest.port: 0',
];

/** mm2Properties' fast intervals with other clusters than east and west. */
function withClusters(extra: Record<string, string> & { clusters: string }): string {
  const aliases = extra.clusters.split(',').map((a) => a.trim());
  return mm2Properties(extra)
    .split('\n')
    .filter((l) => {
      const m = /^(\w+)\.bootstrap\.servers = /.exec(l);
      return m === null || aliases.includes(m[1]!);
    })
    .join('\n');
}

type ConnectorStatus = { connector: { state: string }; tasks: { state: string; trace?: string }[] };
async function status(mirror: MirrorProcess, name: string): Promise<ConnectorStatus> {
  const r = await mirror.rest('GET', `/connectors/${encodeURIComponent(name)}/status`);
  assert.equal(r.status, 200, `status of ${name}`);
  return r.body as ConnectorStatus;
}

describe('topic ACL sync (sync.topic.acls.enabled), StandardAuthorizer on both sides', () => {
  const topic = uniqueName('mt-acl');
  const other = uniqueName('mt-acl-other'); // not replicated: its ACLs must not travel
  const remote = `src.${topic}`;
  let mirror: MirrorProcess;

  const acl = (
    principal: string,
    operation: number,
    permissionType: number,
    opts: { topic?: string; host?: string; prefixed?: boolean } = {},
  ): AclEntry => ({
    resourceType: AclResourceTypes.TOPIC,
    resourceName: opts.topic ?? topic,
    resourcePatternType: opts.prefixed ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
    principal,
    host: opts.host ?? '*',
    operation,
    permissionType,
  });
  const { ALLOW, DENY } = AclPermissionTypes;
  const { READ, WRITE, ALL, DESCRIBE } = AclOperationTypes;
  const listed = (principal: string, operation: string, permissionType: string, host = '*'): ListedAcl => ({
    principal,
    host,
    operation,
    permissionType,
  });
  const sorted = (l: ListedAcl[]): ListedAcl[] =>
    [...l].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

  async function admin<T>(fn: (a: ReturnType<ReturnType<typeof kafka>['admin']>) => Promise<T>): Promise<T> {
    const a = kafka(PLAIN).admin();
    await a.connect();
    try {
      return await fn(a);
    } finally {
      await a.disconnect();
    }
  }

  before(async () => {
    await createTopic(PLAIN, topic, 2);
    await createTopic(PLAIN, other, 1);
    await produce(PLAIN, topic, 'acl', 20);
    await admin((a) =>
      a.createAcls({
        acl: [
          acl('User:alice', READ, ALLOW),
          acl('User:bob', WRITE, ALLOW), // dropped: only the mirror writes to a remote topic
          acl('User:carol', ALL, ALLOW), // becomes ALLOW READ
          acl('User:dave', WRITE, DENY), // DENY is copied as it is
          acl('User:erin', DESCRIBE, ALLOW, { host: '10.0.0.1' }),
          acl('User:frank', READ, ALLOW, { topic: topic.slice(0, 8), prefixed: true }), // not LITERAL
          acl('User:grace', READ, ALLOW, { topic: other }),
        ],
      }),
    );
    mirror = await startMirror(
      writeConfig(
        'acl.properties',
        withClusters({
          clusters: 'src, dst',
          'src.bootstrap.servers': PLAIN,
          'dst.bootstrap.servers': PLAIN,
          'src->dst.enabled': 'true',
          topics: topic,
          'sync.topic.acls.interval.seconds': '1',
          // One cluster plays both sides: no heartbeats (src.heartbeats would be mirrored onto itself).
          'emit.heartbeats.enabled': 'false',
          'heartbeats.replication.enabled': 'false',
          'emit.checkpoints.enabled': 'false',
        }),
      ),
    );
  });
  after(async () => {
    await mirror?.stop();
  });

  test('LITERAL topic ACLs copied; ALLOW WRITE dropped; ALLOW ALL becomes ALLOW READ', () =>
    explainedBy(
      () => mirror.output(),
      async () => {
        const expected = sorted([
          listed('User:alice', 'READ', 'ALLOW'),
          listed('User:carol', 'READ', 'ALLOW'),
          listed('User:dave', 'WRITE', 'DENY'),
          listed('User:erin', 'DESCRIBE', 'ALLOW', '10.0.0.1'),
        ]);
        const got = await waitFor(
          `ACLs on ${remote}`,
          async () => {
            const l = await topicAcls(PLAIN, remote);
            return l.length >= expected.length ? l : undefined;
          },
          45_000,
        );
        assert.deepEqual(got, expected, `ACLs of ${remote} (kafka-acls --list)`);
        assert.deepEqual(await topicAcls(PLAIN, `src.${other}`), [], 'ACLs of a topic not replicated stay');
        await assertReplicated({ bootstrap: PLAIN, topic }, { bootstrap: PLAIN, topic: remote });
      },
    ));

  test('ACLs added later are copied; ACLs removed on the source are never deleted on the target', () =>
    explainedBy(
      () => mirror.output(),
      async () => {
        await admin(async (a) => {
          await a.createAcls({ acl: [acl('User:heidi', READ, ALLOW)] });
          await a.deleteAcls({
            filters: [
              {
                resourceType: AclResourceTypes.TOPIC,
                resourceName: topic,
                resourcePatternType: ResourcePatternTypes.LITERAL,
                principal: 'User:alice',
                host: '*',
                operation: READ,
                permissionType: ALLOW,
              },
            ],
          });
        });
        assert.equal(
          (await topicAcls(PLAIN, topic)).some((a) => a.principal === 'User:alice'),
          false,
          'alice removed on the source',
        );
        // heidi arriving shows the sync ran after the removal.
        const got = await waitFor('heidi on the target', async () => {
          const l = await topicAcls(PLAIN, remote);
          return l.some((a) => a.principal === 'User:heidi') ? l : undefined;
        });
        assert.ok(
          got.some((a) => a.principal === 'User:alice' && a.operation === 'READ'),
          `alice's ACL still on the target: ${JSON.stringify(got)}`,
        );
      },
    ));
});

describe('mirror connections over SASL_SSL (SCRAM-SHA-512) and SASL_PLAINTEXT (SCRAM-SHA-256)', () => {
  const prefix = uniqueName('mt-sec');
  const fromEast = `${prefix}-e`;
  const fromSecure = `${prefix}-s`;
  const viaYaml = `${prefix}-y`;
  const CONNECTORS = ['MirrorSourceConnector', 'MirrorCheckpointConnector', 'MirrorHeartbeatConnector'];

  test('both directions between east and a SASL_SSL-only address, configured in mm2.properties', () => {
    let mirror: MirrorProcess | undefined;
    return explainedBy(
      () => mirror?.output() ?? '',
      async () => {
        await createTopic(EAST(), fromEast, 2);
        await createTopic(PLAIN, fromSecure, 2);
        await produce(EAST(), fromEast, 'east', 40);
        await produce(PLAIN, fromSecure, 'secure', 40);
        // An ACL to sync from secure to east, which has no authorizer.
        const admin = kafka(PLAIN).admin();
        await admin.connect();
        await admin.createAcls({
          acl: [
            {
              resourceType: AclResourceTypes.TOPIC,
              resourceName: fromSecure,
              resourcePatternType: ResourcePatternTypes.LITERAL,
              principal: 'User:alice',
              host: '*',
              operation: AclOperationTypes.READ,
              permissionType: AclPermissionTypes.ALLOW,
            },
          ],
        });
        await admin.disconnect();
        mirror = await startMirror(
          writeConfig(
            'sasl-ssl.properties',
            withClusters({
              clusters: 'east, secure',
              'secure.bootstrap.servers': SASL_SSL,
              'secure.security.protocol': 'SASL_SSL',
              'secure.sasl.mechanism': 'SCRAM-SHA-512',
              'secure.sasl.jaas.config': jaas(MIRROR_USER.password),
              'secure.ssl.truststore.location': caCert,
              'secure.ssl.truststore.type': 'PEM',
              'east->secure.enabled': 'true',
              'secure->east.enabled': 'true',
              topics: `${prefix}-.*`,
              'sync.topic.acls.interval.seconds': '1',
            }),
          ),
        );
        // east → secure: fetched over plaintext, produced over SASL_SSL; and the other way round.
        await assertReplicated(
          { bootstrap: EAST(), topic: fromEast },
          { bootstrap: PLAIN, topic: `east.${fromEast}` },
        );
        await assertReplicated(
          { bootstrap: PLAIN, topic: fromSecure },
          { bootstrap: EAST(), topic: `secure.${fromSecure}` },
        );
        // The internal topics the mirror keeps on the secure side were written over SASL_SSL too.
        const ends = async (t: string): Promise<number> =>
          [...(await endOffsets(PLAIN, t)).values()].reduce((a, b) => a + b, 0);
        await waitFor('heartbeats on the secure cluster', async () =>
          (await ends('heartbeats')) > 0 ? true : undefined,
        );
        assert.ok((await ends('kgw-mirror-offsets.east.internal')) > 0, 'positions stored on the target');
        for (const flow of ['east->secure', 'secure->east'])
          for (const c of CONNECTORS)
            assert.equal((await status(mirror, `${flow}.${c}`)).tasks[0]!.state, 'RUNNING', `${flow}.${c}`);
        // ACL sync where one side has no authorizer: one warning each, then off (sync interval 1 s).
        await new Promise((r) => setTimeout(r, 2500));
        const count = (re: RegExp): number =>
          mirror!
            .output()
            .split('\n')
            .filter((l) => re.test(l)).length;
        assert.equal(
          count(/"flow":"east->secure".*topic ACL sync off: the source cluster has no authorizer/),
          1,
        );
        assert.equal(
          count(/"flow":"secure->east".*topic ACL sync off: the target cluster has no authorizer/),
          1,
        );
        await mirror.stop();
      },
    );
  });

  test('SASL_PLAINTEXT in the YAML form; a wrong password fails the connectors with the cause', () => {
    let mirror: MirrorProcess | undefined;
    return explainedBy(
      () => mirror?.output() ?? '',
      async () => {
        await createTopic(EAST(), viaYaml, 1);
        await produce(EAST(), viaYaml, 'yaml', 25);
        const cluster = (password: string): string =>
          [
            `    bootstrap.servers: ${SASL_PLAIN}`,
            '    security.protocol: SASL_PLAINTEXT',
            '    sasl.mechanism: SCRAM-SHA-256',
            `    sasl.jaas.config: '${jaas(password)}'`,
          ].join('\n');
        const yaml = [
          'clusters:',
          `  east: { bootstrap.servers: "${EAST()}" }`,
          '  secure:',
          cluster(MIRROR_USER.password),
          '  wrong:',
          cluster('not-the-password'),
          'flows:',
          '  east->secure: { enabled: true }',
          '  east->wrong: { enabled: true }',
          `topics: [${viaYaml}]`,
          ...FAST_YAML,
          '',
        ].join('\n');
        mirror = await startMirror(writeConfig('sasl-plaintext.yaml', yaml));
        await assertReplicated(
          { bootstrap: EAST(), topic: viaYaml },
          { bootstrap: PLAIN, topic: `east.${viaYaml}` },
        );
        const m = mirror;
        for (const c of CONNECTORS) {
          const failed = await waitFor(`east->wrong.${c} FAILED`, async () => {
            const s = await status(m, `east->wrong.${c}`);
            return s.tasks[0]!.state === 'FAILED' ? s : undefined;
          });
          assert.match(
            failed.tasks[0]!.trace ?? '',
            /SASL|[Aa]uthentication/,
            `east->wrong.${c}: the trace names the authentication failure: ${failed.tasks[0]!.trace}`,
          );
        }
        assert.equal((await status(m, 'east->secure.MirrorSourceConnector')).tasks[0]!.state, 'RUNNING');
        await mirror.stop();
      },
    );
  });

  test("SASL_SSL in the YAML form's shared connection shape, both directions", () => {
    let mirror: MirrorProcess | undefined;
    const fromEastShaped = `${prefix}-ye`;
    const fromShaped = `${prefix}-ys`;
    return explainedBy(
      () => mirror?.output() ?? '',
      async () => {
        await createTopic(EAST(), fromEastShaped, 1);
        await createTopic(PLAIN, fromShaped, 1);
        await produce(EAST(), fromEastShaped, 'east', 20);
        await produce(PLAIN, fromShaped, 'shaped', 20);
        // A relative passwordFile: relative to the configuration file, as in every kgw YAML file.
        writeConfig('shaped-password', `${MIRROR_USER.password}\n`);
        const yaml = [
          'clusters:',
          `  east: { bootstrap: "${EAST()}" }`,
          '  shaped:',
          `    bootstrap: [${SASL_SSL}]`,
          `    tls: { ca: ${caCert} }`,
          `    sasl: { mechanism: SCRAM-SHA-512, username: ${MIRROR_USER.name}, passwordFile: shaped-password }`,
          'flows:',
          '  east->shaped: { enabled: true }',
          '  shaped->east: { enabled: true }',
          `topics: [${fromEastShaped}, ${fromShaped}]`,
          'sync.topic.acls.enabled: false',
          ...FAST_YAML,
          '',
        ].join('\n');
        mirror = await startMirror(writeConfig('shaped.yaml', yaml));
        // The shaped cluster's only address for the mirror is SASL_SSL: fetch, produce and admin use it.
        await assertReplicated(
          { bootstrap: EAST(), topic: fromEastShaped },
          { bootstrap: PLAIN, topic: `east.${fromEastShaped}` },
        );
        await assertReplicated(
          { bootstrap: PLAIN, topic: fromShaped },
          { bootstrap: EAST(), topic: `shaped.${fromShaped}` },
        );
        for (const flow of ['east->shaped', 'shaped->east'])
          assert.equal(
            (await status(mirror, `${flow}.MirrorSourceConnector`)).tasks[0]!.state,
            'RUNNING',
            flow,
          );
        await mirror.stop();
      },
    );
  });
});
