/**
 * Differential conformance against Kafka's own StandardAuthorizer. One broker (KRaft, combined
 * mode) runs StandardAuthorizer with two listeners: SASL_PLAINTEXT (PLAIN) for the test
 * principals directly, and PLAINTEXT for the gateway's upstream connections, whose principal
 * (ANONYMOUS) is a super user — to the gateway the broker has no authorization. The same ACLs are
 * created on the broker (Kafka's admin API) and in the gateway (CreateAcls through the gateway).
 * Requests built from the generated message definitions, with every resource field set to an
 * allowed, prefixed-allowed, denied and non-existent name (and topic id), are sent as each
 * principal to both paths, every version both offer; the answers are compared field by field after
 * normalising what legitimately differs (throttle times, broker addresses, session ids).
 *
 * The side-effect-free APIs run in CI; KGW_CONFORMANCE_FULL=1 is reserved for a larger corpus.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { ApiKey, apiKeyInfo, type SchemaField } from '../../../protocol/index.js';
import { RULES } from '../../../gateway/authz/index.js';
import { startPrivateCluster, type PrivateCluster } from '../../harness/index.js';
import { ADMIN, kafkajsSecurity, startTestGateway, type TestGateway } from '../../harness/gateway.js';
import { buildRequest } from '../../harness/request-builder.js';
import { rawClient, rawPlainClient, type RawClient } from '../../harness/raw-sasl-plain.js';
import { withRetries } from '../../../protocol/client/retry.js';

const { Kafka, logLevel, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } =
  kafkajs;
const USERS = { alice: 'alice-pw', bob: 'bob-pw' } as const;
const base = 11100;
const directPort = base + 50;
const securityTopic = '__kgw_security_conformance';

let cluster: PrivateCluster;
let gw: TestGateway;

/** The name variants each resource field takes; topics exist except ghost. */
const TOPICS = { ok: 'ok-t', prefixed: 'pre-t', denied: 'no-t', ghost: 'ghost-t' } as const;
const GROUPS = { ok: 'g-ok', prefixed: 'g-pre', denied: 'no-g', ghost: 'no-g2' } as const;
const TXNS = { ok: 'ok-x', prefixed: 'pre-x', denied: 'no-x', ghost: 'no-x2' } as const;
type Variant = keyof typeof TOPICS;

/** Side-effect-free APIs (or made so: validateOnly), so both paths see the same broker state. */
const CORPUS_APIS = [
  ApiKey.Metadata,
  ApiKey.ListOffsets,
  ApiKey.OffsetFetch,
  ApiKey.FindCoordinator,
  ApiKey.DescribeGroups,
  ApiKey.ListGroups,
  ApiKey.CreateTopics,
  ApiKey.DescribeConfigs,
  ApiKey.OffsetForLeaderEpoch,
  ApiKey.DescribeLogDirs,
  ApiKey.ListPartitionReassignments,
  ApiKey.DescribeClientQuotas,
  ApiKey.DescribeQuorum,
  ApiKey.DescribeCluster,
  ApiKey.DescribeProducers,
  ApiKey.DescribeTransactions,
  ApiKey.ListTransactions,
  ApiKey.ConsumerGroupDescribe,
  ApiKey.DescribeTopicPartitions,
  ApiKey.ShareGroupDescribe,
  ApiKey.StreamsGroupDescribe,
  ApiKey.DescribeShareGroupOffsets,
  ApiKey.Fetch,
];

