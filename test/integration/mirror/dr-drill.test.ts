/**
 * Disaster-recovery drill (issue #13, item 6) on two private single-node clusters, `east` and `west`,
 * mirrored active-active with MM2's IdentityReplicationPolicy (same topic names on both sides):
 *
 *   east writes  orders (8 partitions), tx (8, transactional: committed and aborted transactions),
 *                compacted (8, cleanup.policy=compact, compacted before the mirror copies it)
 *   west writes  payments (8)
 *
 * Consumer groups commit irregular offsets on east (some far behind, some near the end; one reads
 * west's payments through their copies on east). Then east's broker is killed with SIGKILL, and the
 * real `kgw failover` CLI (a child process) moves every group to west. Each group is then read on
 * west from the offset the CLI committed, as Kafka's own kafka-consumer-groups reports it, and
 * counted by content (every record value is unique): records the group had already read on east and
 * reads again, records on west it had not read and never will (missing), and aborted records it
 * receives. The groups then move on to new irregular offsets on west while west keeps writing,
 * east is restarted, the mirror catches up, `kgw failback` brings the groups home, and the count is
 * taken again on east against what they read on west.
 *
 * Required: 0 re-read, 0 missing, 0 aborted records, for every group and partition, both ways; and
 * the re-read count `kgw failover` prints equals the one counted by content. A group with a live
 * consumer on west is refused and keeps its offsets.
 *
 * Not covered here, on purpose: a partition written in BOTH clusters. One committed offset cannot
 * then be exact for the records of both origins (their relative order differs between the clusters
 * by the replication delay); the CLI takes the lower offset and warns (docs/mirror.md).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Consumer } from 'kafkajs';
import { ClusterClient, tpKey } from '../../../client/cluster.js';
import { commitGroupOffsets, type GroupOffset } from '../../../client/group-offsets.js';
import { readTopicToEnd } from '../../../client/read-to-end.js';
import { IDENTITY_POLICY } from '../../../mirror/config/keys.js';
import { decodeCheckpoint } from '../../../mm2/formats.js';
import { kafkaTool, kcat, startPrivateCluster, type PrivateCluster } from '../../harness/index.js';
import {
  distRoot,
  kafka,
  killAllMirrors,
  mm2Properties,
  readAll,
  startMirror,
  waitFor,
  writeConfig,
  tmp,
  type MirrorProcess,
  type ReadRecord,
} from './helpers.js';
import { mulberry32 as random } from '../../harness/random.js';

// Ports from KGW_PORT_OFFSET: each engineer's offset o owns 10500 + 5o/3 … +499.
const BASE = 10_500 + Math.floor((Number(process.env.KGW_PORT_OFFSET ?? 0) * 5) / 3) + 92;
const PARTITIONS = 8;
const EAST_TOPICS = ['orders', 'tx', 'compacted'];
const WEST_TOPICS = ['payments'];
const TOPICS = [...EAST_TOPICS, ...WEST_TOPICS];
const seed = Number(process.env.DRILL_SEED ?? Date.now() % 1_000_000);

const t0 = Date.now();
const log = (line: string): void =>
  console.log(`[dr-drill +${Math.round((Date.now() - t0) / 1000)}s] ${line}`);

const rand = random(seed);

/** Where in a partition a group stopped: a fraction range of the partition's records. */
interface GroupSpec {
  group: string;
  topics: string[];
  at: [number, number];
}
const GROUPS: GroupSpec[] = [
  { group: 'drill-near', topics: ['orders', 'tx', 'compacted'], at: [0.85, 1] },
  { group: 'drill-far', topics: ['orders', 'tx'], at: [0, 0.08] },
  { group: 'drill-mid', topics: ['orders', 'compacted', 'payments'], at: [0.2, 0.8] },
  { group: 'drill-pay', topics: ['payments'], at: [0.1, 0.9] },
];
const BUSY_GROUP = 'drill-busy';

let east: PrivateCluster;
let west: PrivateCluster;
let mirror: MirrorProcess | undefined;
let busy: Consumer | undefined;
let configFile: string;

