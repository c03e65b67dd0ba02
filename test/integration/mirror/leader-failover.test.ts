/**
 * The mirror's native data path through real broker failures. One private three-node KRaft cluster
 * serves as both source (`a`) and target (`b`) of one flow, so `t` is copied to `a.t` on the same
 * brokers (RF 3, min.insync.replicas=2). The source partitions are led by node 1, the copy's by
 * node 2. While numbered records stream into `t` (acks=all):
 *
 * 1. node 1 (source leader: the fetcher's broker) is killed with SIGKILL; replication must go on
 *    from the new leader (node 3); node 1 is restarted and, once back in the ISR, leads again;
 * 2. the same with node 2 (the copy's leader: the producer's broker).
 *
 * Afterwards every record of the source (every acknowledged one among them) is in the copy, each
 * partition's in source order (duplicates allowed: counted and printed), and the connectors are
 * RUNNING. Progress is checked after each kill and after each restart.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Producer } from 'kafkajs';
import { ClusterClient } from '../../../client/cluster.js';
import { NativeFetcher } from '../../../client/fetcher.js';
import {
  createTopicsWithLeaders,
  kcat,
  startPrivateCluster,
  uniqueName,
  type PrivateCluster,
} from '../../harness/index.js';
import {
  kafka,
  killAllMirrors,
  mm2Properties,
  readAll,
  startMirror,
  tmp,
  waitFor,
  writeConfig,
  type MirrorProcess,
} from './helpers.js';

// Ports from KGW_PORT_OFFSET like the other private clusters, below Linux's ephemeral range
// (25092 + 2000 + 102 < 32768 for the largest offset) and apart from the other tests' clusters.
const base = 25092 + Math.floor(Number(process.env.KGW_PORT_OFFSET ?? 0) / 10);
const PARTITIONS = 2;
// Replica orders (first = preferred leader): killing node 1 moves the source's leadership to node
// 3 and leaves the copy's on node 2; killing node 2 then moves only the copy's (to node 3).
const SOURCE_REPLICAS = [1, 3, 2];
const TARGET_REPLICAS = [2, 3, 1];

let cluster: PrivateCluster;
let admin: Admin | undefined;

before(async () => {
  cluster = await startPrivateCluster('mirror-failover', {
    nodes: 3,
    basePort: base,
    heapMb: 384,
    overrides: {
      // Fence a dead broker after 3 s (default 9 s) so leadership moves quickly.
      'broker.session.timeout.ms': '3000',
      'broker.heartbeat.interval.ms': '500',
      // Cluster default, so the copy and the mirror's internal topics get it too (MM2 does not
      // copy min.insync.replicas).
      'min.insync.replicas': '2',
      // Leadership moves back to a restarted node within seconds (preferred-leader election).
      'auto.leader.rebalance.enable': 'true',
      'leader.imbalance.check.interval.seconds': '2',
      'leader.imbalance.per.broker.percentage': '0',
    },
  });
  admin = kafka(cluster.bootstrap).admin();
  await admin.connect();
});
after(async () => {
  killAllMirrors();
  await admin?.disconnect().catch(() => undefined);
  await cluster?.stop();
});

const log = (line: string): void => console.log(`[mirror leader-failover] ${line}`);

/** Numbered records `n-<i>`, record i to partition i % PARTITIONS, in small acks=all sends. */
class NumberedStream {
  /** Numbers of the acknowledged records. */
  readonly acked: number[] = [];
  failed = 0;
  next = 0;
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly bootstrap: string,
    private readonly topic: string,
  ) {}

  start(): void {
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async connect(): Promise<Producer> {
    for (;;) {
      const p = kafka(this.bootstrap).producer({
        idempotent: true,
        maxInFlightRequests: 1,
        retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 2000 },
      });
      try {
        await p.connect();
        return p;
      } catch {
        await sleep(500);
      }
    }
  }

  private async loop(): Promise<void> {
    let producer = await this.connect();
    while (!this.stopped) {
      const from = this.next;
      const numbers = Array.from({ length: 20 }, (_, j) => from + j);
      this.next += numbers.length;
      try {
        await producer.send({
          topic: this.topic,
          acks: -1,
          messages: numbers.map((i) => ({ partition: i % PARTITIONS, key: `k${i}`, value: `n-${i}` })),
        });
        this.acked.push(...numbers);
      } catch {
        // Not acknowledged: may or may not be in the source; the mirror must copy whatever is.
        this.failed += numbers.length;
        await producer.disconnect().catch(() => undefined);
        producer = await this.connect();
      }
      await sleep(20);
    }
    await producer.disconnect().catch(() => undefined);
  }
}

