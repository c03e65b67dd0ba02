/**
 * kgw mirror vs Apache MirrorMaker 2 (dedicated mode) on the same machine, same clusters, same run.
 *
 *   node dist/bench/mirror/mirror-vs-mm2.js [records=200000] [steadyRate=2000] [steadySeconds=15] [failoverRecords=200000]
 *   KGW_BASELINE_DIST=<dist of an earlier build>  adds that build as "kgw-before" (same measurements)
 *   KGW_BENCH_EXACTLY_ONCE=1  adds "kgw-eos" and "mm2-eos": the same mirrors with the worker key
 *                             exactly.once.source.support = enabled (MM2 dedicated mode, KIP-618)
 *   KGW_BENCH_PORTS=<east>,<west>  the private clusters' base ports (default 17092,18092)
 *
 * Starts two private single-node clusters, then for each mirror:
 *  1. bulk: `records` × 1 KiB over 8 partitions already on the source; throughput and CPU (the mirror
 *     process' user+sys time from /proc) measured from the first record on the target to the last,
 *     so start-up is excluded; CPU per record = that CPU time / records.
 *  2. steady: `steadyRate` records/s for `steadySeconds`; replication latency = the target's
 *     LogAppendTime minus the send time carried in the value; p50 / p99.
 *  3. failover: `failoverRecords` small records over 8 partitions, a group committed at irregular
 *     offsets on the source (the same for every mirror), translated through the mirror's checkpoints
 *     with Apache Kafka's RemoteClusterUtils, and each partition read on the target from there:
 *     records re-read and skipped, counted by content (failover-reread.ts).
 *  Also the offset syncs each mirror wrote (the cost of exact translation's denser syncs).
 * Prints one row per mirror and the kgw/MM2 ratios.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { javaCommand } from '../../deploy/kafka/runtime.js';
import { KAFKA_TOOLS, runKafkaTool, runKcat, toolLog4jConfig } from '../../deploy/kafka/tools.js';
import {
  createTopicsWithLeaders,
  startPrivateCluster,
  type PrivateCluster,
} from '../../test/harness/index.js';
import { measureFailover, topicSize, writeNumbered, type FailoverResult } from './failover-reread.js';

const { Kafka, logLevel } = kafkajs;
const RECORDS = Number(process.argv[2] ?? 200_000);
const RATE = Number(process.argv[3] ?? 2000);
const SECONDS = Number(process.argv[4] ?? 15);
const FAILOVER_RECORDS = Number(process.argv[5] ?? 200_000);
const BASELINE_DIST = process.env.KGW_BASELINE_DIST;
const EXACTLY_ONCE = process.env.KGW_BENCH_EXACTLY_ONCE === '1';
const [EAST_PORT, WEST_PORT] = (process.env.KGW_BENCH_PORTS ?? '17092,18092').split(',').map(Number) as [
  number,
  number,
];
const PARTITIONS = 8;
const distRoot = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kgw-bench-mirror-'));
const log = (s: string): void => console.error(`[bench] ${s}`);

interface Result {
  name: string;
  recordsPerSec: number;
  cpuMsPerRecord: number;
  cpuMsTotal: number;
  p50: number;
  p99: number;
  steadyCount: number;
  failover: FailoverResult;
  /** Offset syncs the mirror wrote over the whole run, and records it mirrored. */
  syncs: number;
  mirrored: number;
}

function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime in clock ticks (100 Hz)
}

async function sumEnd(bootstrap: string, topic: string): Promise<number> {
  const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return 0;
    return (await admin.fetchTopicOffsets(topic)).reduce((s, o) => s + Number(o.high), 0);
  } catch {
    return 0; // a topic the mirror just created may not have leaders yet
  } finally {
    await admin.disconnect();
  }
}

async function createTopic(
  bootstrap: string,
  topic: string,
  configs: Record<string, string> = {},
): Promise<void> {
  const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await createTopicsWithLeaders(admin, [
      {
        topic,
        numPartitions: PARTITIONS,
        configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
      },
    ]);
  } finally {
    await admin.disconnect();
  }
}

/** Produces at RATE/s for SECONDS (fewer when the machine cannot keep up); returns how many. */
async function steadyProduce(bootstrap: string, topic: string): Promise<number> {
  const producer = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const pad = 'x'.repeat(1000);
  const perTick = Math.max(1, Math.round(RATE / 20));
  const start = Date.now();
  let sent = 0;
  while (Date.now() - start < SECONDS * 1000) {
    await producer.send({
      topic,
      acks: 1,
      messages: Array.from({ length: perTick }, () => ({ value: `${Date.now()} ${pad}` })),
    });
    sent += perTick;
    const due = start + (sent / RATE) * 1000;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
  }
  await producer.disconnect();
  return sent;
}

