/**
 * What an authenticated low-privilege user can learn beyond its grants: internal topics, broker
 * addresses that are not the endpoint's own (a gateway that passes the real brokers' addresses
 * through lets clients go around it), topics and groups nobody granted it, and groups listed that
 * it may not describe.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { AuditIncomplete } from '../context.js';
import { budgetOf } from '../budget.js';
import { isIP } from 'node:net';
import { ApiKey } from '../../protocol/generated/api-keys.js';
import { ZERO_UUID } from '../../protocol/runtime/reader.js';
import { defaultListGroupsRequest } from '../../protocol/generated/messages.js';
import type { AuditConnection } from '../connection.js';
import type { CheckContext } from '../context.js';
import { describeByName, probeTls, viewThrough } from '../discovery.js';
import { findGroupCoordinatorBody } from '../kafka-ops.js';
import { formatAddress, type Address } from '../net.js';
import { fail, pass, type Check } from '../types.js';

const isInternalName = (name: string, internal: boolean): boolean => internal || name.startsWith('__');

export const leaksInternalTopics: Check = {
  id: 'leaks.internal-topics',
  family: 'leaks',
  title: 'The user cannot see internal topics',
  requires: ['user'],
  timeoutMs: 10_000,
  budget: budgetOf(0, 0),
  async run(ctx) {
    const view = ctx.views.user!;
    const internal = [...view.topics.values()]
      .filter((t) => isInternalName(t.name, t.internal))
      .map((t) => t.name);
    if (internal.length === 0)
      return pass(`${view.principal} sees ${view.topics.size} topics, none internal`);
    return fail(
      `${view.principal} can see internal topics: ${internal.join(', ')}`,
      "Grant no DESCRIBE on internal topics (__consumer_offsets, __transaction_state, the gateway's __kgw_security …) to ordinary users; check for wildcard ACLs, allow.everyone.if.no.acl.found (kgw gateway: authorization.allowEveryoneIfNoAclFound) or a missing authorizer.",
      [`visible: ${[...view.topics.keys()].slice(0, 30).join(', ')}${view.topics.size > 30 ? ', …' : ''}`],
    );
  },
};

/** Same host, or DNS names under the same parent domain (SNI addressing: bootstrap.x / broker-1.x). */
export function sameEndpoint(bootstrap: string, host: string): boolean {
  const a = bootstrap.toLowerCase();
  const b = host.toLowerCase();
  if (a === b) return true;
  if (isIP(a) || isIP(b)) return false;
  const parent = (h: string): string => h.split('.').slice(1).join('.');
  return parent(a).includes('.') && parent(a) === parent(b);
}

const MAX_ADDRESSES = 16;

async function advertisedAddresses(
  ctx: CheckContext,
  conn: AuditConnection,
): Promise<Map<string, { address: Address; where: string }>> {
  const found = new Map<string, { address: Address; where: string }>();
  const add = (host: string, port: number, where: string): void => {
    const key = formatAddress({ host, port });
    if (!found.has(key)) found.set(key, { address: { host, port }, where });
  };
  for (const b of ctx.views.user!.brokers) add(b.host, b.port, `Metadata (node ${b.nodeId})`);
  if (conn.offers(ApiKey.DescribeCluster)) {
    const r = await conn.attempt(ApiKey.DescribeCluster, conn.version(ApiKey.DescribeCluster, 0, 2), {
      includeClusterAuthorizedOperations: false,
      endpointType: 1,
      includeFencedBrokers: false,
    });
    if (r.answered)
      for (const b of r.body.brokers) add(b.host, b.port, `DescribeCluster (node ${b.brokerId})`);
  }
  const v = conn.version(ApiKey.FindCoordinator, 1, 6);
  const fc = await conn.attempt(ApiKey.FindCoordinator, v, findGroupCoordinatorBody(v, 'kgw-audit-probe'));
  if (fc.answered) {
    const c = v >= 4 ? fc.body.coordinators[0] : fc.body;
    if (c && c.errorCode === ErrorCode.NONE) add(c.host, c.port, 'FindCoordinator');
  }
  return found;
}

