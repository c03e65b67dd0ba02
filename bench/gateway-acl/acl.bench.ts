/**
 * What the gateway's ACL enforcement costs, measured in one run against one private broker:
 *   1. throughput of kafka-producer-perf-test through two TLS+SCRAM gateways that differ only in
 *      the ACLs they hold: none (allow.everyone.if.no.acl.found=true) vs 10,000 (deny by default,
 *      the perf user allowed by a PREFIXED rule among them); rounds alternate between the two;
 *   2. the authorization decision of the request filter itself (decode + authorize + decide), in
 *      microseconds per request, for a Produce and a Metadata request, with 0 and 10,000 ACLs.
 *
 *   npm run build && node dist/bench/gateway-acl/acl.bench.js [--records N] [--size BYTES] [--rounds R]
 */
import { performance } from 'node:perf_hooks';
import { clusterSpec } from '../../deploy/kafka/cluster-config.js';
import { startCluster, stopCluster } from '../../deploy/kafka/cluster.js';
import { aclFilter } from '../../gateway/authz/index.js';
import type { Audit } from '../../gateway/audit.js';
import type { GatewayMetrics } from '../../gateway/metrics.js';
import type { SessionInfo } from '../../gateway/session/client-session.js';
import type { ClusterView } from '../../gateway/upstream/cluster-view.js';
import {
  ApiKey,
  RequestFrame,
  ZERO_UUID,
  defaultMetadataRequest,
  defaultProduceRequest,
  encodeRequestFrame,
} from '../../protocol/index.js';
import {
  AclAuthorizer,
  AclOperation as Op,
  AclPermissionType as Perm,
  PatternType as PT,
  ResourceType as RT,
  type AclBinding,
} from '../../security/acl/index.js';
import { javaClientConfig, startTestGateway, type TestUser } from '../../test/harness/gateway.js';
import { producerPerf } from '../gateway/perf-tools.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const records = arg('records', 200_000);
const size = arg('size', 1024);
const rounds = arg('rounds', 3);
const ACLS = 10_000;
const PERF: TestUser = { name: 'perf', password: 'perf-secret' };

/** A multi-tenant mix: per-service LITERAL topic ACLs, per-team PREFIXED ones, groups, some DENY. */
export function tenantAcls(n: number): AclBinding[] {
  const out: AclBinding[] = [];
  for (let i = 0; out.length < n; i++) {
    const team = `team${i % 500}`;
    const principal = `User:svc-${i % 5000}`;
    const base = { host: '*', permissionType: Perm.ALLOW, principal, patternType: PT.LITERAL };
    switch (i % 10) {
      case 0:
      case 1:
      case 2:
      case 3:
        out.push({
          ...base,
          resourceType: RT.TOPIC,
          resourceName: `${team}.orders-${i}`,
          operation: i % 2 ? Op.READ : Op.WRITE,
        });
        break;
      case 4:
      case 5:
        out.push({
          ...base,
          resourceType: RT.TOPIC,
          resourceName: `${team}.`,
          patternType: PT.PREFIXED,
          operation: Op.WRITE,
          principal: `User:${team}-${i}`,
        });
        break;
      case 6:
      case 7:
        out.push({ ...base, resourceType: RT.GROUP, resourceName: `${team}-group-${i}`, operation: Op.READ });
        break;
      case 8:
        out.push({
          ...base,
          resourceType: RT.TOPIC,
          resourceName: `${team}.secret-${i}`,
          operation: Op.ALL,
          permissionType: Perm.DENY,
        });
        break;
      default:
        out.push({
          ...base,
          resourceType: RT.TRANSACTIONAL_ID,
          resourceName: `${team}-tx-${i}`,
          operation: Op.WRITE,
        });
    }
  }
  return out;
}

const perfAcls = (topicPrefix: string): AclBinding[] => [
  {
    resourceType: RT.TOPIC,
    resourceName: topicPrefix,
    patternType: PT.PREFIXED,
    principal: 'User:perf',
    host: '*',
    operation: Op.ALL,
    permissionType: Perm.ALLOW,
  },
  {
    resourceType: RT.CLUSTER,
    resourceName: 'kafka-cluster',
    patternType: PT.LITERAL,
    principal: 'User:perf',
    host: '*',
    operation: Op.IDEMPOTENT_WRITE,
    permissionType: Perm.ALLOW,
  },
];

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]): string => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;

/** Microseconds per filter decision over `iterations` fresh frames (a frame caches its decoded body). */
function decisionCost(authorizer: AclAuthorizer, payloads: Buffer[], iterations: number): number {
  const noop = () => undefined;
  const audit = { denied: noop, allowed: noop, adminChange: noop } as unknown as Audit;
  const metrics = { aclDenied: noop, error: noop } as unknown as GatewayMetrics;
  const cluster = {
    topicName: () => undefined,
    connect: () => Promise.reject(new Error('none')),
  } as unknown as ClusterView;
  const filter = aclFilter(
    { authorizer, audit, metrics, reservedTopics: new Set(['__kgw_security']) },
    cluster,
  );
  const session: SessionInfo = {
    id: 1,
    listener: 'bench',
    clientAddress: '10.1.2.3',
    identity: { principal: 'User:perf', mechanism: 'SCRAM-SHA-512', expiresAt: undefined },
  };
  const run = (n: number): void => {
    for (let i = 0; i < n; i++) for (const p of payloads) void filter(new RequestFrame(p), session);
  };
  run(Math.min(iterations, 20_000)); // warm-up
  const t0 = performance.now();
  run(iterations);
  return ((performance.now() - t0) * 1000) / (iterations * payloads.length);
}

