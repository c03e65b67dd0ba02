/**
 * Attacks found by reading Kafka 4.3's KafkaApis beside the gateway's rule table (issue #12's
 * second review), each sent as the same request on both paths of the conformance reference
 * (test/harness/authz-reference.ts): directly to the broker running StandardAuthorizer, and
 * through the gateway in front of it. Kafka's answer is the reference; the test also checks the
 * side effect the attack is after (a topic the caller may not create, a producer id it may not
 * have), so that a gateway which only answered like Kafka but let the broker act would fail.
 *
 * The broker here creates topics on Metadata (auto.create.topics.enable, Kafka's default, which
 * the conformance reference switches off) and accepts two-phase-commit producers (KIP-939, with
 * InitProducerId v6, which Kafka 4.3 still marks unstable).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { ApiKey, apiKeyInfo } from '../../../protocol/index.js';
import { differences, normaliser } from '../../harness/answer-diff.js';
import { PATHS, TOPICS, startReference, type Reference } from '../../harness/authz-reference.js';
import { eventually } from '../../harness/eventually.js';
import { buildRequest } from '../../harness/request-builder.js';
import { ADMIN } from '../../harness/gateway.js';
import { rawPlainClient, type RawClient } from '../../harness/raw-sasl-plain.js';

const { AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = kafkajs;
const securityTopic = '__kgw_security_redteam';
let ref: Reference;

/** alice may WRITE transactional ids rt-… (prefixed) but has no TWO_PHASE_COMMIT on them. */
const EXTRA_ACLS = [
  {
    resourceType: AclResourceTypes.TRANSACTIONAL_ID,
    resourceName: 'rt-',
    resourcePatternType: ResourcePatternTypes.PREFIXED,
    principal: 'User:alice',
    host: '*',
    operation: AclOperationTypes.WRITE,
    permissionType: AclPermissionTypes.ALLOW,
  },
];

before(async () => {
  ref = await startReference({
    name: 'authz-redteam',
    basePort: 17100,
    securityTopic,
    brokerOverrides: {
      'auto.create.topics.enable': 'true',
      'transaction.two.phase.commit.enable': 'true',
      // InitProducerId v6 (KIP-939) is still marked unstable in Kafka 4.3; the gateway offers it.
      'unstable.api.versions.enable': 'true',
    },
  });
  const { direct, viaGateway, close } = await ref.admins();
  try {
    await direct.createAcls({ acl: EXTRA_ACLS });
    await viaGateway.createAcls({ acl: EXTRA_ACLS });
    for (const admin of [direct, viaGateway])
      await eventually('the extra ACLs applied', async () => {
        const r = await admin.describeAcls({
          resourceType: AclResourceTypes.TRANSACTIONAL_ID,
          resourceName: 'rt-',
          resourcePatternType: ResourcePatternTypes.PREFIXED,
          operation: AclOperationTypes.ANY,
          permissionType: AclPermissionTypes.ANY,
        });
        return r.resources.length > 0;
      });
  } finally {
    await close();
  }
});
after(async () => {
  await ref?.stop();
});

const show = (x: unknown): string =>
  JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));

async function topicIds(): Promise<Map<string, string>> {
  const su = await ref.superUser();
  try {
    const all = { ...buildRequest(ApiKey.Metadata, 12, () => undefined), topics: null };
    const md = (await su.call(ApiKey.Metadata, 12, all)) as { topics: { name: string; topicId: string }[] };
    return new Map(md.topics.map((t) => [t.name, t.topicId]));
  } finally {
    su.close();
  }
}

/** Both paths' answers to one request each (built per path), and their differences after normalising. */
async function bothPaths(
  apiKey: number,
  version: number,
  body: (path: 'direct' | 'gateway') => Record<string, unknown>,
): Promise<{ direct: unknown; gateway: unknown; diffs: string[] }> {
  const d: RawClient = await ref.connect('direct', 'alice');
  const g: RawClient = await ref.connect('gateway', 'alice');
  try {
    const direct = await d.call(apiKey, version, body('direct'));
    const gateway = await g.call(apiKey, version, body('gateway'));
    const ids = await topicIds();
    const normalise = normaliser({
      hiddenTopic: securityTopic,
      topicNames: new Map([...ids].map(([name, id]) => [id, name])),
    });
    return { direct, gateway, diffs: differences(normalise(direct), normalise(gateway)) };
  } finally {
    d.close();
    g.close();
  }
}