before(async () => {
  const jaas = Object.entries(USERS)
    .map(([u, p]) => `user_${u}="${p}"`)
    .join(' ');
  cluster = await startPrivateCluster('authz-ref', {
    nodes: 1,
    basePort: base,
    heapMb: 384,
    overrides: {
      listeners: `PLAINTEXT://127.0.0.1:${base},CONTROLLER://127.0.0.1:${base + 100},DIRECT://127.0.0.1:${directPort}`,
      'advertised.listeners': `PLAINTEXT://127.0.0.1:${base},DIRECT://127.0.0.1:${directPort}`,
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,DIRECT:SASL_PLAINTEXT',
      'sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.direct.plain.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required ${jaas};`,
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'super.users': 'User:ANONYMOUS',
      'allow.everyone.if.no.acl.found': 'false',
      'auto.create.topics.enable': 'false',
      // One partition per coordinator topic: less to load before the broker answers for groups.
      'offsets.topic.num.partitions': '1',
      'transaction.state.log.num.partitions': '1',
      'transaction.state.log.min.isr': '1',
    },
  });
  await coordinatorsReady(cluster.bootstrap);
  gw = await startTestGateway({
    upstream: cluster.bootstrap,
    tls: false,
    mechanisms: ['PLAIN', 'SCRAM-SHA-512'],
    users: Object.entries(USERS).map(([name, password]) => ({ name, password })),
    allowEveryoneIfNoAclFound: false,
    securityTopic,
  });
  const direct = new Kafka({ brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING }).admin();
  const viaGateway = new Kafka({
    brokers: [gw.bootstrap],
    logLevel: logLevel.NOTHING,
    ...kafkajsSecurity(gw, ADMIN),
  }).admin();
  await direct.connect();
  await viaGateway.connect();
  try {
    await direct.createTopics({
      waitForLeaders: true,
      topics: [TOPICS.ok, TOPICS.prefixed, TOPICS.denied].map((topic) => ({ topic, numPartitions: 2 })),
    });
    const acl = ACLS.map((a) => ({ ...a, host: '*', permissionType: AclPermissionTypes.ALLOW }));
    await direct.createAcls({ acl });
    await viaGateway.createAcls({ acl });
  } finally {
    await direct.disconnect();
    await viaGateway.disconnect();
  }
});
/** Errors of a broker still loading its coordinators (COORDINATOR_LOAD_IN_PROGRESS, *_NOT_AVAILABLE, NOT_COORDINATOR). */
const NOT_READY = new Set([14, 15, 16]);

/**
 * Waits until the broker answers for groups and transactional ids: __consumer_offsets and
 * __transaction_state created (FindCoordinator creates them) and their coordinators loaded, so
 * that neither path sees a coordinator that is still starting (readiness noise, not authorization).
 */
async function coordinatorsReady(bootstrap: string): Promise<void> {
  const su = await rawClient(bootstrap);
  try {
    const ask = async (what: string, call: () => Promise<number[]>): Promise<void> =>
      withRetries(
        60_000,
        (e) => e instanceof NotReady,
        async () => {
          const codes = await call();
          if (codes.some((c) => NOT_READY.has(c))) throw new NotReady(`${what}: ${codes.join(',')}`);
        },
      );
    for (const [keyType, keys] of [
      [0, Object.values(GROUPS)],
      [1, Object.values(TXNS)],
    ] as const) {
      await ask(`FindCoordinator ${keyType}`, async () => {
        const body = buildRequest(ApiKey.FindCoordinator, 4, (path) =>
          path === 'keyType' ? keyType : path === 'coordinatorKeys[]' ? keys : undefined,
        );
        const r = (await su.call(ApiKey.FindCoordinator, 4, body)) as {
          coordinators: { errorCode: number }[];
        };
        return r.coordinators.map((c) => c.errorCode);
      });
    }
    await ask('OffsetFetch', async () => {
      const body = buildRequest(ApiKey.OffsetFetch, 8, (path) =>
        path === 'groups[].groupId' ? Object.values(GROUPS)[0] : undefined,
      ) as { groups: { groupId: string; topics: null }[] };
      body.groups = Object.values(GROUPS).map((groupId) => ({ groupId, topics: null }));
      const r = (await su.call(ApiKey.OffsetFetch, 8, body)) as { groups: { errorCode: number }[] };
      return r.groups.map((g) => g.errorCode);
    });
    await ask('DescribeTransactions', async () => {
      const body = buildRequest(ApiKey.DescribeTransactions, 0, (path) =>
        path === 'transactionalIds[]' ? Object.values(TXNS) : undefined,
      );
      const r = (await su.call(ApiKey.DescribeTransactions, 0, body)) as {
        transactionStates: { errorCode: number }[];
      };
      return r.transactionStates.map((t) => t.errorCode);
    });
  } finally {
    su.close();
  }
}