async function withAdmin<T>(bootstrap: string, fn: (a: Admin) => Promise<T>): Promise<T> {
  const admin = kafka(bootstrap).admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

before(async () => {
  log(`seed ${seed} (DRILL_SEED=${seed} repeats this run); ports ${BASE}-${BASE + 300}`);
  const overrides = { 'log.cleaner.backoff.ms': '500', 'log.retention.check.interval.ms': '1000' };
  [east, west] = await Promise.all([
    startPrivateCluster('drill-east', { nodes: 1, basePort: BASE, heapMb: 384, overrides }),
    startPrivateCluster('drill-west', { nodes: 1, basePort: BASE + 200, heapMb: 384, overrides }),
  ]);
});

after(async () => {
  await busy?.disconnect().catch(() => undefined);
  await mirror?.stop();
  killAllMirrors();
  await Promise.all([east?.stop(), west?.stop()]);
});

// ---- writing ------------------------------------------------------------------------------------

const compactConfig = [
  { name: 'cleanup.policy', value: 'compact' },
  { name: 'segment.ms', value: '500' },
  { name: 'min.cleanable.dirty.ratio', value: '0.01' },
  { name: 'min.compaction.lag.ms', value: '0' },
  { name: 'delete.retention.ms', value: '100' },
];

async function createTopics(bootstrap: string): Promise<void> {
  await withAdmin(bootstrap, (a) =>
    a.createTopics({
      waitForLeaders: true,
      topics: TOPICS.map((topic) => ({
        topic,
        numPartitions: PARTITIONS,
        ...(topic === 'compacted' ? { configEntries: compactConfig } : {}),
      })),
    }),
  );
}

/** `count` records per partition, value `<prefix>-<partition>-<i>` (unique), in sends of 50. */
async function produce(bootstrap: string, topic: string, prefix: string, count: number): Promise<void> {
  const producer = kafka(bootstrap).producer({ idempotent: true });
  await producer.connect();
  try {
    for (let start = 0; start < count; start += 50)
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: PARTITIONS * Math.min(50, count - start) }, (_, j) => {
          const partition = j % PARTITIONS;
          const i = start + Math.floor(j / PARTITIONS);
          return { partition, key: `k${i % 13}`, value: `${prefix}-${partition}-${i}` };
        }),
      });
  } finally {
    await producer.disconnect();
  }
}

