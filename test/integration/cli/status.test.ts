/**
 * `kgw mirror status` and `kgw status` against the real parts they report on: clusters east and
 * west (directly, and east through a kgw gateway with TLS + SCRAM), the gateway's HTTP port, a
 * running mirror east->west (Kafka Connect's REST shapes, MM2 metric names) and a monitor watching
 * both clusters with the mirror flow and its cross-DC probe — all named in one context file.
 * Figures are judged against what was done: records mirrored (counted on the target by content),
 * the lagging group's lag, the brokers Kafka reports. Unreachable parts give exit 1 and say so.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { clusterBootstrap, kcat, uniqueName } from '../../harness/index.js';
import { ADMIN, startTestGateway, type TestGateway } from '../../harness/gateway.js';
import {
  killAllMirrors,
  mm2Properties,
  startMirror,
  writeConfig,
  type MirrorProcess,
} from '../mirror/helpers.js';
import { monitorConfigSchema } from '../../../monitor/config.js';
import { Monitor } from '../../../monitor/monitor.js';
import { expectExit, jsonOf, kgw } from './helpers.js';
import { eventually as pollUntil } from '../../harness/eventually.js';

const EAST = (): string => clusterBootstrap('east');
const WEST = (): string => clusterBootstrap('west');
const prefix = uniqueName('cli-status');
const topic = `${prefix}-t`;
const group = `${prefix}-g`;
const RECORDS = 30;
const dir = mkdtempSync(join(tmpdir(), 'kgw-cli-status-'));

let gw: TestGateway;
let mirror: MirrorProcess;
let monitor: Monitor;
let monitorUrl: string;
let context: string;

interface MirrorJson {
  mirrors: {
    name: string;
    error?: string;
    connectors: { name: string; flow: string; state: string; tasks: { state: string }[] }[];
    flows: {
      flow: string;
      recordsReplicated?: number;
      lagRecords?: number;
      probeProduced?: number;
      probeLost?: number;
      latencyMsMax?: number;
    }[];
  }[];
}

/** Polls once a second for up to a minute: the mirror and the monitor refresh on their own clocks. */
const eventually = <T>(what: string, check: () => Promise<T | undefined>, ms = 60_000): Promise<T> =>
  pollUntil(what, check, ms, 1000);