describe('red team: attacks beyond the conformance corpus, Kafka as the reference', () => {
  it(
    'InitProducerId v6 with enable2Pc needs TWO_PHASE_COMMIT on the transactional id, not only WRITE (KIP-939)',
    { timeout: 120_000 },
    async () => {
      const ask = (enable2Pc: boolean) => (path: 'direct' | 'gateway') => ({
        ...buildRequest(ApiKey.InitProducerId, 6, () => undefined),
        transactionalId: `rt-x${enable2Pc ? '-2pc' : ''}${PATHS[path]}`,
        transactionTimeoutMs: 60_000,
        producerId: -1n,
        producerEpoch: -1,
        enable2Pc,
        keepPreparedTxn: false,
      });
      // Control: WRITE is enough for an ordinary transactional producer, on both paths.
      const plain = await bothPaths(ApiKey.InitProducerId, 6, ask(false));
      assert.equal((plain.direct as { errorCode: number }).errorCode, 0, show(plain.direct));
      assert.deepEqual(plain.diffs, []);
      // The attack: a two-phase-commit producer id (transactions that outlive their timeout).
      const twoPc = await bothPaths(ApiKey.InitProducerId, 6, ask(true));
      assert.equal((twoPc.direct as { errorCode: number }).errorCode, 53, 'Kafka refuses it');
      assert.deepEqual(twoPc.diffs, [], 'the gateway answers as Kafka');
      assert.equal((twoPc.gateway as { producerId: bigint }).producerId, -1n, 'no producer id issued');
    },
  );

  for (const version of [0, 1, 2, 3, 4]) {
    it(
      `Metadata v${version} naming a missing topic the caller may DESCRIBE but not CREATE creates nothing`,
      { timeout: 120_000 },
      async () => {
        // alice may DESCRIBE pre-… (prefixed) but holds no CREATE: Kafka refuses to create it.
        const base = `pre-auto-v${version}-${randomUUID().slice(0, 8)}`;
        const names = { direct: `${base}${PATHS.direct}`, gateway: `${base}${PATHS.gateway}` };
        const r = await bothPaths(ApiKey.Metadata, version, (path) => ({
          ...buildRequest(ApiKey.Metadata, version, () => undefined),
          topics: [{ name: names[path], topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }],
          allowAutoTopicCreation: true,
        }));
        const topic = (x: unknown) => (x as { topics: { name: string; errorCode: number }[] }).topics;
        assert.equal(topic(r.direct)[0]?.errorCode, 29, `Kafka: ${show(topic(r.direct))}`);
        assert.deepEqual(r.diffs, []);
        // The broker's auto-creation is asynchronous (AutoTopicCreationManager answers
        // UNKNOWN_TOPIC_OR_PARTITION and asks the controller), so the topic is looked for a while.
        const created = await eventually(
          'a topic created',
          async () => {
            const ids = await topicIds();
            return ids.has(names.gateway) || ids.has(names.direct) ? [...ids.keys()] : undefined;
          },
          8_000,
          500,
        ).catch(() => undefined);
        assert.equal(
          created?.filter((n) => n.startsWith(base)),
          undefined,
          'the broker created a topic the caller may not CREATE',
        );
      },
    );
  }

  for (const version of [12, 13]) {
    it(
      `Metadata v${version} mixing an allowed topic id with a denied topic name shows only what Kafka shows`,
      { timeout: 120_000 },
      async () => {
        // The gateway authorizes the ids only (Kafka's id mode ignores names) and forwards the
        // request unchanged when they are allowed: the broker must not answer for the name.
        const ok = (await topicIds()).get(TOPICS.ok);
        assert.ok(ok, 'ok-t has an id');
        const r = await bothPaths(ApiKey.Metadata, version, () => ({
          ...buildRequest(ApiKey.Metadata, version, () => undefined),
          topics: [
            { name: null, topicId: ok },
            { name: TOPICS.denied, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' },
          ],
          allowAutoTopicCreation: false,
        }));
        assert.deepEqual(r.diffs, [], show(r.gateway));
        const names = (r.gateway as { topics: { name: string | null }[] }).topics.map((t) => t.name);
        assert.equal(names.includes(TOPICS.denied), false, show(r.gateway));
      },
    );
  }

  // Config resources of a type Kafka does not know (0 UNKNOWN, 1, 64), alone and beside a denied
  // topic: Kafka refuses the whole request (its authorization throws InvalidRequestException).
  const CONFIG_APIS = [
    { apiKey: ApiKey.DescribeConfigs, version: 4, configs: { configurationKeys: null } },
    { apiKey: ApiKey.AlterConfigs, version: 2, configs: { configs: [] } },
    { apiKey: ApiKey.IncrementalAlterConfigs, version: 1, configs: { configs: [] } },
  ];
  for (const api of CONFIG_APIS) {
    for (const type of [0, 1, 64]) {
      it(
        `${apiKeyInfo(api.apiKey)!.name} v${api.version} with config resource type ${type}: Kafka's answer`,
        { timeout: 120_000 },
        async () => {
          for (const resources of [
            [{ resourceType: type, resourceName: TOPICS.ok }],
            [
              { resourceType: 2, resourceName: TOPICS.denied },
              { resourceType: type, resourceName: TOPICS.ok },
            ],
            [
              { resourceType: type, resourceName: TOPICS.ok },
              { resourceType: 2, resourceName: TOPICS.ok },
            ],
          ]) {
            const r = await bothPaths(api.apiKey, api.version, () => ({
              ...buildRequest(api.apiKey, api.version, () => undefined),
              resources: resources.map((x) => ({ ...x, ...api.configs })),
              validateOnly: true,
            }));
            if (process.env.KGW_REDTEAM_DUMP) console.log(show(r.direct));
            assert.deepEqual(r.diffs, [], `${show(r.direct)}\n${show(r.gateway)}`);
          }
        },
      );
    }
  }

  // The corpus sends FindCoordinator with key type 0 only: transactional (1), share-state (2) and
  // unknown (3) keys, allowed and denied, every version.
  for (const keyType of [1, 2, 3]) {
    it(`FindCoordinator key type ${keyType}, v0-6: Kafka's answer`, { timeout: 120_000 }, async () => {
      const diffs: string[] = [];
      for (let version = 0; version <= 6; version++) {
        if (keyType > 0 && version === 0) continue; // v0 has no key type
        for (const key of ['ok-x', 'no-x', 'g-ok']) {
          const r = await bothPaths(ApiKey.FindCoordinator, version, () => ({
            ...buildRequest(ApiKey.FindCoordinator, version, () => undefined),
            keyType,
            ...(version < 4 ? { key } : { coordinatorKeys: [key] }),
          }));
          if (process.env.KGW_REDTEAM_DUMP) console.log(version, key, show(r.direct), show(r.gateway));
          diffs.push(...r.diffs.map((d) => `v${version} ${key}${d}`));
        }
      }
      assert.deepEqual(diffs, []);
    });
  }

  it(
    "DescribeLogDirs through the gateway does not list the gateway's reserved (security) topic",
    { timeout: 120_000 },
    async () => {
      const body = { ...buildRequest(ApiKey.DescribeLogDirs, 4, () => undefined), topics: null };
      const listed = (x: unknown) =>
        (x as { results: { topics: { name: string }[] }[] }).results.flatMap((d) =>
          d.topics.map((t) => t.name),
        );
      // Control: the broker lists it to its own super user, so the check below can fail.
      const su = await ref.superUser();
      const direct = await su.call(ApiKey.DescribeLogDirs, 4, body);
      su.close();
      assert.ok(listed(direct).includes(securityTopic), show(direct));
      const admin = await rawPlainClient(ref.gw.bootstrap, ADMIN.name, ADMIN.password);
      const viaGw = await admin.call(ApiKey.DescribeLogDirs, 4, body);
      admin.close();
      assert.ok(listed(viaGw).includes(TOPICS.ok), show(viaGw));
      assert.equal(listed(viaGw).includes(securityTopic), false);
    },
  );

  it(
    'StreamsGroupDescribe hides the topology and members of a group whose topology names a topic the caller may not DESCRIBE',
    { timeout: 180_000 },
    async () => {
      const groupId = `rt-streams-${randomUUID().slice(0, 8)}`;
      const su = await ref.superUser();
      try {
        // A streams application (here the super user) whose topology reads no-t, which alice
        // may not DESCRIBE; alice may DESCRIBE every group (READ on *).
        const hb = {
          ...buildRequest(ApiKey.StreamsGroupHeartbeat, 0, () => undefined),
          groupId,
          memberId: randomUUID(),
          memberEpoch: 0,
          rebalanceTimeoutMs: 30_000,
          processId: randomUUID(),
          activeTasks: [],
          standbyTasks: [],
          warmupTasks: [],
          clientTags: [],
          userEndpoint: null,
          taskOffsets: null,
          taskEndOffsets: null,
          topology: {
            epoch: 1,
            subtopologies: [
              {
                subtopologyId: '0',
                sourceTopics: [TOPICS.denied],
                sourceTopicRegex: [],
                stateChangelogTopics: [],
                repartitionSinkTopics: [],
                repartitionSourceTopics: [],
                copartitionGroups: [],
              },
            ],
          },
        };
        const joined = (await su.call(ApiKey.StreamsGroupHeartbeat, 0, hb)) as { errorCode: number };
        assert.equal(joined.errorCode, 0, `the streams group is set up: ${show(joined)}`);
      } finally {
        su.close();
      }
      const r = await eventually('the group described', async () => {
        const x = await bothPaths(ApiKey.StreamsGroupDescribe, 0, () => ({
          groupIds: [groupId],
          includeAuthorizedOperations: false,
        }));
        const code = (x.direct as { groups: { errorCode: number }[] }).groups[0]?.errorCode;
        return code === 29 ? x : undefined;
      });
      assert.deepEqual(r.diffs, [], show(r.gateway));
      const g = (r.gateway as { groups: { topology: unknown; members: unknown[] }[] }).groups[0]!;
      assert.equal(g.topology, null, 'no topology shown');
      assert.deepEqual(g.members, []);
    },
  );
});