/** Transactions of 3 records per partition; every third is aborted (values `abort-…`). */
async function produceTransactions(bootstrap: string, transactions: number): Promise<void> {
  const producer = kafka(bootstrap).producer({
    transactionalId: 'drill-tx',
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  try {
    for (let t = 0; t < transactions; t++) {
      const abort = t % 3 === 2;
      const txn = await producer.transaction();
      await txn.send({
        topic: 'tx',
        messages: Array.from({ length: PARTITIONS * 3 }, (_, j) => ({
          partition: j % PARTITIONS,
          value: `${abort ? 'abort' : 'tx'}-${j % PARTITIONS}-${t}-${Math.floor(j / PARTITIONS)}`,
        })),
      });
      if (abort) await txn.abort();
      else await txn.commit();
    }
  } finally {
    await producer.disconnect();
  }
}

/**
 * Keyed rounds with time for segments to roll between them, so the cleaner has work: half the keys
 * are rewritten every round (the cleaner keeps only their last value), half are new each round (kept):
 * the compacted log has holes between the records it keeps.
 */
async function produceCompacted(bootstrap: string, rounds: number): Promise<void> {
  const producer = kafka(bootstrap).producer({ idempotent: true });
  await producer.connect();
  try {
    for (let r = 0; r < rounds; r++) {
      await producer.send({
        topic: 'compacted',
        acks: -1,
        messages: Array.from({ length: PARTITIONS * 30 }, (_, j) => {
          const i = Math.floor(j / PARTITIONS);
          return {
            partition: j % PARTITIONS,
            key: i % 2 === 0 ? `hot-${i}` : `cold-${r}-${i}`,
            value: `cmp-${j % PARTITIONS}-${r}-${i}`,
          };
        }),
      });
      await sleep(700);
    }
  } finally {
    await producer.disconnect();
  }
}

/** Offsets missing between records (compaction removed them; control records are gaps too). */
function gaps(records: ReadRecord[]): number {
  let n = 0;
  for (let p = 0; p < PARTITIONS; p++) {
    const offsets = records.filter((r) => r.partition === p).map((r) => r.offset);
    for (let i = 1; i < offsets.length; i++) n += offsets[i]! - offsets[i - 1]! - 1;
  }
  return n;
}

// ---- reading and counting -------------------------------------------------------------------------

type Snapshot = Map<string, ReadRecord[]>; // topic -> records

/** Every record of every drill topic, read with kcat (librdkafka) at the given isolation level. */
async function snapshot(bootstrap: string, isolation = 'read_committed'): Promise<Snapshot> {
  const read = async (topic: string): Promise<ReadRecord[]> => {
    const r = await kcat(
      [
        '-C',
        '-b',
        bootstrap,
        '-t',
        topic,
        '-X',
        `isolation.level=${isolation}`,
        '-o',
        'beginning',
        '-e',
        '-q',
      ].concat(['-f', '%p\t%o\t%k\t%s\n']),
      { timeoutMs: 60_000 },
    );
    if (r.code !== 0) throw new Error(`kcat failed (${r.code}): ${r.stderr}`);
    return r.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        const [p, o, k, v] = l.split('\t');
        return { partition: Number(p), offset: Number(o), key: k ?? '', value: v ?? '', headers: '' };
      });
  };
  return new Map(await Promise.all(TOPICS.map(async (t) => [t, await read(t)] as const)));
}

const inPartition = (s: Snapshot, topic: string, p: number): ReadRecord[] =>
  s.get(topic)!.filter((r) => r.partition === p);

/** A group's committed offsets per topic-partition as Kafka's kafka-consumer-groups --describe shows them. */
async function describeGroups(bootstrap: string): Promise<Map<string, Map<string, number>>> {
  const r = await kafkaTool(
    'consumer-groups',
    ['--bootstrap-server', bootstrap, '--describe', '--all-groups'],
    {
      timeoutMs: 60_000,
    },
  );
  if (r.code !== 0) throw new Error(`kafka-consumer-groups --describe failed: ${r.stderr}`);
  const out = new Map<string, Map<string, number>>();
  for (const line of r.stdout.split('\n')) {
    const m = /^(\S+)\s+(\S+)\s+(\d+)\s+(\d+|-)\s+(\d+|-)\s+/.exec(line);
    if (!m || m[1] === 'GROUP' || m[4] === '-') continue;
    if (!out.has(m[1]!)) out.set(m[1]!, new Map());
    out.get(m[1]!)!.set(tpKey(m[2]!, Number(m[3])), Number(m[4]));
  }
  return out;
}

/** The drill groups' committed offsets, read with kafkajs (quicker than a JVM where the value was set by us). */
async function fetchCommitted(bootstrap: string): Promise<Map<string, Map<string, number>>> {
  return withAdmin(bootstrap, async (admin) => {
    const out = new Map<string, Map<string, number>>();
    for (const spec of GROUPS) {
      const m = new Map<string, number>();
      for (const t of await admin.fetchOffsets({ groupId: spec.group, topics: spec.topics }))
        for (const p of t.partitions)
          if (Number(p.offset) >= 0) m.set(tpKey(t.topic, p.partition), Number(p.offset));
      out.set(spec.group, m);
    }
    return out;
  });
}

interface Count {
  reRead: number;
  missing: number;
  aborted: number;
}

/**
 * By content: `read` = values at or after the group's committed offset on the new cluster (from the
 * beginning without one, auto.offset.reset=earliest); `consumed` = values the group had read before.
 */
