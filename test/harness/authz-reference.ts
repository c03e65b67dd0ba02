/**
 * Kafka's own StandardAuthorizer beside the gateway, for differential authorization tests. One
 * broker (KRaft, combined mode) runs StandardAuthorizer with two listeners: SASL_PLAINTEXT (PLAIN)
 * for the test principals directly, and PLAINTEXT for the gateway's upstream connections, whose
 * principal (ANONYMOUS) is a super user — to the gateway the broker has no authorization. The
 * same ACLs are created on the broker (Kafka's admin API) and in the gateway (CreateAcls through
 * the gateway), so both paths decide from one broker state and one rule set.
 *
 * Mutating tests keep the two paths' state apart and comparable by naming every resource with a
 * path suffix (`.via-d` direct, `.via-g` through the gateway), folded back before comparing.
 */
import kafkajs, { type Admin } from 'kafkajs';
import { ApiKey } from '../../protocol/index.js';
import { withRetries } from '../../client/retry.js';
import { ADMIN, kafkajsSecurity, startTestGateway, type TestGateway } from './gateway.js';
import { startPrivateCluster, type PrivateCluster } from './index.js';
import { rawClient, rawPlainClient, type RawClient } from './raw-sasl-plain.js';
import { buildRequest } from './request-builder.js';

const { Kafka, logLevel, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } =
  kafkajs;

export const USERS = { alice: 'alice-pw', bob: 'bob-pw' } as const;
export type User = keyof typeof USERS;

/**
 * The name variants each resource field takes; topics exist except ghost. `mixed` pairs an
 * allowed group and transactional id with a denied topic, so that the per-topic checks behind an
 * allowed group (offsets, share offsets, transactional commits) are exercised too.
 */
export const TOPICS = {
  ok: 'ok-t',
  prefixed: 'pre-t',
  denied: 'no-t',
  ghost: 'ghost-t',
  mixed: 'no-t',
} as const;
export const GROUPS = {
  ok: 'g-ok',
  prefixed: 'g-pre',
  denied: 'no-g',
  ghost: 'no-g2',
  mixed: 'g-ok',
} as const;
export const TXNS = { ok: 'ok-x', prefixed: 'pre-x', denied: 'no-x', ghost: 'no-x2', mixed: 'ok-x' } as const;
export type Variant = keyof typeof TOPICS;
export const VARIANTS = Object.keys(TOPICS) as Variant[];

/** The per-path copies of the resources, for requests that change state. */
export type PathTag = '' | '.via-d' | '.via-g';
export const PATHS = { direct: '.via-d', gateway: '.via-g' } as const;
export const withTag = (name: string, tag: PathTag): string => `${name}${tag}`;
/** Folds both paths' names onto one, for comparing what each path answered. */
export const foldTags = (s: string): string =>
  s.replaceAll('.via-d', '.via-*').replaceAll('.via-g', '.via-*');

const lit = ResourcePatternTypes.LITERAL;
const pre = ResourcePatternTypes.PREFIXED;
const { TOPIC, GROUP, TRANSACTIONAL_ID } = AclResourceTypes;
const { ALL, DESCRIBE, READ } = AclOperationTypes;

/**
 * alice: literal ALL on ok-t (and its path copies), prefixed DESCRIBE on pre-, wildcard group
 * READ, literal DESCRIBE on g-ok (ALL on its path copies), prefixed DESCRIBE on transactional ids
 * ok- (ALL on the path copies of ok-x); bob: nothing at all.
 */
export const ACLS = [
  ...['', ...Object.values(PATHS)].map((tag) => ({
    resourceType: TOPIC,
    resourceName: withTag(TOPICS.ok, tag as PathTag),
    resourcePatternType: lit,
    operation: ALL,
  })),
  { resourceType: TOPIC, resourceName: 'pre-', resourcePatternType: pre, operation: DESCRIBE },
  { resourceType: GROUP, resourceName: '*', resourcePatternType: lit, operation: READ },
  { resourceType: GROUP, resourceName: GROUPS.ok, resourcePatternType: lit, operation: DESCRIBE },
  ...Object.values(PATHS).map((tag) => ({
    resourceType: GROUP,
    resourceName: withTag(GROUPS.ok, tag),
    resourcePatternType: lit,
    operation: ALL,
  })),
  { resourceType: TRANSACTIONAL_ID, resourceName: 'ok-', resourcePatternType: pre, operation: DESCRIBE },
  ...Object.values(PATHS).map((tag) => ({
    resourceType: TRANSACTIONAL_ID,
    resourceName: withTag(TXNS.ok, tag),
    resourcePatternType: lit,
    operation: ALL,
  })),
].map((a) => ({ ...a, principal: 'User:alice', host: '*', permissionType: AclPermissionTypes.ALLOW }));

export interface Reference {
  cluster: PrivateCluster;
  gw: TestGateway;
  /** The broker's SASL_PLAINTEXT listener the principals use directly. */
  directAddress: string;
  /** A raw connection as `user`, directly or through the gateway. */
  connect(path: 'direct' | 'gateway', user: User): Promise<RawClient>;
  /** A raw connection as the broker's super user (its PLAINTEXT listener). */
  superUser(): Promise<RawClient>;
  /** Admin clients as the super user (direct) and as the gateway's ACL administrator. */
  admins(): Promise<{ direct: Admin; viaGateway: Admin; close(): Promise<void> }>;
  stop(): Promise<void>;
}

