/**
 * Mirror cluster benchmark (issue #15 item 4, the worker half): one `kgw mirror` worker vs two on a
 * 16-partition flow, and the rebalance times of a worker joining, leaving (SIGTERM → LeaveGroup) and
 * being killed with -9 (noticed after session.timeout.ms).
 *
 *   node dist/bench/mirror/workers.js [records] [tasks.max]     (defaults 160000, 4)
 *
 * One private single-node cluster (broker 23100, its KRaft controller 23200) serves as both the
 * source alias `east` and the target alias `west` (DefaultReplicationPolicy: east.<topic>), so the
 * machine runs one Kafka JVM. Each row mirrors its own copy of the data (`<records>` small numbered
 * records written beforehand); records/s is taken from the first record on the target to the last,
 * counted on the target, after the workers settled. Connect's default timeouts
 * (session.timeout.ms 10000, heartbeat.interval.ms 3000). Rebalance times are measured from outside:
 * from the kill / SIGTERM / process spawn to every live worker's GET /workers showing the new
 * generation; the leader's own "rebalance completed" duration (join + sync) is printed beside it.
 */
import kafkajs from 'kafkajs';
import { startPrivateCluster, createTopicsWithLeaders } from '../../test/harness/index.js';
import { startMirror, writeConfig, type MirrorProcess } from '../../test/integration/mirror/helpers.js';
import { writeNumbered } from './failover-reread.js';

const { Kafka, logLevel } = kafkajs;
const RECORDS = Number(process.argv[2] ?? 160_000);
const TASKS_MAX = Number(process.argv[3] ?? 4);
const PARTITIONS = 16;
const log = (s: string): void => console.error(`[bench] ${s}`);

interface WorkersBody {
  generation: number | null;
  workers: { worker_id: string; tasks: unknown[] }[];
  last_rebalance: { duration_ms: number } | null;
}

async function view(m: MirrorProcess): Promise<WorkersBody> {
  return (await m.rest('GET', '/workers')).body as WorkersBody;
}

/** Waits until every live worker reports one generation newer than `after` with `size` members. */
async function settle(live: MirrorProcess[], size: number, after: number): Promise<WorkersBody> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const views = await Promise.all(live.map((m) => view(m).catch(() => undefined)));
    const g = views[0]?.generation ?? null;
    if (g !== null && g > after && views.every((v) => v?.generation === g && v.workers.length === size))
      return views[0]!;
    if (Date.now() > deadline) throw new Error(`workers did not settle at ${size}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function targetCount(bootstrap: string, topic: string): Promise<number> {
  const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return 0;
    return (await admin.fetchTopicOffsets(topic)).reduce((s, o) => s + Number(o.high), 0);
  } catch {
    return 0;
  } finally {
    await admin.disconnect();
  }
}

function config(bootstrap: string, topic: string, group: string): string {
  return writeConfig(
    `${topic}.properties`,
    [
      'clusters = east, west',
      `east.bootstrap.servers = ${bootstrap}`,
      `west.bootstrap.servers = ${bootstrap}`,
      'east->west.enabled = true',
      `topics = ${topic}`,
      'replication.factor = 1',
      'offset-syncs.topic.replication.factor = 1',
      'heartbeats.topic.replication.factor = 1',
      'checkpoints.topic.replication.factor = 1',
      'emit.heartbeats.enabled = false',
      'emit.checkpoints.enabled = false',
      'refresh.topics.interval.seconds = 5',
      'kgw.rest.port = 0',
      'kgw.workers.enabled = true',
      `group.id = ${group}`,
      `tasks.max = ${TASKS_MAX}`,
    ].join('\n'),
  );
}

/** Mirrors `topic` with `n` workers; returns records/s on the target and the workers (left running). */
async function throughput(
  bootstrap: string,
  topic: string,
  n: number,
): Promise<{ rate: number; workers: MirrorProcess[]; generation: number }> {
  const file = config(bootstrap, topic, `bench-workers-${topic}`);
  const workers = await Promise.all(Array.from({ length: n }, () => startMirror(file)));
  const settled = await settle(workers, n, -1);
  const target = `east.${topic}`;
  let first = 0;
  for (;;) {
    const c = await targetCount(bootstrap, target);
    if (c > 0 && first === 0) first = performance.now();
    if (c >= RECORDS) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - first) / 1000;
  return { rate: Math.round(RECORDS / seconds), workers, generation: settled.generation! };
}

async function main(): Promise<void> {
  log('starting a private single-node cluster on port 23100');
  const cluster = await startPrivateCluster('bench-workers', { basePort: 23100, heapMb: 512 });
  const bootstrap = cluster.bootstrap;
  const all: MirrorProcess[] = [];
  try {
    const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await createTopicsWithLeaders(admin, [
      { topic: 'wbench-1', numPartitions: PARTITIONS },
      { topic: 'wbench-2', numPartitions: PARTITIONS },
    ]);
    await admin.disconnect();
    for (const t of ['wbench-1', 'wbench-2'])
      await writeNumbered(bootstrap, t, PARTITIONS, RECORDS / PARTITIONS);
    log(`wrote ${RECORDS} records to each of wbench-1, wbench-2`);

    const one = await throughput(bootstrap, 'wbench-1', 1);
    all.push(...one.workers);
    await Promise.all(one.workers.map((w) => w.stop()));
    log(`1 worker: ${one.rate} records/s`);
    const two = await throughput(bootstrap, 'wbench-2', 2);
    all.push(...two.workers);
    log(`2 workers: ${two.rate} records/s`);

    // Rebalances on the two-worker cluster (the flow is caught up; the drills time membership only).
    const [a, b] = two.workers as [MirrorProcess, MirrorProcess];
    const file = config(bootstrap, 'wbench-2', 'bench-workers-wbench-2');
    let t = performance.now();
    await b.kill9();
    let v = await settle([a], 1, two.generation);
    const kill = performance.now() - t;
    t = performance.now();
    const c = await startMirror(file);
    all.push(c);
    v = await settle([a, c], 2, v.generation!);
    const join = performance.now() - t;
    const joinInternal = v.last_rebalance?.duration_ms ?? NaN;
    t = performance.now();
    await c.stop();
    v = await settle([a], 1, v.generation!);
    const leave = performance.now() - t;
    const leaveInternal = v.last_rebalance?.duration_ms ?? NaN;

    console.log(
      `\n## kgw mirror cluster, ${PARTITIONS} partitions, ${RECORDS} records, tasks.max ${TASKS_MAX}\n`,
    );
    console.log('| workers | records/s |');
    console.log('|---:|---:|');
    console.log(`| 1 | ${one.rate} |`);
    console.log(`| 2 | ${two.rate} |`);
    console.log('\n| rebalance | observed (ms) | leader join+sync (ms) |');
    console.log('|---|---:|---:|');
    console.log(`| kill -9 (session.timeout.ms 10000) | ${Math.round(kill)} | — |`);
    console.log(`| join (from process spawn) | ${Math.round(join)} | ${joinInternal} |`);
    console.log(`| leave (SIGTERM, LeaveGroup) | ${Math.round(leave)} | ${leaveInternal} |`);
  } finally {
    for (const m of all) await m.stop().catch(() => undefined);
    await cluster.stop();
  }
}

await main();