function countPartition(records: ReadRecord[], committed: number | undefined, consumed: Set<string>): Count {
  const read = records.filter((r) => committed === undefined || r.offset >= committed).map((r) => r.value);
  const readSet = new Set(read);
  const aborted = read.filter((v) => v.startsWith('abort-')).length;
  const reRead = read.filter((v) => consumed.has(v)).length;
  const missing = records.filter(
    (r) => !r.value.startsWith('abort-') && !consumed.has(r.value) && !readSet.has(r.value),
  ).length;
  return { reRead, missing, aborted };
}

interface CliPartition {
  topic: string;
  partition: number;
  offset: number | null;
  reRead: number | null;
  reReadComplete: boolean | null;
}
interface CliReport {
  sourceReachable: boolean;
  reRead: number;
  groups: {
    group: string;
    committed: boolean;
    refusal: string | null;
    error: string | null;
    warnings: string[];
    partitions: CliPartition[];
  }[];
}

/** Runs the real `kgw` CLI as a child process with the drill's mirror configuration. */
function runKgw(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(distRoot, 'cli/kgw.js'), ...args, '--config', configFile],
      { timeout: 120_000, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        const name = `dr-drill-${args.join('-').replace(/[^\w-]/g, '')}`;
        writeFileSync(join(tmp, `${name}.out`), stdout);
        writeFileSync(join(tmp, `${name}.err`), stderr);
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function runCli(args: string[]): Promise<{ code: number; report: CliReport }> {
  const { code, stdout, stderr } = await runKgw([...args, '--json']);
  try {
    return { code, report: JSON.parse(stdout) as CliReport };
  } catch {
    throw new Error(`kgw ${args.join(' ')} exited ${code} without a JSON report:\n${stdout}\n${stderr}`);
  }
}

interface Phase {
  name: string;
  /** The new cluster's records after the move (read_committed). */
  after: Snapshot;
  /** Offsets committed there, as kafka-consumer-groups shows them. */
  committed: Map<string, Map<string, number>>;
  /** Per group and partition: values the group had read before the move (read_committed). */
  consumed: Map<string, Map<string, Set<string>>>;
  /**
   * The same below its offset, read_uncommitted: a superset of what the CLI's read_committed scan
   * counts, equal where it is compared (aborted values never appear among the committed records).
   */
  below: Map<string, Map<string, Set<string>>>;
  report: CliReport;
}

/**
 * Counts every group's partitions after a move by content, and checks the CLI moved every group and
 * predicted the re-reads the content shows; returns the failures as text (asserted by the caller
 * once everything is printed).
 */
function tally(ph: Phase): string[] {
  const failures: string[] = [];
  const totals = { reRead: 0, missing: 0, aborted: 0 };
  for (const spec of GROUPS) {
    const cli = ph.report.groups.find((g) => g.group === spec.group);
    if (cli === undefined) failures.push(`${ph.name} ${spec.group}: not in the CLI's report`);
    else if (!cli.committed)
      failures.push(`${ph.name} ${spec.group}: not committed: ${cli.refusal ?? cli.error}`);
    const perTopic = new Map<string, Count>();
    for (const topic of spec.topics)
      for (let p = 0; p < PARTITIONS; p++) {
        const key = tpKey(topic, p);
        const records = inPartition(ph.after, topic, p);
        const offset = ph.committed.get(spec.group)?.get(key);
        const c = countPartition(records, offset, ph.consumed.get(spec.group)!.get(key)!);
        const t = perTopic.get(topic) ?? { reRead: 0, missing: 0, aborted: 0 };
        perTopic.set(topic, {
          reRead: t.reRead + c.reRead,
          missing: t.missing + c.missing,
          aborted: t.aborted + c.aborted,
        });
        totals.reRead += c.reRead;
        totals.missing += c.missing;
        totals.aborted += c.aborted;
        if (c.reRead + c.missing + c.aborted > 0)
          failures.push(
            `${ph.name} ${spec.group} ${topic}-${p}: ${c.reRead} re-read, ${c.missing} missing, ${c.aborted} aborted`,
          );
        const row = cli?.partitions.find((r) => r.topic === topic && r.partition === p);
        if (row?.offset != null && row.reReadComplete === true) {
          const below = ph.below.get(spec.group)!.get(key)!;
          const seen = records.filter(
            (r) => offset !== undefined && r.offset >= offset && below.has(r.value),
          ).length;
          if (row.reRead !== seen)
            failures.push(
              `${ph.name} ${spec.group} ${topic}-${p}: the CLI predicted ${row.reRead} re-reads, content shows ${seen}`,
            );
        }
      }
    log(
      `${ph.name} ${spec.group}: ` +
        [...perTopic]
          .map(([t, c]) => `${t} ${c.reRead} re-read/${c.missing} missing/${c.aborted} aborted`)
          .join(', '),
    );
  }
  log(
    `${ph.name} total: ${totals.reRead} re-read, ${totals.missing} missing, ${totals.aborted} aborted records`,
  );
  for (const f of failures.slice(0, 40)) log(`  ${f}`);
  return failures;
}

/** Each group's consumed values per partition: those below its committed offset in `s`. */
function consumedSets(
  s: Snapshot,
  committed: Map<string, Map<string, number>>,
): Map<string, Map<string, Set<string>>> {
  const out = new Map<string, Map<string, Set<string>>>();
  for (const spec of GROUPS) {
    const m = new Map<string, Set<string>>();
    for (const topic of spec.topics)
      for (let p = 0; p < PARTITIONS; p++) {
        const c = committed.get(spec.group)?.get(tpKey(topic, p));
        const values = inPartition(s, topic, p)
          .filter((r) => c !== undefined && r.offset < c)
          .map((r) => r.value);
        m.set(tpKey(topic, p), new Set(values));
      }
    out.set(spec.group, m);
  }
  return out;
}

/**
 * Commits offsets into groups without members, one OffsetCommit per group (what a tool's reset does;
 * kafkajs' setOffsets would join each group once per topic, which costs seconds each). What was
 * committed is read back with kafkajs (fetchCommitted) before anything is counted against it.
 */
async function commitOffsets(bootstrap: string, group: string, offsets: GroupOffset[]): Promise<void> {
  const client = new ClusterClient('drill', bootstrap.split(','), {
    clientId: 'dr-drill',
    connectTimeoutMs: 5000,
    requestTimeoutMs: 15_000,
  });
  try {
    await commitGroupOffsets(client, group, offsets);
  } finally {
    client.close();
  }
}

/** Commits, for every group, an irregular offset in its range of each partition (after `from`, if given). */
async function commitIrregular(
  bootstrap: string,
  s: Snapshot,
  from: Map<string, Map<string, number>> | undefined,
): Promise<void> {
  for (const spec of GROUPS) {
    const offsets = spec.topics.flatMap((topic) =>
      Array.from({ length: PARTITIONS }, (_, partition) => {
        const records = inPartition(s, topic, partition);
        const start = from?.get(spec.group)?.get(tpKey(topic, partition)) ?? 0;
        const end = (records.at(-1)?.offset ?? -1) + 1;
        const span = Math.max(0, end - start);
        const [lo, hi] = spec.at;
        const offset = start + Math.floor(span * (lo + (hi - lo) * rand()));
        return { topic, partition, offset: BigInt(Math.min(offset, end)) };
      }),
    );
    await commitOffsets(bootstrap, spec.group, offsets);
  }
}

/** Waits until the checkpoints in `<from>.checkpoints.internal` on `on` carry every commit of `groups` on `topics`. */
async function checkpointsCaughtUp(
  on: PrivateCluster,
  from: string,
  committed: Map<string, Map<string, number>>,
  topics: string[],
): Promise<void> {
  await waitFor(
    `${from}.checkpoints.internal on ${on.spec.name} carrying the groups' commits on ${topics.join(', ')}`,
    async () => {
      const client = new ClusterClient('drill', on.bootstrap.split(','), {
        clientId: 'dr-drill',
        connectTimeoutMs: 5000,
        requestTimeoutMs: 15_000,
      });
      const seen = new Map<string, bigint>();
      try {
        await readTopicToEnd(client, `${from}.checkpoints.internal`, (_p, r) => {
          if (r.key === null || r.value === null) return;
          const c = decodeCheckpoint(r.key, r.value);
          seen.set(`${c.group}\u0000${tpKey(c.topic, c.partition)}`, c.upstreamOffset);
        });
      } finally {
        client.close();
      }
      for (const spec of GROUPS)
        for (const topic of spec.topics.filter((t) => topics.includes(t)))
          for (let p = 0; p < PARTITIONS; p++) {
            const want = committed.get(spec.group)?.get(tpKey(topic, p));
            if (want !== undefined && seen.get(`${spec.group}\u0000${tpKey(topic, p)}`) !== BigInt(want))
              return undefined;
          }
      return true;
    },
    90_000,
  );
}

/** Waits until every value of `topics` on `from` is also on `to` (the mirror caught up). */
async function mirrored(from: string, to: string, topics: string[], what: string): Promise<void> {
  await waitFor(
    what,
    async () => {
      for (const topic of topics) {
        const there = new Set((await readAll(to, topic)).map((r) => r.value));
        for (const r of await readAll(from, topic)) if (!there.has(r.value)) return undefined;
      }
      return true;
    },
    120_000,
  );
}

// ---- the drill --------------------------------------------------------------------------------------

test(
  'DR drill: kill -9 east, fail every group over to west, fail back: 0 re-read, 0 missing',
  { timeout: 600_000 },
  async () => {
    const E = east.bootstrap;
    const W = west.bootstrap;
    log('clusters up');
    await Promise.all([createTopics(E), createTopics(W)]);
    await Promise.all([
      produce(E, 'orders', 'ord', 150),
      produceTransactions(E, 30),
      produceCompacted(E, 8),
      produce(W, 'payments', 'pay', 120),
    ]);
    log('written');
    // The cleaner compacts east's topic before the mirror copies it: the copy has gaps to translate.
    const holes = await waitFor(
      'compaction on east',
      async () => ((g) => (g > 0 ? g : undefined))(gaps(await readAll(E, 'compacted'))),
      60_000,
    );
    log(
      `east compacted: ${holes} offsets removed; tx: ${gaps(await readAll(E, 'tx'))} offsets of aborted records and markers`,
    );

    configFile = writeConfig(
      'dr-drill.properties',
      mm2Properties({
        'east.bootstrap.servers': E,
        'west.bootstrap.servers': W,
        'east->west.enabled': 'true',
        'west->east.enabled': 'true',
        'replication.policy.class': IDENTITY_POLICY,
        topics: TOPICS.join(', '),
        groups: 'drill-.*',
      }),
    );
    mirror = await startMirror(configFile);
    await mirrored(E, W, EAST_TOPICS, "east's topics on west");
    await mirrored(W, E, WEST_TOPICS, "west's payments on east");
    log('mirror caught up');

    // Groups stop at irregular offsets on east; a group with a live consumer on west must be refused.
    await commitIrregular(E, await snapshot(E), undefined);
    await commitOffsets(E, BUSY_GROUP, [{ topic: 'orders', partition: 0, offset: 5n }]);
    await commitOffsets(W, BUSY_GROUP, [{ topic: 'orders', partition: 0, offset: 1n }]);
    busy = kafka(W).consumer({ groupId: BUSY_GROUP, sessionTimeout: 10_000, heartbeatInterval: 1000 });
    await busy.connect();
    await busy.subscribe({ topics: ['payments'] });
    await busy.run({ eachMessage: async () => undefined });
    const eastCommitted = await fetchCommitted(E);
    log('groups committed on east');
    await checkpointsCaughtUp(west, 'east', eastCommitted, TOPICS);
    log('checkpoints caught up');
    const eastConsumed = consumedSets(await snapshot(E), eastCommitted);
    const eastBelow = consumedSets(await snapshot(E, 'read_uncommitted'), eastCommitted);
    // Writes go on in both clusters up to the failure; some of east's are never copied before it.
    await Promise.all([produce(E, 'orders', 'late', 10), produce(W, 'payments', 'pay2', 10)]);

    log('kill -9 east');
    await east.kill(1);
    const failover = await runCli([
      'failover',
      '--group',
      'drill-.*',
      '--from',
      'east',
      '--to',
      'west',
      '--execute',
    ]);
    log(`kgw failover exited ${failover.code}; predicted re-reads ${failover.report.reRead}`);
    for (const g of failover.report.groups)
      for (const w of g.warnings) log(`  failover warning ${g.group}: ${w}`);
    // The checkpoints cover the copies of west's records too: no record on west is of unknown status.
    const unknown = failover.report.groups.flatMap((g) =>
      g.warnings.filter((w) => /cannot be known/.test(w)).map((w) => `${g.group}: ${w}`),
    );
    assert.deepEqual(unknown, [], 'no record of unknown status after failover');
    const westCommitted = await describeGroups(W);
    const westAfter = await snapshot(W);
    const failures = tally({
      name: 'failover',
      after: westAfter,
      committed: westCommitted,
      consumed: eastConsumed,
      below: eastBelow,
      report: failover.report,
    });

    const busyReport = failover.report.groups.find((g) => g.group === BUSY_GROUP);
    assert.match(
      busyReport?.refusal ?? '',
      /active members on west/,
      'the group with a live consumer on west is refused',
    );
    assert.equal(
      westCommitted.get(BUSY_GROUP)?.get(tpKey('orders', 0)),
      1,
      "the refused group's offset is unchanged",
    );
    await busy.disconnect();
    busy = undefined;

    // On west the groups read on and stop at new irregular offsets; west keeps writing; east comes back.
    await commitIrregular(W, westAfter, westCommitted);
    await produce(W, 'payments', 'pay3', 20);
    log('groups moved on west');
    await east.restart(1);
    log('east restarted');
    await mirrored(E, W, EAST_TOPICS, "east's unmirrored records on west");
    await mirrored(W, E, WEST_TOPICS, "west's new payments on east");
    const westMoved = await fetchCommitted(W);
    await checkpointsCaughtUp(east, 'west', westMoved, TOPICS);
    log('mirror caught up again, checkpoints caught up');
    const westConsumed = consumedSets(await snapshot(W), westMoved);
    const westBelow = consumedSets(await snapshot(W, 'read_uncommitted'), westMoved);

    // The plan alone (the default; --dry-run says so) commits nothing.
    const homeBefore = await fetchCommitted(E);
    const plan = await runKgw([
      'failback',
      '--group',
      'drill-.*',
      '--from',
      'west',
      '--to',
      'east',
      '--dry-run',
    ]);
    console.log(plan.stdout);
    assert.match(plan.stdout, /GROUP +TOPIC +PARTITION +OFFSET-ON-WEST +NEW-OFFSET-ON-EAST/);
    assert.match(plan.stdout, /Nothing was committed: this is the plan/);
    assert.deepEqual(await fetchCommitted(E), homeBefore, 'a plan commits nothing');

    const failback = await runCli([
      'failback',
      '--group',
      'drill-.*',
      '--from',
      'west',
      '--to',
      'east',
      '--execute',
    ]);
    log(`kgw failback exited ${failback.code}; predicted re-reads ${failback.report.reRead}`);
    for (const g of failback.report.groups)
      for (const w of g.warnings) log(`  failback warning ${g.group}: ${w}`);
    failures.push(
      ...tally({
        name: 'failback',
        after: await snapshot(E),
        committed: await describeGroups(E),
        consumed: westConsumed,
        below: westBelow,
        report: failback.report,
      }),
    );
    log('done');
    assert.deepEqual(
      failures,
      [],
      'every group moved, no record read again, none missing, no aborted record delivered',
    );
  },
);