export interface ReferenceOptions {
  name: string;
  /** Broker ports: basePort (PLAINTEXT), +50 (SASL_PLAINTEXT), +100 (controller); 11000-11499. */
  basePort: number;
  securityTopic: string;
  /** Broker settings over the reference's own (e.g. auto-creation on, two-phase commit on). */
  brokerOverrides?: Record<string, string>;
}

/** Errors of a broker still loading its coordinators (COORDINATOR_LOAD_IN_PROGRESS, *_NOT_AVAILABLE, NOT_COORDINATOR). */
const NOT_READY = new Set([14, 15, 16]);
class NotReady extends Error {}

export async function startReference(o: ReferenceOptions): Promise<Reference> {
  const jaas = Object.entries(USERS)
    .map(([u, p]) => `user_${u}="${p}"`)
    .join(' ');
  const base = o.basePort;
  const directAddress = `127.0.0.1:${base + 50}`;
  const cluster = await startPrivateCluster(o.name, {
    nodes: 1,
    basePort: base,
    heapMb: 384,
    overrides: {
      listeners: `PLAINTEXT://127.0.0.1:${base},CONTROLLER://127.0.0.1:${base + 100},DIRECT://${directAddress}`,
      'advertised.listeners': `PLAINTEXT://127.0.0.1:${base},DIRECT://${directAddress}`,
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
      ...o.brokerOverrides,
    },
  });
  let gw: TestGateway | undefined;
  try {
    await coordinatorsReady(cluster.bootstrap);
    gw = await startTestGateway({
      upstream: cluster.bootstrap,
      tls: false,
      mechanisms: ['PLAIN', 'SCRAM-SHA-512'],
      users: Object.entries(USERS).map(([name, password]) => ({ name, password })),
      allowEveryoneIfNoAclFound: false,
      securityTopic: o.securityTopic,
    });
    const ref: Reference = {
      cluster,
      gw,
      directAddress,
      connect: (path, user) =>
        rawPlainClient(path === 'direct' ? directAddress : gw!.bootstrap, user, USERS[user]),
      superUser: () => rawClient(cluster.bootstrap),
      async admins() {
        const direct = new Kafka({ brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING }).admin();
        const viaGateway = new Kafka({
          brokers: [gw!.bootstrap],
          logLevel: logLevel.NOTHING,
          ...kafkajsSecurity(gw!, ADMIN),
        }).admin();
        await direct.connect();
        await viaGateway.connect();
        return {
          direct,
          viaGateway,
          close: async () => {
            await direct.disconnect();
            await viaGateway.disconnect();
          },
        };
      },
      stop: async () => {
        await gw?.close();
        await cluster.stop();
      },
    };
    const { direct, viaGateway, close } = await ref.admins();
    try {
      const names = [TOPICS.ok, TOPICS.prefixed, TOPICS.denied].flatMap((t) => [
        t,
        ...Object.values(PATHS).map((tag) => withTag(t, tag)),
      ]);
      await direct.createTopics({
        waitForLeaders: true,
        topics: names.map((topic) => ({ topic, numPartitions: 2 })),
      });
      await direct.createAcls({ acl: ACLS });
      await viaGateway.createAcls({ acl: ACLS });
      // Both authorizers apply ACLs asynchronously (the broker from its metadata log, the gateway
      // from its security topic): wait until each one lists all of them.
      for (const admin of [direct, viaGateway]) await aclsApplied(admin, ACLS.length);
    } finally {
      await close();
    }
    return ref;
  } catch (e) {
    await gw?.close();
    await cluster.stop();
    throw e;
  }
}

class AclsPending extends Error {}

async function aclsApplied(admin: Admin, count: number): Promise<void> {
  await withRetries({ retryForMs: 30_000, isRetriable: (e) => e instanceof AclsPending }, async () => {
    const r = await admin.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    const n = r.resources.reduce((sum, res) => sum + res.acls.length, 0);
    if (n < count) throw new AclsPending(`${n} of ${count} ACLs applied`);
  });
}

/**
 * Waits until the broker answers for groups and transactional ids: __consumer_offsets and
 * __transaction_state created (FindCoordinator creates them) and their coordinators loaded, so
 * that neither path sees a coordinator that is still starting (readiness noise, not authorization).
 */
async function coordinatorsReady(bootstrap: string): Promise<void> {
  const su = await rawClient(bootstrap);
  try {
    const ask = async (what: string, call: () => Promise<number[]>): Promise<void> =>
      withRetries({ retryForMs: 60_000, isRetriable: (e) => e instanceof NotReady }, async () => {
        const codes = await call();
        if (codes.some((c) => NOT_READY.has(c))) throw new NotReady(`${what}: ${codes.join(',')}`);
      });
    const groups = [GROUPS, TXNS].flatMap((n) =>
      Object.values(n).flatMap((g) => ['', ...Object.values(PATHS)].map((t) => withTag(g, t as PathTag))),
    );
    for (const keyType of [0, 1]) {
      await ask(`FindCoordinator ${keyType}`, async () => {
        const body = buildRequest(ApiKey.FindCoordinator, 4, (path) =>
          path === 'keyType' ? keyType : path === 'coordinatorKeys[]' ? groups : undefined,
        );
        const r = (await su.call(ApiKey.FindCoordinator, 4, body)) as {
          coordinators: { errorCode: number }[];
        };
        return r.coordinators.map((c) => c.errorCode);
      });
    }
    await ask('OffsetFetch', async () => {
      const body = buildRequest(ApiKey.OffsetFetch, 8, () => undefined) as {
        groups: { groupId: string; topics: null }[];
      };
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