export const leaksBrokerAddresses: Check = {
  id: 'leaks.broker-addresses',
  family: 'leaks',
  title: "Advertised brokers are the endpoint's own, with the same security",
  requires: ['user'],
  timeoutMs: 30_000,
  budget: budgetOf(1 + 2 * MAX_ADDRESSES, 2 + MAX_ADDRESSES),
  async run(ctx) {
    const conn = await ctx.connect('user');
    const addresses = await advertisedAddresses(ctx, conn);
    const problems: string[] = [];
    const details: string[] = [`cluster id (after login): ${ctx.views.user!.clusterId}`];
    for (const { address, where } of [...addresses.values()].slice(0, MAX_ADDRESSES)) {
      const label = `${formatAddress(address)} (${where})`;
      if (!sameEndpoint(ctx.address.host, address.host))
        problems.push(`${label}: not on the endpoint's host or domain`);
      if (ctx.profile.tls) {
        ctx.meter.chargeConnection();
        const t = await probeTls(address, ctx.tls(true, address)!, ctx.requestTimeoutMs);
        if (!t.ok) {
          problems.push(`${label}: no TLS (${t.error})`);
          continue;
        }
        if (ctx.profile.trusted && !t.authorized)
          problems.push(`${label}: certificate does not verify (${t.authorizationError})`);
      }
      if (ctx.profile.saslMechanisms.length > 0) {
        // The broker address must demand a login as the bootstrap does.
        let probe: AuditConnection | undefined;
        try {
          probe = await ctx.connect('none', address);
          const hs = await probe.attempt(ApiKey.SaslHandshake, 1, { mechanism: 'KGW-AUDIT-PROBE' });
          if (!hs.answered || hs.body.errorCode !== ErrorCode.UNSUPPORTED_SASL_MECHANISM)
            problems.push(`${label}: does not offer SASL like the bootstrap`);
        } catch (e) {
          problems.push(`${label}: no Kafka connection (${(e as Error).message})`);
        } finally {
          probe?.close();
        }
      }
      details.push(`${label}: checked`);
    }
    if (addresses.size > MAX_ADDRESSES)
      details.push(`${addresses.size - MAX_ADDRESSES} more addresses not probed`);
    if (problems.length > 0)
      return fail(
        `advertised addresses lead elsewhere: ${problems.join('; ')}`,
        "Advertise only the endpoint's own addresses, with the same TLS and SASL as the bootstrap (kgw gateway: listeners[].addressing; Kafka: advertised.listeners). Clients must not be able to reach the brokers directly.",
        details,
      );
    return pass(
      `${addresses.size} advertised address(es), all on the endpoint with the same TLS/SASL`,
      details,
    );
  },
};

/** Error codes the user gets for Metadata, Produce, Fetch and ListOffsets on a topic. */
async function accessAs(conn: AuditConnection, topic: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  out.Metadata = (await describeByName(conn, [topic])).get(topic) ?? -1;
  const produce = await conn.request(ApiKey.Produce, conn.version(ApiKey.Produce, 3, 12), {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, topicId: ZERO_UUID, partitionData: [{ index: 0, records: null }] }],
  });
  out.Produce = produce.responses[0]?.partitionResponses[0]?.errorCode ?? -1;
  const fetch = await conn.request(ApiKey.Fetch, conn.version(ApiKey.Fetch, 4, 12), {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        topicId: ZERO_UUID,
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: -1,
            fetchOffset: 0n,
            lastFetchedEpoch: -1,
            logStartOffset: -1n,
            partitionMaxBytes: 1 << 20,
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  });
  const part = fetch.responses.find((t) => t.topic === topic)?.partitions[0];
  out.Fetch = fetch.errorCode || (part ? part.errorCode : ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  if (part?.records && part.records.length > 0) out['Fetch records'] = part.records.length;
  const lo = await conn.request(ApiKey.ListOffsets, conn.version(ApiKey.ListOffsets, 1, 9), {
    replicaId: -1,
    isolationLevel: 0,
    timeoutMs: 5000,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] }],
  });
  out.ListOffsets = lo.topics[0]?.partitions[0]?.errorCode ?? -1;
  return out;
}

