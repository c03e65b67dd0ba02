/**
 * Copies of aborted transactions left on the target by a killed exactly-once mirror, and what a
 * consumer group that read those copies' partitions on the target gets when it goes back home
 * (failback): the reverse flow's checkpoint (its copies index, mirror/checkpoint/target-copies.ts)
 * and `kgw failback` (its copies search, mirror/failover/scan.ts) must both put it on the first
 * original it has not read, counted by content: 0 re-read, 0 missing.
 *
 * Which records are aborted is told by Kafka's own clients: the console consumer (read_committed, as
 * the group reads) prints the committed ones with their offsets, kcat (read_uncommitted) every one.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { kafkaTool, uniqueName } from '../../harness/index.js';
import { ClusterClient } from '../../../client/cluster.js';
import { topicOffsets } from '../../../client/read-to-end.js';
import { EAST, WEST, distRoot, kafka, mm2Properties, startMirror, waitFor, writeConfig } from './helpers.js';
import { explainedBy } from './kafka-tools.js';
import { latestCheckpoints, partitionRecords, setGroupOffsets } from './translation-check.js';

/**
 * Whether some partition of `topic` has a transaction open now: its last stable offset (ListOffsets
 * READ_COMMITTED) is below its high watermark. Kafka's answer, asked with the project's client.
 */
export async function hasOpenTransaction(bootstrap: string, topic: string): Promise<boolean> {
  const client = new ClusterClient('probe', [bootstrap], {
    clientId: 'kgw-test-probe',
    connectTimeoutMs: 5000,
    requestTimeoutMs: 15_000,
  });
  try {
    const stable = await topicOffsets(client, topic, { isolationLevel: 'read_committed' });
    const high = await topicOffsets(client, topic);
    return stable.some((s) => s.high < high.find((h) => h.partition === s.partition)!.high);
  } finally {
    client.close();
  }
}

/**
 * Fences `transactionalId` with kafkajs (InitProducerId, what Admin.fenceProducers sends): the
 * coordinator aborts the transaction the dead mirror left open, as it would after
 * transaction.timeout.ms, and nothing is copied after it (no mirror runs).
 */
export async function fence(bootstrap: string, transactionalId: string): Promise<void> {
  const producer = kafka(bootstrap).producer({ transactionalId, maxInFlightRequests: 1, idempotent: true });
  await producer.connect();
  try {
    const tx = await producer.transaction(); // InitProducerId: bumps the epoch, aborts the open one
    await tx.abort(); // nothing was added: no EndTxn is sent
  } finally {
    await producer.disconnect();
  }
}

interface Committed {
  partition: number;
  offset: number;
  value: string;
}

/** The console consumer, read_committed, as group `group` (it commits its position on close). */
async function consumeAsGroup(bootstrap: string, topic: string, group: string): Promise<Committed[]> {
  const r = await kafkaTool(
    'console-consumer',
    [
      '--bootstrap-server',
      bootstrap,
      '--topic',
      topic,
      '--group',
      group,
      '--from-beginning',
      '--isolation-level',
      'read_committed',
      '--timeout-ms',
      '2500',
      '--property',
      'print.partition=true',
      '--property',
      'print.offset=true',
    ],
    { timeoutMs: 120_000 },
  );
  const out: Committed[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /Partition:(\d+)\s+Offset:(\d+)\s+(\S+)$/.exec(line);
    if (m) out.push({ partition: Number(m[1]), offset: Number(m[2]), value: m[3]! });
  }
  assert.ok(out.length > 0, `console consumer read nothing (${r.code}): ${r.stderr.slice(-2000)}`);
  return out;
}