before(async () => {
  const kafka = new Kafka({ clientId: 'cli-status', brokers: EAST().split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer();
  await admin.connect();
  await producer.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  await producer.send({
    topic,
    messages: Array.from({ length: RECORDS }, (_, i) => ({ partition: i % 2, value: `${prefix}-${i}` })),
  });
  await admin.setOffsets({
    groupId: group,
    topic,
    partitions: [
      { partition: 0, offset: '5' },
      { partition: 1, offset: '0' },
    ],
  });
  await producer.disconnect();
  await admin.disconnect();

  gw = await startTestGateway({ upstream: EAST(), securityTopic: `__kgw_security_status_${process.pid}` });
  mirror = await startMirror(
    writeConfig(
      `${prefix}.properties`,
      mm2Properties({ 'east->west.enabled': 'true', topics: `${prefix}.*, kgw-monitor-replication-probe` }),
    ),
  );
  monitor = new Monitor(
    monitorConfigSchema.parse({
      clusters: [
        { name: 'east', bootstrap: EAST() },
        { name: 'west', bootstrap: WEST() },
      ],
      listen: { host: '127.0.0.1', port: 0 },
      collection: { intervalSeconds: 1, deadlineSeconds: 10 },
      groups: { include: [`^${prefix}-`] },
      mirrors: [
        {
          source: 'east',
          target: 'west',
          topics: { include: [`^${prefix}`] },
          probe: true,
          probeRoundtripSlaSeconds: 30,
        },
      ],
    }),
  );
  monitorUrl = `http://127.0.0.1:${(await monitor.start()).port}`;
  context = join(dir, 'kgw.yaml');
  writeFileSync(
    context,
    [
      'clusters:',
      `  - { name: east, bootstrap: "${EAST()}" }`,
      `  - { name: west, bootstrap: "${WEST()}" }`,
      `  - name: east-gateway`,
      `    bootstrap: ${gw.bootstrap}`,
      `    tls: { ca: ${gw.pki!.caCert} }`,
      `    sasl: { mechanism: SCRAM-SHA-512, username: ${ADMIN.name}, password: ${ADMIN.password} }`,
      'gateways:',
      `  - { name: east-gateway, url: "http://127.0.0.1:${(gw.http.address() as AddressInfo).port}" }`,
      'mirrors:',
      `  - { name: dc-mirror, url: "http://127.0.0.1:${mirror.port}" }`,
      `monitor: ${monitorUrl}`,
      '',
    ].join('\n'),
  );
});

after(async () => {
  await monitor?.stop();
  await mirror?.stop();
  killAllMirrors();
  await gw?.close();
});

describe('kgw mirror status', () => {
  test('connectors and tasks RUNNING; records replicated, lag from the monitor, probe counters', async () => {
    // The truth: every record on the target, counted by content.
    await eventually(`${RECORDS} records mirrored`, async () => {
      const r = await kcat(
        ['-C', '-b', WEST(), '-t', `east.${topic}`, '-o', 'beginning', '-e', '-q', '-f', '%s\n'],
        { timeoutMs: 30_000 },
      );
      const values = new Set(r.stdout.split('\n').filter((v) => v.startsWith(prefix)));
      return values.size === RECORDS ? true : undefined;
    });
    const j = await eventually(
      'the monitor sees the flow caught up and the probe',
      async () => {
        const r = await kgw(['mirror', 'status', '--context', context, '--json']);
        if (r.code !== 0) return undefined;
        const s = jsonOf<MirrorJson>(r);
        const flow = s.mirrors[0]!.flows.find((f) => f.flow === 'east->west');
        return flow && flow.lagRecords === 0 && (flow.probeProduced ?? 0) > 0 ? s : undefined;
      },
      90_000,
    );
    const m = j.mirrors[0]!;
    assert.equal(m.name, 'dc-mirror');
    // MM2 runs the three connectors for an enabled flow, and a heartbeat connector for the disabled
    // reverse flow (heartbeats are emitted whatever the flow's state).
    assert.deepEqual(
      m.connectors.map((c) => `${c.name} ${c.state} ${c.tasks.map((t) => t.state).join()}`),
      [
        ...['MirrorCheckpointConnector', 'MirrorHeartbeatConnector', 'MirrorSourceConnector'].map(
          (c) => `east->west.${c} RUNNING RUNNING`,
        ),
        'west->east.MirrorHeartbeatConnector RUNNING RUNNING',
      ],
    );
    const flow = m.flows.find((f) => f.flow === 'east->west')!;
    assert.ok((flow.recordsReplicated ?? 0) >= RECORDS, `records replicated: ${flow.recordsReplicated}`);
    assert.ok(flow.latencyMsMax !== undefined, 'replication latency from the MM2 metrics');
    assert.equal(flow.probeLost, 0, 'no probe message lost');
    const table = expectExit(await kgw(['mirror', 'status', '--context', context]), 0, 'mirror status table');
    assert.match(table.stdout, /^MIRROR\s+CONNECTOR\s+STATE\s+TASKS$/m);
    assert.match(table.stdout, /^dc-mirror\s+east->west\s+\d+/m);
    assert.ok(!table.stdout.includes('\x1b'), 'no escape codes in a pipe');
  });

  test('an unreachable mirror: exit 1 with what to check', async () => {
    const r = expectExit(await kgw(['mirror', 'status', '--mirror', 'http://127.0.0.1:1']), 1, 'mirror down');
    assert.match(
      r.stdout + r.stderr,
      /cannot reach the mirror REST API at http:\/\/127\.0\.0\.1:1.*Is it running/,
    );
    expectExit(await kgw(['mirror', 'status'], { env: { KGW_CONTEXT: '' } }), 2, 'no mirror named');
  });
});

describe('kgw status', () => {
  test('one screen: clusters with brokers and controller, the gateway ready, the flow, the worst group', async () => {
    const r = expectExit(await kgw(['status', '--context', context, '--json']), 0, 'kgw status');
    const s = jsonOf<{
      clusters: {
        name: string;
        reachable: boolean;
        controllerId: number;
        brokers: { id: number; host: string; port: number }[];
      }[];
      gateways: { name: string; ready: boolean; connections?: number }[];
      mirrors: { flows: { flow: string }[] }[];
      worstGroups: { cluster: string; group: string; totalLag: number; status: string | null }[];
    }>(r);
    const byName = new Map(s.clusters.map((c) => [c.name, c]));
    for (const [name, bootstrap] of [
      ['east', EAST()],
      ['west', WEST()],
    ] as const) {
      const c = byName.get(name)!;
      assert.equal(c.reachable, true, name);
      assert.deepEqual(
        c.brokers.map((b) => `${b.host}:${b.port}`),
        [bootstrap],
        `${name}: the broker Kafka reports`,
      );
      assert.equal(c.controllerId, c.brokers[0]!.id);
    }
    const viaGateway = byName.get('east-gateway')!;
    assert.equal(viaGateway.reachable, true, 'through the gateway with TLS + SCRAM');
    assert.notEqual(
      `${viaGateway.brokers[0]!.host}:${viaGateway.brokers[0]!.port}`,
      EAST(),
      "the gateway's own broker address",
    );
    assert.deepEqual(
      s.gateways.map((g) => [g.name, g.ready]),
      [['east-gateway', true]],
    );
    assert.ok((s.gateways[0]!.connections ?? -1) >= 0, 'connections from /metrics');
    assert.ok(s.mirrors[0]!.flows.some((f) => f.flow === 'east->west'));
    const worst = s.worstGroups.find((g) => g.group === group);
    assert.ok(worst, `the lagging group is listed: ${JSON.stringify(s.worstGroups)}`);
    assert.equal(worst.totalLag, RECORDS - 5, 'its lag in records');
    assert.ok(['OK', 'WARN', 'ERR'].includes(worst.status ?? ''), 'with its Burrow status');

    const screen = expectExit(await kgw(['status', '--context', context]), 0, 'kgw status screen');
    for (const heading of ['CLUSTERS', 'GATEWAYS', 'MIRRORS', 'MIRROR FLOWS', 'WORST CONSUMER GROUPS'])
      assert.match(screen.stdout, new RegExp(`^${heading}`, 'm'));
    assert.ok(!screen.stdout.includes('\x1b'));
  });

  test('a cluster that cannot be reached is shown UNREACHABLE and the exit status is 1', async () => {
    const r = expectExit(
      await kgw(['status', '--bootstrap-server', '127.0.0.1:1', '--cluster', 'gone']),
      1,
      'status of a dead cluster',
    );
    assert.match(r.stdout, /^gone\s+UNREACHABLE/m);
    assert.match(r.stderr, /not healthy: cluster gone/);
  });
});