export const leaksUngrantedTopic: Check = {
  id: 'leaks.ungranted-topic',
  family: 'leaks',
  title: 'A topic nobody granted the user is invisible and unusable',
  requires: ['user', 'admin'],
  timeoutMs: 20_000,
  budget: budgetOf(1, 5),
  async run(ctx) {
    const hidden = ctx.fixtures?.hiddenTopic;
    if (!hidden)
      throw new AuditIncomplete(
        `the administrator could not create the audit's topic (${ctx.fixtures?.notes.join('; ')})`,
      );
    const conn = await ctx.connect('user');
    const listed = (await viewThrough(conn, 'user')).topics.has(hidden.name);
    const codes = await accessAs(conn, hidden.name);
    const details = [
      `listed in Metadata(all): ${listed}`,
      ...Object.entries(codes).map(
        ([k, c]) => `${k}: ${k === 'Fetch records' ? `${c} bytes` : `error ${c}`}`,
      ),
    ];
    const allowed = Object.entries(codes)
      .filter(([k, c]) => k === 'Fetch records' || c !== ErrorCode.TOPIC_AUTHORIZATION_FAILED)
      .map(([k]) => k);
    if (listed || allowed.length > 0)
      return fail(
        `${ctx.views.user!.principal} ${listed ? 'sees' : 'reaches'} ${hidden.name}, which nobody granted it (${[listed ? 'listed' : '', ...allowed].filter(Boolean).join(', ')} not refused with TOPIC_AUTHORIZATION_FAILED)`,
        'Deny by default: enable the authorizer and leave allow.everyone.if.no.acl.found false (kgw gateway: authorization.allowEveryoneIfNoAclFound: false); remove wildcard grants to this user.',
        [...details, ...(ctx.fixtures?.notes ?? [])],
      );
    return pass(`every access to ${hidden.name} answered TOPIC_AUTHORIZATION_FAILED`, details);
  },
};

export const leaksGroupListing: Check = {
  id: 'leaks.group-listing',
  family: 'leaks',
  title: 'ListGroups shows only groups the user may describe',
  requires: ['user'],
  timeoutMs: 15_000,
  budget: budgetOf(1, 2),
  async run(ctx) {
    const conn = await ctx.connect('user');
    const lg = await conn.request(
      ApiKey.ListGroups,
      conn.version(ApiKey.ListGroups, 0, 5),
      defaultListGroupsRequest(),
    );
    if (lg.errorCode !== ErrorCode.NONE) return pass(`ListGroups refused with error ${lg.errorCode}`);
    const names = lg.groups.map((g) => g.groupId);
    const hidden = ctx.fixtures?.hiddenGroup;
    const problems: string[] = [];
    if (hidden && names.includes(hidden)) problems.push(`lists ${hidden}, which nobody granted the user`);
    const sample = names.slice(0, 20);
    if (sample.length > 0) {
      const d = await conn.request(ApiKey.DescribeGroups, conn.version(ApiKey.DescribeGroups, 0, 4), {
        groups: sample,
        includeAuthorizedOperations: false,
      });
      const denied = d.groups
        .filter((g) => g.errorCode === ErrorCode.GROUP_AUTHORIZATION_FAILED)
        .map((g) => g.groupId);
      if (denied.length > 0) problems.push(`lists groups it may not describe: ${denied.join(', ')}`);
    }
    const details = [
      `${names.length} groups listed${hidden ? `; the audit's hidden group is ${names.includes(hidden) ? '' : 'not '}among them` : ''}`,
    ];
    if (problems.length > 0)
      return fail(
        problems.join('; '),
        'Filter ListGroups by DESCRIBE on each group, as Kafka does.',
        details,
      );
    return pass(`${names.length} group(s) listed, each describable by the user`, details);
  },
};
