/**
 * Before authentication a client may only ask ApiVersions and run SASL: Kafka's
 * SaslServerAuthenticator closes the connection on any other request, bounds frames by
 * sasl.server.max.receive.size (512 KiB), and a hardened listener also closes connections that do
 * not authenticate in time, TLS handshake included (issue #12, findings 6 and 7).
 */
import { budgetOf } from '../budget.js';
import type { Socket } from 'node:net';
import { ApiKey } from '../../protocol/generated/api-keys.js';
import { encodeRequestFrame, type RequestApiKey, type RequestTypes } from '../../protocol/codec.js';
import {
  defaultDescribeAclsRequest,
  defaultDescribeClusterRequest,
  defaultListGroupsRequest,
} from '../../protocol/generated/messages.js';
import { apiName, type AuditConnection } from '../connection.js';
import type { CheckContext } from '../context.js';
import { findGroupCoordinatorBody } from '../kafka-ops.js';
import { captureClientHello, waitForClose } from '../net.js';
import { fail, pass, warn, type Check } from '../types.js';

/** A probe: an API and a harmless request body (nothing is created: validateOnly, read-only APIs). */
interface Probe<K extends RequestApiKey = RequestApiKey> {
  apiKey: K;
  maxVersion: number;
  body: (version: number) => RequestTypes[K];
}

const probe = <K extends RequestApiKey>(p: Probe<K>): Probe => p as unknown as Probe;

const PROBES: Probe[] = [
  probe({ apiKey: ApiKey.ListGroups, maxVersion: 5, body: () => defaultListGroupsRequest() }),
  probe({ apiKey: ApiKey.DescribeCluster, maxVersion: 2, body: () => defaultDescribeClusterRequest() }),
  probe({
    apiKey: ApiKey.FindCoordinator,
    maxVersion: 6,
    body: (v) => findGroupCoordinatorBody(v, 'kgw-audit'),
  }),
  probe({
    apiKey: ApiKey.DescribeConfigs,
    maxVersion: 4,
    body: () => ({
      resources: [{ resourceType: 2, resourceName: '__consumer_offsets', configurationKeys: null }],
      includeSynonyms: false,
      includeDocumentation: false,
    }),
  }),
  probe({
    apiKey: ApiKey.DescribeAcls,
    maxVersion: 3,
    body: () => ({
      ...defaultDescribeAclsRequest(),
      resourceTypeFilter: 1,
      patternTypeFilter: 1,
      operation: 1,
      permissionType: 1,
    }),
  }),
  probe({
    apiKey: ApiKey.ListOffsets,
    maxVersion: 9,
    body: () => ({
      replicaId: -1,
      isolationLevel: 0,
      timeoutMs: 5000,
      topics: [
        {
          name: '__consumer_offsets',
          partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }],
        },
      ],
    }),
  }),
  probe({
    apiKey: ApiKey.CreateTopics,
    maxVersion: 7,
    body: () => ({
      topics: [
        {
          name: 'kgw-audit-preauth-probe',
          numPartitions: 1,
          replicationFactor: -1,
          assignments: [],
          configs: [],
        },
      ],
      timeoutMs: 5000,
      validateOnly: true,
    }),
  }),
];

/** Sends one request on a fresh unauthenticated connection; undefined when the endpoint hung up. */
async function askUnauthenticated(ctx: CheckContext, p: Probe): Promise<unknown> {
  const conn: AuditConnection = await ctx.connect('none');
  try {
    if (!conn.offers(p.apiKey)) return undefined;
    const offered = conn.inner.apiVersions.apiKeys.find((k) => k.apiKey === p.apiKey)!;
    const v = Math.min(p.maxVersion, offered.maxVersion);
    const r = await conn.attempt(p.apiKey, v, p.body(v) as never);
    return r.answered ? r.body : undefined;
  } finally {
    conn.close();
  }
}