function decisionBench(): string[] {
  const produce = encodeRequestFrame(
    { apiKey: ApiKey.Produce, apiVersion: 9, correlationId: 1, clientId: 'bench' },
    {
      ...defaultProduceRequest(),
      acks: -1,
      timeoutMs: 30000,
      topicData: [
        {
          name: 'perf-bench-0',
          topicId: ZERO_UUID,
          partitionData: [0, 1, 2, 3].map((index) => ({ index, records: Buffer.alloc(16384) })),
        },
      ],
    },
  ).subarray(4);
  const metadata = encodeRequestFrame(
    { apiKey: ApiKey.Metadata, apiVersion: 12, correlationId: 1, clientId: 'bench' },
    {
      ...defaultMetadataRequest(),
      topics: ['perf-bench-0', 'perf-bench-1', 'team3.orders-3'].map((name) => ({
        name,
        topicId: ZERO_UUID,
      })),
    },
  ).subarray(4);
  const lines = [
    '| ACLs | Produce (1 topic, 4 partitions × 16 KiB) µs | Metadata (3 named topics) µs | authorize() µs |',
    '|---|---|---|---|',
  ];
  for (const n of [0, ACLS]) {
    const a = new AclAuthorizer({ superUsers: ['User:admin'] });
    for (const acl of [...perfAcls('perf-bench-'), ...tenantAcls(n)]) a.addAcl(acl);
    const p = decisionCost(a, [produce], 200_000);
    const m = decisionCost(a, [metadata], 100_000);
    const req = {
      principal: 'User:perf',
      host: '10.1.2.3',
      resourceType: RT.TOPIC,
      resourceName: 'perf-bench-0',
      operation: Op.WRITE,
    };
    for (let i = 0; i < 100_000; i++) a.authorize(req);
    const t0 = performance.now();
    for (let i = 0; i < 1_000_000; i++) a.authorize(req);
    const raw = (performance.now() - t0) / 1000;
    lines.push(`| ${a.size} | ${p.toFixed(2)} | ${m.toFixed(2)} | ${raw.toFixed(3)} |`);
  }
  return lines;
}

async function main(): Promise<void> {
  const decision = decisionBench();
  console.log(decision.join('\n'));
  const offset = Number(process.env.KGW_PORT_OFFSET ?? 0);
  const spec = clusterSpec('aclbench', { basePort: 21092 + offset, heapMb: 1024 });
  console.error('[bench] starting Kafka (one node)');
  await startCluster(spec, { fresh: true, ownerPid: process.pid });
  const bootstrap = `127.0.0.1:${spec.basePort}`;
  const none = await startTestGateway({
    upstream: bootstrap,
    users: [PERF],
    allowEveryoneIfNoAclFound: true,
    securityTopic: '__kgw_aclbench_none',
  });
  const loaded = await startTestGateway({
    upstream: bootstrap,
    users: [PERF],
    allowEveryoneIfNoAclFound: false,
    securityTopic: '__kgw_aclbench_10k',
  });
  for (const acl of [...tenantAcls(ACLS), ...perfAcls('perf-bench-')]) loaded.authorizer.addAcl(acl);
  const targets = [
    { name: 'no ACLs', gw: none },
    { name: `${loaded.authorizer.size} ACLs`, gw: loaded },
  ];
  const results = new Map<string, number[]>();
  try {
    for (let round = 0; round < rounds; round++) {
      // Alternate the order so drift on a shared machine does not favour one side.
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const t of order) {
        const p = await producerPerf({
          bootstrap: t.gw.bootstrap,
          topic: `perf-bench-${t.name.replace(/\W+/g, '-')}-${round}`,
          records,
          recordSize: size,
          throughput: -1,
          configFile: javaClientConfig(t.gw, PERF),
        });
        results.set(t.name, [...(results.get(t.name) ?? []), p.mbPerSec]);
        console.error(`[bench] round ${round + 1} ${t.name}: ${p.mbPerSec} MB/s, p99 ${p.p99} ms`);
      }
    }
    const base = median(results.get(targets[0]!.name)!);
    const lines = [
      `Gateway throughput with ACL enforcement: ${records} records × ${size} B, acks=all, ${rounds} rounds (median, min–max), one broker; 2 cores shared by broker, gateways and client`,
      '',
      '| gateway | produce MB/s (median) | min–max | ratio to no ACLs |',
      '|---|---|---|---|',
      ...targets.map((t) => {
        const xs = results.get(t.name)!;
        return `| ${t.name} | ${median(xs).toFixed(1)} | ${spread(xs)} | ${(median(xs) / base).toFixed(3)}x |`;
      }),
      '',
      'Authorization decision in the request filter (microseconds per request, mean):',
      '',
      ...decision,
    ];
    console.log(lines.join('\n'));
  } finally {
    await none.close();
    await loaded.close();
    await stopCluster(spec, { graceMs: 5000 });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