class NotReady extends Error {}

after(async () => {
  await gw?.close();
  await cluster?.stop();
});

const lit = ResourcePatternTypes.LITERAL;
const pre = ResourcePatternTypes.PREFIXED;
/** alice: literal ALL, prefixed DESCRIBE, wildcard group READ; bob: nothing at all. */
const ACLS = [
  {
    resourceType: AclResourceTypes.TOPIC,
    resourceName: TOPICS.ok,
    resourcePatternType: lit,
    operation: AclOperationTypes.ALL,
  },
  {
    resourceType: AclResourceTypes.TOPIC,
    resourceName: 'pre-',
    resourcePatternType: pre,
    operation: AclOperationTypes.DESCRIBE,
  },
  {
    resourceType: AclResourceTypes.GROUP,
    resourceName: '*',
    resourcePatternType: lit,
    operation: AclOperationTypes.READ,
  },
  {
    resourceType: AclResourceTypes.GROUP,
    resourceName: GROUPS.ok,
    resourcePatternType: lit,
    operation: AclOperationTypes.DESCRIBE,
  },
  {
    resourceType: AclResourceTypes.TRANSACTIONAL_ID,
    resourceName: 'ok-',
    resourcePatternType: pre,
    operation: AclOperationTypes.DESCRIBE,
  },
].map((a) => ({ ...a, principal: 'User:alice' }));

function valueFor(variant: Variant, ids: Map<string, string>) {
  return (path: string, f: SchemaField): unknown => {
    if (path === 'replicaId' || path === 'replicaState.replicaId') return -1;
    if (path === 'allowAutoTopicCreation') return false;
    if (path === 'validateOnly') return true;
    if (path.endsWith('resourceType')) return 2;
    if (path.endsWith('numPartitions') || path.endsWith('replicationFactor')) return 1;
    if (path.endsWith('responsePartitionLimit')) return 2000;
    if (path.endsWith('partitionMaxBytes') || path === 'maxBytes') return 1 << 20;
    if (f.entityType === 'topicName' || path.endsWith('resourceName')) return TOPICS[variant];
    if (f.type === 'uuid' && /topicId$/i.test(f.name)) return ids.get(TOPICS[variant]) ?? ids.get('ghost');
    if (f.entityType === 'groupId' || path === 'key' || path === 'coordinatorKeys[]') return GROUPS[variant];
    if (f.entityType === 'transactionalId') return TXNS[variant];
    return undefined;
  };
}

const VOLATILE = new Set(['throttleTimeMs', 'host', 'port', 'unknownTaggedFields', 'rack']);

/**
 * AuthHelper.authorizeClusterOperation's message prints the broker's internal request object
 * (connection id with the client's ephemeral port, buffer positions, object hash codes): only
 * the text around it is compared.
 */
const CLUSTER_OPERATION_MESSAGE = /^Request Request\(.*\) needs (\w+) permission\.$/s;

/** Answers with what legitimately differs between the paths taken out. */
function normalise(x: unknown): unknown {
  if (typeof x === 'string')
    return x.replace(CLUSTER_OPERATION_MESSAGE, 'Request <request> needs $1 permission.');
  if (Array.isArray(x)) {
    return x
      .filter((e) => !(e && typeof e === 'object' && Object.values(e).includes(securityTopic)))
      .map(normalise);
  }
  if (Buffer.isBuffer(x)) return x.toString('hex');
  if (typeof x === 'bigint') return x.toString();
  if (x && typeof x === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) {
      if (VOLATILE.has(k)) continue;
      out[k] = k === 'sessionId' ? (v === 0 ? 0 : 'issued') : normalise(v);
    }
    return out;
  }
  return x;
}