/** Leader node of each partition of `topic`, and the partitions whose ISR is not complete. */
async function partitionInfo(topic: string): Promise<{ leaders: number[]; shortIsr: number }> {
  const [meta] = (await admin!.fetchTopicMetadata({ topics: [topic] })).topics;
  const parts = [...meta!.partitions].sort((x, y) => x.partitionId - y.partitionId);
  return {
    leaders: parts.map((p) => p.leader),
    shortIsr: parts.filter((p) => p.isr.length < 3).length,
  };
}

/** Highest record number in the copy (from each partition's last record). */
async function highestCopied(topic: string): Promise<number> {
  // One kcat per partition, stopping after one record (-e alone may never see the end of a
  // partition that grows faster than it reads).
  const last = await Promise.all(
    Array.from({ length: PARTITIONS }, async (_, p) => {
      const r = await kcat(
        [
          '-C',
          '-b',
          cluster.bootstrap,
          '-t',
          topic,
          '-p',
          String(p),
          '-o',
          '-1',
          '-c',
          '1',
          '-e',
          '-q',
          '-f',
          '%s\n',
        ],
        { timeoutMs: 10_000 },
      );
      if (r.code !== 0)
        throw new Error(`kcat failed (${r.code}${r.timedOut ? ', timed out' : ''}): ${r.stderr}`);
      const line = r.stdout.split('\n').find((l) => l.startsWith('n-'));
      return line === undefined ? -1 : Number(line.slice(2));
    }),
  );
  return Math.max(...last);
}

/** Waits until a record numbered at least `n` (produced after some event) is in the copy. */
async function copiedBeyond(target: string, n: number, what: string): Promise<void> {
  const t0 = Date.now();
  let probes = 0;
  await waitFor(
    what,
    async () => {
      probes++;
      return (await highestCopied(target)) >= n ? true : undefined;
    },
    120_000,
  );
  log(`${what}: ${Date.now() - t0} ms (${probes} probes)`);
}

async function waitFullIsr(topics: string[]): Promise<void> {
  await waitFor(
    `full ISR of ${topics.join(', ')}`,
    async () => {
      for (const t of topics) if ((await partitionInfo(t)).shortIsr > 0) return undefined;
      return true;
    },
    120_000,
  );
}

/**
 * Kills `node` (SIGKILL), checks replication goes on from the other two, restarts it, and checks
 * replication goes on once leadership has moved back to it (preferred-leader election).
 */
async function killAndRestart(
  node: number,
  stream: NumberedStream,
  topics: { source: string; target: string },
  whileDown?: () => Promise<void>,
): Promise<void> {
  const ledBefore = await leadersOf(topics);
  const led = Object.entries(ledBefore)
    .filter(([, leaders]) => leaders.includes(node))
    .map(([t]) => t);
  const producedBeforeKill = stream.next;
  log(`kill -9 node ${node} (leads ${led.join(', ')}) at record ${producedBeforeKill}`);
  await cluster.kill(node);
  // Replication goes on while the node is down: records produced after the kill reach the copy.
  await waitFor('the stream to go on without the node', async () =>
    stream.acked.length > 0 && stream.acked.at(-1)! >= producedBeforeKill + 200 ? true : undefined,
  );
  await copiedBeyond(
    topics.target,
    producedBeforeKill + 200,
    `records after the kill of node ${node} copied`,
  );
  const during = await leadersOf(topics);
  for (const t of led) assert.ok(!during[t]!.includes(node), `${t}: leadership moved off node ${node}`);
  await whileDown?.();

  await cluster.restart(node);
  await waitFullIsr([topics.source, topics.target]);
  // auto.leader.rebalance: the restarted node leads its partitions again (the old leaders now
  // answer NOT_LEADER_OR_FOLLOWER).
  await waitFor(
    `node ${node} leading again`,
    async () => {
      const now = await leadersOf(topics);
      return JSON.stringify(now) === JSON.stringify(ledBefore) ? true : undefined;
    },
    60_000,
  );
  const producedAfterRestart = stream.next;
  log(`node ${node} back in every ISR and leading again at record ${producedAfterRestart}`);
  await copiedBeyond(
    topics.target,
    producedAfterRestart + 200,
    `records after the restart of node ${node} copied`,
  );
}