async function committedOffsets(
  bootstrap: string,
  group: string,
  topic: string,
): Promise<Map<number, number>> {
  const admin = kafka(bootstrap).admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return new Map((t?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}

interface FailbackRow {
  topic: string;
  partition: number;
  offset: number | null;
  reRead: number | null;
  reReadComplete: boolean | null;
}

function runFailback(
  config: string,
  groups: string,
): Promise<{ group: string; partitions: FailbackRow[] }[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        join(distRoot, 'cli/kgw.js'),
        'failback',
        '--config',
        config,
        '--from',
        'west',
        '--to',
        'east',
        '--group',
        groups,
        '--json',
      ],
      { timeout: 120_000, maxBuffer: 16 << 20 },
      (_err, stdout, stderr) => {
        try {
          resolve((JSON.parse(stdout) as { groups: { group: string; partitions: FailbackRow[] }[] }).groups);
        } catch {
          reject(new Error(`kgw failback gave no JSON report:\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}

/** Records a group at `resumeAt` on home reads again, and originals below it it never read. */
function countByContent(
  home: { offset: number; value: string }[],
  resumeAt: number,
  read: ReadonlySet<string>,
): { reRead: number; missing: number } {
  return {
    reRead: home.filter((r) => r.offset >= resumeAt && read.has(r.value)).length,
    missing: home.filter((r) => r.offset < resumeAt && !read.has(r.value)).length,
  };
}

export interface AbortedCopiesResult {
  /** Aborted copies on the target, and how many partitions end with them (no replay after). */
  aborted: number;
  abortedTails: number;
  /** Checkpoints and failback offsets checked by content. */
  checked: number;
}

/**
 * East's `topic` was copied to west's `east.<topic>` exactly once, and the copying task was killed
 * and fenced with a transaction open (its copies aborted at the end of some partition, with no replay
 * after them). Two groups read `east.<topic>` on west read_committed: one to its end (the console
 * consumer: it commits past the aborted tail), one stopped just after aborted copies that were
 * replayed. A west->east mirror writes their checkpoints on east and `kgw failback` plans them; both
 * must resume each group on east at the first original it has not read.
 */
export async function checkFailbackAfterAbortedCopies(
  topic: string,
  partitions: number,
): Promise<AbortedCopiesResult> {
  const target = `east.${topic}`;
  const readAll = uniqueName('eos-read-all');
  const stoppedMid = uniqueName('eos-mid');
  const fromStart = uniqueName('eos-low'); // an index that starts below the aborted copies
  const committed = await consumeAsGroup(WEST(), target, readAll);
  const readAllAt = await committedOffsets(WEST(), readAll, target);

  const midAt = new Map<string, number>();
  let aborted = 0;
  let abortedTails = 0;
  const westRecords = new Map<number, Committed[]>();
  for (let p = 0; p < partitions; p++) {
    const mine = committed.filter((c) => c.partition === p).sort((a, b) => a.offset - b.offset);
    if (mine.length === 0) continue; // no key of the stream hashes here: nothing to translate
    westRecords.set(p, mine);
    const isCommitted = new Set(mine.map((c) => c.offset));
    const all = await partitionRecords(WEST(), target, p, 'beginning', 'read_uncommitted');
    const abortedHere = all.filter((r) => !isCommitted.has(r.offset));
    aborted += abortedHere.length;
    const lastCommitted = mine.at(-1)?.offset ?? -1;
    if (abortedHere.some((r) => r.offset > lastCommitted)) {
      abortedTails++;
      assert.ok(
        (readAllAt.get(p) ?? -1) > abortedHere.at(-1)!.offset,
        `${readAll} committed past the aborted copies ending ${target}-${p}`,
      );
    }
    // Just after the first aborted copies that were replayed: the group read every committed copy below.
    const replayed = abortedHere.find((r) => r.offset < lastCommitted);
    const after = replayed === undefined ? undefined : mine.find((c) => c.offset > replayed.offset);
    midAt.set(`${target}:${p}`, after?.offset ?? mine[Math.floor(mine.length / 2)]!.offset);
  }
  assert.ok(abortedTails > 0, 'some partition ends with aborted copies (the fenced transaction)');
  await setGroupOffsets(WEST(), stoppedMid, midAt);
  await setGroupOffsets(WEST(), fromStart, new Map([...midAt.keys()].map((k) => [k, 0])));

  const config = writeConfig(
    `${topic}-failback.properties`,
    mm2Properties({
      'east->west.enabled': 'false',
      'west->east.enabled': 'true',
      topics: target,
      groups: `${readAll}, ${stoppedMid}, ${fromStart}`,
      'emit.heartbeats.enabled': 'false',
      'sync.topic.acls.enabled': 'false',
      'sync.group.offsets.enabled': 'false',
    }),
  );
  const groupAt = new Map<string, Map<number, number>>([
    [readAll, new Map([...readAllAt].filter(([p]) => westRecords.has(p)))],
    [stoppedMid, new Map([...midAt].map(([k, o]) => [Number(k.split(':')[1]), o]))],
  ]);
  const mirror = await startMirror(config);
  let checkpoints;
  let seen = '';
  try {
    checkpoints = await explainedBy(mirror.output, () =>
      waitFor(
        'checkpoints of both groups on east',
        async () => {
          const all = await latestCheckpoints(EAST(), 'west');
          seen = JSON.stringify(
            [...groupAt.keys()].map((g) => [g, [...(all.get(g)?.entries() ?? [])]]),
            (_k, v) => (typeof v === 'bigint' ? String(v) : (v as unknown)),
          );
          for (const [group, at] of groupAt)
            for (const [p, offset] of at)
              if (all.get(group)?.get(`${topic}:${p}`)?.upstreamOffset !== BigInt(offset)) return undefined;
          return all;
        },
        60_000,
      ).catch((e: unknown) => {
        throw new Error(
          `${String(e)}; wanted ${JSON.stringify([...groupAt].map(([g, m]) => [g, [...m]]))}, found ${seen}`,
        );
      }),
    );
  } finally {
    await mirror.stop();
  }
  const plans = await runFailback(config, `${readAll}|${stoppedMid}`);

  const failures: string[] = [];
  const homeRecords: Awaited<ReturnType<typeof partitionRecords>>[] = [];
  let checked = 0;
  for (const [group, at] of groupAt) {
    const plan = plans.find((g) => g.group === group);
    for (const [p, offset] of at) {
      const read = new Set(
        westRecords
          .get(p)!
          .filter((c) => c.offset < offset)
          .map((c) => c.value),
      );
      const home = (homeRecords[p] ??= await partitionRecords(EAST(), topic, p));
      const checkpoint = Number(checkpoints.get(group)!.get(`${topic}:${p}`)!.downstreamOffset);
      const row = plan?.partitions.find((r) => r.topic === topic && r.partition === p);
      for (const [what, resumeAt] of [
        ['checkpoint', checkpoint],
        ['kgw failback', row?.offset ?? -1],
      ] as const) {
        const c = countByContent(home, resumeAt, read);
        checked++;
        if (resumeAt < 0 || c.reRead + c.missing > 0)
          failures.push(
            `${what} ${group} ${topic}-${p} at ${resumeAt}: ${c.reRead} re-read, ${c.missing} missing`,
          );
      }
      if (row?.reRead !== 0 || row.reReadComplete !== true)
        failures.push(`kgw failback ${group} ${topic}-${p} predicted ${row?.reRead} re-reads`);
    }
  }
  assert.deepEqual(failures, [], 'every group resumes on east at the first original it has not read');
  return { aborted, abortedTails, checked };
}