async function latencies(bootstrap: string, topic: string): Promise<number[]> {
  const r = await runKcat(
    // read_uncommitted: see failover-reread.ts (the exactly-once rows end partitions with markers).
    [
      '-C',
      '-b',
      bootstrap,
      '-t',
      topic,
      '-o',
      'beginning',
      '-e',
      '-q',
      '-X',
      'isolation.level=read_uncommitted',
      '-f',
      '%T %s\n',
    ],
    { timeoutMs: 120_000 },
  );
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [appended, sentAt] = l.split(' ');
      return Number(appended) - Number(sentAt);
    })
    .sort((a, b) => a - b);
}

const pct = (xs: number[], p: number): number =>
  xs[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? NaN;

async function runOne(
  name: string,
  east: string,
  west: string,
  start: (topics: string) => ChildProcess,
): Promise<Result> {
  const bulk = `bulk-${name}`;
  const steady = `steady-${name}`;
  const failover = `failover-${name}`;
  await createTopic(east, bulk);
  await createTopic(east, steady);
  await createTopic(east, failover);
  const syncsBefore = await topicSize(east, 'mm2-offset-syncs.west.internal');
  // The target of the steady run records append time, so latency = append time on west - send time.
  await createTopic(west, `east.${steady}`, { 'message.timestamp.type': 'LogAppendTime' });
  log(`${name}: producing ${RECORDS} × 1 KiB to ${bulk}`);
  const perf = await runKafkaTool(
    'producer-perf-test',
    [
      '--topic',
      bulk,
      '--num-records',
      String(RECORDS),
      '--record-size',
      '1024',
      '--throughput',
      '-1',
      '--producer-props',
      `bootstrap.servers=${east}`,
      'acks=1',
      'linger.ms=5',
    ],
    { heapMb: 512 },
  );
  if (perf.code !== 0) throw new Error(perf.stderr);
  const child = start(`${bulk}, ${steady}, ${failover}`);
  // If the benchmark dies, do not leave the mirror running.
  const killChild = (): void => void child.kill('SIGKILL');
  process.once('exit', killChild);
  let cpuStart = 0;
  let first = 0;
  for (;;) {
    const n = await sumEnd(west, `east.${bulk}`);
    if (n > 0 && first === 0) {
      // Start-up (JVM start, JIT, Connect herder; Node start, connections) is excluded from both figures.
      first = performance.now();
      cpuStart = cpuMs(child.pid!);
    }
    if (n >= RECORDS) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const elapsed = (performance.now() - first) / 1000;
  const cpu = cpuMs(child.pid!) - cpuStart;
  log(`${name}: bulk ${RECORDS} in ${elapsed.toFixed(1)} s; steady ${RATE}/s for ${SECONDS} s`);
  const sent = await steadyProduce(east, steady);
  for (;;) {
    if ((await sumEnd(west, `east.${steady}`)) >= sent) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const perPartition = Math.floor(FAILOVER_RECORDS / PARTITIONS);
  log(`${name}: failover: ${perPartition * PARTITIONS} records, a group at irregular offsets`);
  await writeNumbered(east, failover, PARTITIONS, perPartition);
  while ((await sumEnd(west, `east.${failover}`)) < perPartition * PARTITIONS)
    await new Promise((r) => setTimeout(r, 500));
  const failed = await measureFailover({
    east,
    west,
    topic: failover,
    remoteTopic: `east.${failover}`,
    group: `bench-group-${name}`,
    partitions: PARTITIONS,
    perPartition,
    seed: 13,
    waitMs: 90_000,
  });
  child.kill('SIGKILL');
  const syncs = (await topicSize(east, 'mm2-offset-syncs.west.internal')) - syncsBefore;
  const lat = await latencies(west, `east.${steady}`);
  return {
    name,
    recordsPerSec: RECORDS / elapsed,
    cpuMsTotal: cpu,
    cpuMsPerRecord: cpu / RECORDS,
    p50: pct(lat, 50),
    p99: pct(lat, 99),
    steadyCount: lat.length,
    failover: failed,
    syncs,
    mirrored: RECORDS + lat.length + perPartition * PARTITIONS,
  };
}

function mm2Properties(east: string, west: string, topics: string, extra: string[]): string {
  return [
    'clusters = east, west',
    `east.bootstrap.servers = ${east}`,
    `west.bootstrap.servers = ${west}`,
    'east->west.enabled = true',
    `east->west.topics = ${topics}`,
    'replication.factor = 1',
    'checkpoints.topic.replication.factor = 1',
    'heartbeats.topic.replication.factor = 1',
    'offset-syncs.topic.replication.factor = 1',
    'offset.storage.replication.factor = 1',
    'status.storage.replication.factor = 1',
    'config.storage.replication.factor = 1',
    'refresh.topics.interval.seconds = 5',
    'refresh.groups.interval.seconds = 1',
    'emit.checkpoints.interval.seconds = 1',
    'groups = bench-group-.*',
    'sync.topic.acls.enabled = false',
    ...extra,
  ].join('\n');
}

let clusters: PrivateCluster[] = [];
try {
  log(`starting private clusters bench-east (${EAST_PORT}) and bench-west (${WEST_PORT})`);
  clusters = await Promise.all([
    startPrivateCluster('bench-east', { basePort: EAST_PORT, heapMb: 512 }),
    startPrivateCluster('bench-west', { basePort: WEST_PORT, heapMb: 512 }),
  ]);
  const [east, west] = clusters.map((c) => c.bootstrap) as [string, string];

  const EOS = ['exactly.once.source.support = enabled'];
  const kgwMirror =
    (name: string, dist: string, extra: string[] = []) =>
    (topics: string): ChildProcess => {
      const file = join(dir, `${name}.properties`);
      writeFileSync(
        file,
        mm2Properties(east, west, topics, ['kgw.rest.port = -1', 'tasks.max = 1', ...extra]),
      );
      return spawn(process.execPath, [join(dist, 'cli/kgw.js'), 'mirror', '--config', file], {
        stdio: 'ignore',
      });
    };
  const results: Result[] = [];
  if (BASELINE_DIST !== undefined)
    results.push(await runOne('kgw-before', east, west, kgwMirror('kgw-before', BASELINE_DIST)));
  results.push(await runOne('kgw', east, west, kgwMirror('kgw', distRoot)));
  if (EXACTLY_ONCE) results.push(await runOne('kgw-eos', east, west, kgwMirror('kgw-eos', distRoot, EOS)));
  const mm2Mirror =
    (name: string, extra: string[] = []) =>
    (topics: string): ChildProcess => {
      const file = join(dir, `${name}.properties`);
      writeFileSync(file, mm2Properties(east, west, topics, ['tasks.max = 1', ...extra]));
      // The same command runKafkaTool('mirror-maker', [file]) runs, spawned here to read its CPU time.
      const { cmd, args } = javaCommand(KAFKA_TOOLS['mirror-maker'], [file], {
        heapMb: 512,
        log4jConfig: toolLog4jConfig(),
      });
      return spawn(cmd, args, { stdio: 'ignore' });
    };
  const mm2 = await runOne('mm2', east, west, mm2Mirror('mm2'));
  results.push(mm2);
  const mm2Eos = EXACTLY_ONCE ? await runOne('mm2-eos', east, west, mm2Mirror('mm2-eos', EOS)) : undefined;
  if (mm2Eos) results.push(mm2Eos);
  const row = (r: Result): string =>
    `| ${r.name} | ${r.recordsPerSec.toFixed(0)} | ${r.cpuMsPerRecord.toFixed(4)} | ${r.p50} / ${r.p99} | ` +
    `${r.failover.reRead} | ${r.failover.skipped} | ${r.failover.exactPartitions}/${PARTITIONS}` +
    `${r.failover.missingCheckpoints > 0 ? ` (${r.failover.missingCheckpoints} without checkpoint)` : ''} | ` +
    `${r.syncs} (${((r.syncs * 1000) / r.mirrored).toFixed(2)}/1k) |`;
  console.log(
    `mirror benchmark: ${RECORDS} × 1 KiB over ${PARTITIONS} partitions; steady ${RATE}/s for ${SECONDS} s; ` +
      `failover: ${FAILOVER_RECORDS} records, group at ${results[0]!.failover.consumed} consumed`,
  );
  console.log(
    '| mirror | rec/s | CPU ms/rec | p50 / p99 ms | re-read | skipped | exact partitions | offset syncs written |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) console.log(row(r));
  const ratio = (r: Result, base: Result): string =>
    `ratio ${r.name}/${base.name}: throughput ${(r.recordsPerSec / base.recordsPerSec).toFixed(2)}, CPU/record ${(r.cpuMsPerRecord / base.cpuMsPerRecord).toFixed(2)}, p50 ${(r.p50 / base.p50).toFixed(2)}, p99 ${(r.p99 / base.p99).toFixed(2)}`;
  for (const r of results.filter((x) => x !== mm2 && x !== mm2Eos)) console.log(ratio(r, mm2));
  const kgwEos = results.find((r) => r.name === 'kgw-eos');
  const kgw = results.find((r) => r.name === 'kgw')!;
  if (kgwEos && mm2Eos) {
    console.log(ratio(kgwEos, mm2Eos));
    console.log(ratio(kgwEos, kgw)); // the cost of exactly-once in kgw
    console.log(ratio(mm2Eos, mm2)); // and in MM2
  }
} finally {
  await Promise.all(clusters.map((c) => c.stop()));
}