function differences(a: unknown, b: unknown, path: string, out: string[]): void {
  if (out.length > 20) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${path}: ${a.length} entries direct, ${b.length} via gateway`);
    for (let i = 0; i < Math.min(a.length, b.length); i++) differences(a[i], b[i], `${path}[${i}]`, out);
    return;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)]))
      differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, out);
    return;
  }
  if (a !== b) out.push(`${path}: direct ${JSON.stringify(a)}, via gateway ${JSON.stringify(b)}`);
}

describe('authorization conformance with Kafka StandardAuthorizer', () => {
  it(
    'every corpus API and version, as each principal, with each name variant: the same answer',
    { timeout: 600_000 },
    async () => {
      const ids = new Map<string, string>([['ghost', randomUUID().replace(/-/g, '').slice(0, 22)]]);
      // Every topic's id as the super user sees it: a denied topic is named by its real id too.
      const su = await rawClient(cluster.bootstrap);
      const all = { ...buildRequest(ApiKey.Metadata, 12, () => undefined), topics: null };
      const md = (await su.call(ApiKey.Metadata, 12, all)) as { topics: { name: string; topicId: string }[] };
      su.close();
      for (const t of md.topics) ids.set(t.name, t.topicId);
      const diffs: string[] = [];
      let compared = 0;
      for (const [user, password] of Object.entries(USERS)) {
        let direct: RawClient = await rawPlainClient(`127.0.0.1:${directPort}`, user, password);
        let viaGw: RawClient = await rawPlainClient(gw.bootstrap, user, password);
        const brokerVersions = (await direct.call(ApiKey.ApiVersions, 0, {})) as {
          apiKeys: { apiKey: number; minVersion: number; maxVersion: number }[];
        };
        for (const apiKey of CORPUS_APIS) {
          const b = brokerVersions.apiKeys.find((a) => a.apiKey === apiKey);
          const rule = RULES.get(apiKey)!;
          if (!b) continue;
          for (
            let v = Math.max(b.minVersion, rule.versions[0]);
            v <= Math.min(b.maxVersion, rule.versions[1]);
            v++
          ) {
            for (const variant of Object.keys(TOPICS) as Variant[]) {
              const body = buildRequest(apiKey, v, valueFor(variant, ids));
              const [d, g] = [await direct.call(apiKey, v, body), await viaGw.call(apiKey, v, body)];
              compared++;
              const found: string[] = [];
              differences(normalise(d), normalise(g), '', found);
              for (const f of found) diffs.push(`${user} ${apiKeyInfo(apiKey)!.name} v${v} ${variant}${f}`);
              if (found.length > 0 && process.env.KGW_CONFORMANCE_DUMP === apiKeyInfo(apiKey)!.name)
                console.log(`dump ${user} v${v} ${variant}`, JSON.stringify([normalise(d), normalise(g)]));
              // A closed connection is a difference (or Kafka's own answer): carry on with a new one.
              if (d === 'closed') direct = await rawPlainClient(`127.0.0.1:${directPort}`, user, password);
              if (g === 'closed') viaGw = await rawPlainClient(gw.bootstrap, user, password);
            }
          }
        }
        direct.close();
        viaGw.close();
      }
      console.log(`conformance: ${compared} request pairs compared, ${diffs.length} differences`);
      for (const d of diffs) console.log(`difference: ${d}`);
      assert.ok(compared > 500, `only ${compared} request pairs compared`);
      assert.deepEqual(diffs, [], `${diffs.length} differences from Kafka's answers`);
    },
  );
});