async function leadersOf(topics: { source: string; target: string }): Promise<Record<string, number[]>> {
  return {
    [topics.source]: (await partitionInfo(topics.source)).leaders,
    [topics.target]: (await partitionInfo(topics.target)).leaders,
  };
}

/**
 * A partition assigned without a position (so its earliest offset is asked of its leader) after the
 * leader the fetcher had cached died. Regression check: the fetcher used to keep asking the dead
 * broker, so a topic appearing while a broker was down could not be assigned until it came back.
 */
async function staleLeaderCheck(replicas: number[]): Promise<{ whileDown: () => Promise<void> }> {
  const side = uniqueName('lf-side');
  await createTopicsWithLeaders(admin!, [{ topic: side, replicaAssignment: [{ partition: 0, replicas }] }]);
  const p = kafka(cluster.bootstrap).producer({ idempotent: true });
  await p.connect();
  await p.send({ topic: side, acks: -1, messages: ['s0', 's1', 's2'].map((value) => ({ value })) });
  await p.disconnect();
  const client = new ClusterClient('a', cluster.bootstrap.split(','), {
    clientId: 'leader-failover-test',
    connectTimeoutMs: 10_000,
    requestTimeoutMs: 30_000,
  });
  await client.refresh([side]);
  assert.equal(client.leaderOf(side, 0), replicas[0], 'leader cached before the kill');
  const fetcher = new NativeFetcher(client, {
    maxBytes: 1 << 20,
    partitionMaxBytes: 1 << 20,
    maxWaitMs: 100,
  });
  return {
    whileDown: async () => {
      try {
        let failures = 0;
        await waitFor(
          `${side}-0 assigned while its old leader is down`,
          async () => {
            try {
              await fetcher.assign(side, 0, null);
              return true;
            } catch (e) {
              failures++;
              throw e;
            }
          },
          30_000,
        );
        const values: string[] = [];
        await waitFor(`${side}-0 read from its new leader`, async () => {
          for (const b of await fetcher.poll()) values.push(...b.records.map((r) => r.value!.toString()));
          return values.length >= 3 ? true : undefined;
        });
        assert.deepEqual(values, ['s0', 's1', 's2']);
        log(`partition with a dead cached leader assigned after ${failures} failed attempts`);
      } finally {
        fetcher.disconnect();
      }
    },
  };
}

type ConnectorStatus = { connector: { state: string }; tasks: { state: string; trace?: string }[] };