export const preauthApis: Check = {
  id: 'preauth.apis',
  family: 'preauth',
  title: 'Only ApiVersions and SASL are answered before login',
  requires: [],
  timeoutMs: 30_000,
  budget: budgetOf(PROBES.length, PROBES.length),
  async run(ctx) {
    const answered: string[] = [];
    const details: string[] = [];
    for (const p of PROBES) {
      const body = await askUnauthenticated(ctx, p);
      const name = apiName(p.apiKey);
      if (body === undefined) details.push(`${name}: connection closed (or API not offered)`);
      else {
        answered.push(name);
        details.push(
          `${name}: answered ${JSON.stringify(body, (_, x: unknown) => (typeof x === 'bigint' ? String(x) : x)).slice(0, 160)}`,
        );
      }
    }
    if (answered.length > 0)
      return fail(
        `answered before authentication: ${answered.join(', ')}`,
        'Require authentication on the listener; before login only ApiVersions, SaslHandshake and SaslAuthenticate may be served (kgw gateway does this whenever saslMechanisms is not empty).',
        details,
      );
    return pass(`each of ${PROBES.map((p) => apiName(p.apiKey)).join(', ')} closed the connection`, details);
  },
};

export const preauthMetadata: Check = {
  id: 'preauth.metadata',
  family: 'preauth',
  title: 'Metadata before login reveals no topics, brokers or cluster id',
  requires: [],
  timeoutMs: 10_000,
  budget: budgetOf(1, 1),
  async run(ctx) {
    const conn = await ctx.connect('none');
    const v = conn.version(ApiKey.Metadata, 1, 12);
    const r = await conn.attempt(ApiKey.Metadata, v, {
      topics: null,
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    conn.close();
    if (!r.answered) return pass(`Metadata v${v} before login: ${r.reason}`);
    const m = r.body;
    const leaked = [
      `${m.topics.length} topics${
        m.topics.length
          ? ` (${m.topics
              .slice(0, 5)
              .map((t) => t.name)
              .join(', ')}${m.topics.length > 5 ? ', …' : ''})`
          : ''
      }`,
      `${m.brokers.length} brokers (${m.brokers.map((b) => `${b.host}:${b.port}`).join(', ')})`,
      `cluster id ${m.clusterId}`,
    ];
    return fail(
      `an unauthenticated client got Metadata v${v}: ${leaked.join(', ')}`,
      'Require authentication before any API other than ApiVersions and SASL.',
    );
  },
};

/** Claimed size of the probe frame: twice Kafka's default pre-authentication limit, far below its post-login one. */
export const LARGE_FRAME_BYTES = 1024 * 1024 + 1;
/** The control connection's claimed size: any frame limit allows it. */
const SMALL_FRAME_BYTES = 64;

/** A size prefix and the start of a request header, then nothing: the body is never sent. */
function frameStart(claimedBytes: number): Buffer {
  const header = encodeRequestFrame(
    { apiKey: ApiKey.ApiVersions, apiVersion: 3, correlationId: 1, clientId: 'kgw-audit' },
    { clientSoftwareName: 'kgw-audit', clientSoftwareVersion: '0' },
  ).subarray(4, 14);
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(claimedBytes);
  return Buffer.concat([prefix, header]);
}

export const preauthLargeFrame: Check = {
  id: 'preauth.large-frame',
  family: 'preauth',
  title: 'A large frame before login is refused at its header',
  requires: [],
  timeoutMs: 10_000,
  budget: budgetOf(2, 0),
  async run(ctx) {
    // Two connections opened together, both left incomplete; only the large claim should be refused.
    // Judged by order, not by time: if a deadline closed it, the control connection goes with it.
    const large = await ctx.stream();
    const control = await ctx.stream();
    control.write(frameStart(SMALL_FRAME_BYTES));
    large.write(frameStart(LARGE_FRAME_BYTES));
    const waitMs = 5_000;
    const r = await waitForClose(large, waitMs, ctx.signal);
    const controlClosed = (await waitForClose(control, 500, ctx.signal)).closed;
    large.destroy();
    control.destroy();
    const remedy =
      'Limit frames before authentication (Kafka: sasl.server.max.receive.size, 512 KiB; kgw gateway: limits.maxFrameBytesBeforeAuth) so a stranger cannot make the server buffer megabytes per connection.';
    if (r.closed && !controlClosed)
      return pass(
        `a frame claiming ${LARGE_FRAME_BYTES} bytes closed the connection after ${r.afterMs} ms; one claiming ${SMALL_FRAME_BYTES} bytes stayed open`,
      );
    if (r.closed)
      return warn(
        `a frame claiming ${LARGE_FRAME_BYTES} bytes was closed after ${r.afterMs} ms, but so was one claiming ${SMALL_FRAME_BYTES}: a deadline, not a frame limit, may have closed them`,
        remedy,
      );
    return fail(
      `a frame header claiming ${LARGE_FRAME_BYTES} bytes kept the connection open ${waitMs} ms, waiting for the body`,
      remedy,
    );
  },
};

/** The ways a client can hold a connection without authenticating. */
async function stalledConnections(
  ctx: CheckContext,
): Promise<{ what: string; closed: () => Promise<{ closed: boolean; afterMs: number }> }[]> {
  const within = ctx.opts.authDeadlineMs;
  const silent = await ctx.tcp();
  const trickle = await ctx.tcp();
  const first = ctx.profile.tls
    ? await captureClientHello(
        ctx.opts.serverName ?? (/^[\d.:]+$/.test(ctx.address.host) ? undefined : ctx.address.host),
      )
    : encodeRequestFrame(
        { apiKey: ApiKey.ApiVersions, apiVersion: 3, correlationId: 1, clientId: 'kgw-audit' },
        {
          clientSoftwareName: 'kgw-audit',
          clientSoftwareVersion: '0',
        },
      );
  let sent = 0;
  const drip = setInterval(() => {
    if (sent < first.length && !trickle.destroyed) trickle.write(first.subarray(sent, ++sent));
  }, 1000);
  ctx.track({ close: () => clearInterval(drip) });
  const idle = await ctx.connect('none');
  const idleClosed = async (): Promise<{ closed: boolean; afterMs: number }> => {
    const started = Date.now();
    while (idle.isOpen && Date.now() - started < within) await ctx.sleep(200);
    return { closed: !idle.isOpen, afterMs: Date.now() - started };
  };
  const track = (s: Socket) => () => waitForClose(s, within, ctx.signal);
  return [
    { what: 'TCP connection that sends nothing', closed: track(silent) },
    {
      what: ctx.profile.tls ? 'TLS ClientHello sent one byte per second' : 'request sent one byte per second',
      closed: async () => {
        const r = await track(trickle)();
        clearInterval(drip);
        return r;
      },
    },
    {
      what: `${ctx.profile.tls ? 'TLS established, ' : ''}ApiVersions answered, no SASL`,
      closed: idleClosed,
    },
  ];
}

export const preauthDeadline: Check = {
  id: 'preauth.deadline',
  family: 'preauth',
  title: 'Connections that do not authenticate are closed in time',
  requires: [],
  timeoutMs: (o) => o.authDeadlineMs + 15_000,
  budget: budgetOf(3, 0),
  background: true,
  async run(ctx) {
    const stalls = await stalledConnections(ctx);
    const results = await Promise.all(stalls.map(async (s) => ({ what: s.what, ...(await s.closed()) })));
    const details = results.map(
      (r) =>
        `${r.what}: ${r.closed ? `closed after ${(r.afterMs / 1000).toFixed(1)} s` : `still open after ${(r.afterMs / 1000).toFixed(1)} s`}`,
    );
    const open = results.filter((r) => !r.closed);
    if (open.length > 0)
      return fail(
        `not closed within ${ctx.opts.authDeadlineMs / 1000} s: ${open.map((r) => r.what).join('; ')}`,
        'Close connections that have not authenticated within a deadline counted from TCP accept, TLS handshake included (kgw gateway: limits.authTimeoutMs; Kafka has no such deadline, only connections.max.idle.ms).',
        details,
      );
    return pass(`each stalled connection was closed within ${ctx.opts.authDeadlineMs / 1000} s`, details);
  },
};