test(
  'kill -9 of the source leader, then of the target leader: nothing lost, order kept',
  { timeout: 300_000 },
  async () => {
    const topic = uniqueName('lf');
    const target = `a.${topic}`;
    const assignment = (replicas: number[]): { partition: number; replicas: number[] }[] =>
      Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, replicas }));
    // The copy is created here (MM2 uses an existing target topic) so its leader differs from the source's.
    await createTopicsWithLeaders(
      admin!,
      [
        { topic, replicaAssignment: assignment(SOURCE_REPLICAS) },
        { topic: target, replicaAssignment: assignment(TARGET_REPLICAS) },
      ].map((t) => ({ ...t, configEntries: [{ name: 'min.insync.replicas', value: '2' }] })),
    );
    assert.deepEqual(await leadersOf({ source: topic, target }), {
      [topic]: Array<number>(PARTITIONS).fill(SOURCE_REPLICAS[0]!),
      [target]: Array<number>(PARTITIONS).fill(TARGET_REPLICAS[0]!),
    });

    const config = writeConfig(
      'leader-failover.properties',
      mm2Properties({
        clusters: 'a, b',
        'a.bootstrap.servers': cluster.bootstrap,
        'b.bootstrap.servers': cluster.bootstrap,
        'a->b.enabled': 'true',
        'b->a.enabled': 'false',
        topics: topic,
        // One cluster under two aliases: replicating heartbeats would copy a.heartbeats to
        // a.a.heartbeats and so on (MM2 too); the heartbeat connector still runs.
        'heartbeats.replication.enabled': 'false',
        'replication.factor': '3',
        'checkpoints.topic.replication.factor': '3',
        'heartbeats.topic.replication.factor': '3',
        'offset-syncs.topic.replication.factor': '3',
      })
        .split('\n')
        .filter((l) => !/^(east|west)\.bootstrap\.servers/.test(l))
        .join('\n'),
    );
    const mirror: MirrorProcess = await startMirror(config);
    const stream = new NumberedStream(cluster.bootstrap, topic);
    const started = Date.now();
    try {
      stream.start();
      await copiedBeyond(target, 300, 'replication running');

      // Phase 1: the fetcher's broker; phase 2: the producer's.
      const side = await staleLeaderCheck(SOURCE_REPLICAS);
      await killAndRestart(SOURCE_REPLICAS[0]!, stream, { source: topic, target }, side.whileDown);
      await killAndRestart(TARGET_REPLICAS[0]!, stream, { source: topic, target });

      await stream.stop();
      log(`produced ${stream.next}: ${stream.acked.length} acknowledged, ${stream.failed} not (send failed)`);
      assert.ok(stream.acked.length > 1000, `enough acknowledged records (${stream.acked.length})`);

      // Everything in the source (acknowledged or not) must arrive in the copy, in order.
      const source = await readAll(cluster.bootstrap, topic);
      const sourceValues = new Set(source.map((r) => r.value));
      for (const n of stream.acked)
        assert.ok(sourceValues.has(`n-${n}`), `acknowledged record ${n} is in the source`);
      let copy: Awaited<ReturnType<typeof readAll>> = [];
      await waitFor(
        'the whole source in the copy',
        async () => {
          copy = await readAll(cluster.bootstrap, target);
          const copied = new Set(copy.map((r) => r.value));
          return [...sourceValues].every((v) => copied.has(v)) ? true : undefined;
        },
        120_000,
      ).catch(() => undefined); // the assertions below say what is missing

      let duplicates = 0;
      const missing: string[] = [];
      for (let p = 0; p < PARTITIONS; p++) {
        const want = source.filter((r) => r.partition === p).map((r) => r.value);
        const got = copy.filter((r) => r.partition === p).map((r) => r.value);
        // First occurrences, in copy order; a resend after a failure repeats records already copied.
        const firsts: string[] = [];
        const seen = new Set<string>();
        for (const v of got) {
          if (seen.has(v)) duplicates++;
          else {
            seen.add(v);
            firsts.push(v);
          }
        }
        missing.push(...want.filter((v) => !seen.has(v)));
        const wanted = new Set(want);
        assert.deepEqual(
          firsts.filter((v) => !wanted.has(v)).slice(0, 10),
          [],
          `partition ${p}: no record the source partition does not have`,
        );
        assert.ok(
          firsts.length === want.length && firsts.every((v, i) => v === want[i]),
          `partition ${p}: records in source order (first difference at ${firsts.findIndex((v, i) => v !== want[i])})`,
        );
      }
      const out = mirror.output();
      writeFileSync(join(tmp, 'leader-failover-mirror.log'), out);
      const warnings = new Map<string, number>();
      for (const line of out.split('\n')) {
        const m = /"level":(\d+).*"msg":"([^"]*)"/.exec(line);
        if (m && Number(m[1]) >= 40) warnings.set(m[2]!, (warnings.get(m[2]!) ?? 0) + 1);
      }
      log(
        `mirror warnings: ${JSON.stringify(Object.fromEntries(warnings))} (log: ${tmp}/leader-failover-mirror.log)`,
      );
      const restarts = out.split('retriable error; restarting task').length - 1;
      const newIds = out.split('taking a new producer id').length - 1;
      log(
        `source ${source.length} records, copy ${copy.length}: ${duplicates} duplicates, ${missing.length} missing; ` +
          `${restarts} task restarts, ${newIds} new producer ids; ${Date.now() - started} ms`,
      );
      assert.deepEqual(missing.slice(0, 20), [], 'no source record missing from the copy');
      const copied = new Set(copy.map((r) => r.value));
      const ackedMissing = stream.acked.filter((n) => !copied.has(`n-${n}`));
      assert.deepEqual(ackedMissing.slice(0, 20), [], 'every acknowledged record copied');

      const statuses = (await mirror.rest('GET', '/connectors?expand=status')).body as Record<
        string,
        { status: ConnectorStatus }
      >;
      assert.ok(Object.keys(statuses).length >= 2, `connectors: ${Object.keys(statuses).join(', ')}`);
      for (const [name, { status }] of Object.entries(statuses)) {
        assert.equal(status.connector.state, 'RUNNING', `${name} connector`);
        assert.equal(status.tasks[0]?.state, 'RUNNING', `${name} task: ${status.tasks[0]?.trace ?? ''}`);
      }
    } catch (err) {
      console.log(mirror.output().split('\n').slice(-60).join('\n'));
      throw err;
    } finally {
      await stream.stop();
      await mirror.stop();
    }
  },
);
