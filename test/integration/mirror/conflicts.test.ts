/**
 * Active-active conflicts on real brokers (east↔west, IdentityReplicationPolicy, the mirror as a
 * child process):
 *
 *  - detection: keys written in both clusters with known timestamps, some within
 *    kgw.conflicts.window.ms of each other and some outside it; the metric counts exactly the ones
 *    within, and the sampled log shows at most its quota of lines, with the key hashed;
 *  - last-writer-wins: kafkajs writers in both clusters at once over overlapping keys of a
 *    compacted topic, timestamps drawn from a narrow range (ties across and within clusters, and
 *    writes older than ones already made); after quiescence both topics, read to their end by kcat,
 *    hold the same key-to-value map, and it is the one an oracle computes from what the writers
 *    wrote (greatest timestamp, then kgw.conflicts.lww.cluster.order, then the later write).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createTopicsWithLeaders, uniqueName } from '../../harness/index.js';
import {
  EAST,
  WEST,
  kafka,
  killAllMirrors,
  mm2Properties,
  readAll,
  startMirror,
  waitFor,
  writeConfig,
  type MirrorProcess,
} from './helpers.js';

const PARTITIONS = 3;
const WINDOW_MS = 1000;
const LOG_LINES = 3;

/** The compacted topics, and `plain` (the default cleanup.policy, delete). */
async function createTopics(bootstrap: string, compacted: string[], plain: string): Promise<void> {
  const admin = kafka(bootstrap).admin();
  await admin.connect();
  try {
    await createTopicsWithLeaders(admin, [
      ...compacted.map((topic) => ({
        topic,
        numPartitions: PARTITIONS,
        configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
      })),
      { topic: plain, numPartitions: 1 },
    ]);
  } finally {
    await admin.disconnect();
  }
}

/** Explicit partitions, so a key is in the same partition in both clusters whatever the client. */
const partitionOf = (key: string): number => createHash('md5').update(key).digest()[0]! % PARTITIONS;

interface Written {
  cluster: 'east' | 'west';
  key: string;
  value: string;
  ts: number;
  partition: number;
  offset: bigint;
}

/**
 * One writer: `count` records over `keys`, in batches, timestamps `base + [0, spread)`; returns
 * each record with the offset the broker gave it.
 */
async function write(
  cluster: 'east' | 'west',
  bootstrap: string,
  topic: string,
  keys: string[],
  count: number,
  base: number,
  spread: number,
  seed: number,
): Promise<Written[]> {
  let s = seed;
  const rand = (): number => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const producer = kafka(bootstrap).producer({ idempotent: true });
  await producer.connect();
  const out: Written[] = [];
  try {
    for (let i = 0; i < count;) {
      const n = Math.min(count - i, 1 + Math.floor(rand() * 25));
      const batch: Omit<Written, 'offset'>[] = [];
      for (let j = 0; j < n; j++, i++) {
        const key = keys[Math.floor(rand() * keys.length)]!;
        batch.push({
          cluster,
          key,
          value: `${cluster}-${i}`,
          ts: base + Math.floor(rand() * spread),
          partition: partitionOf(key),
        });
      }
      const meta = await producer.send({
        topic,
        acks: -1,
        messages: batch.map((w) => ({
          key: w.key,
          value: w.value,
          partition: w.partition,
          timestamp: String(w.ts),
        })),
      });
      // Records of one partition in one send are consecutive from its base offset, in array order.
      const next = new Map(meta.map((m) => [m.partition, BigInt(m.baseOffset!)]));
      for (const w of batch) {
        const offset = next.get(w.partition)!;
        next.set(w.partition, offset + 1n);
        out.push({ ...w, offset });
      }
      await new Promise((r) => setTimeout(r, Math.floor(rand() * 20)));
    }
  } finally {
    await producer.disconnect();
  }
  return out;
}

/** The last record per key (what compaction keeps), by content. */
async function compactedView(bootstrap: string, topic: string): Promise<Map<string, string>> {
  const view = new Map<string, string>();
  const records = await readAll(bootstrap, topic);
  records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  for (const r of records) view.set(r.key, r.value);
  return view;
}

async function metric(mirror: MirrorProcess, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${mirror.port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('mirror active-active conflicts', () => {
  const lwwTopic = uniqueName('cf-lww');
  const detectTopic = uniqueName('cf-detect');
  /** Under last-writer-wins by mistake: not compacted. */
  const plainTopic = uniqueName('cf-plain');
  let mirror: MirrorProcess;
  let configFile: string;
  /** Everything the LWW writers wrote, for the oracle. */
  const written: Written[] = [];
  const keys = Array.from({ length: 60 }, (_, i) => `key-${i}`);
  const base = Date.now() - 30_000;

  before(async () => {
    for (const side of [EAST(), WEST()]) await createTopics(side, [lwwTopic, detectTopic], plainTopic);
    configFile = writeConfig(
      'conflicts.properties',
      mm2Properties({
        'east->west.enabled': 'true',
        'west->east.enabled': 'true',
        topics: `${lwwTopic}, ${detectTopic}, ${plainTopic}`,
        'replication.policy.class': 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy',
        'emit.checkpoints.enabled': 'false',
        'kgw.conflicts.window.ms': String(WINDOW_MS),
        'kgw.conflicts.log.lines.per.minute': String(LOG_LINES),
        'kgw.conflicts.lww.topics': `${lwwTopic}, ${plainTopic}`,
        'kgw.conflicts.lww.cluster.order': 'west, east',
      }),
    );
    mirror = await startMirror(configFile);
  });
  after(async () => {
    await mirror?.stop();
    killAllMirrors();
  });

  test('a topic under last-writer-wins that is not compacted is reported at start, in both directions', async () => {
    const warning = `topic ${plainTopic} is under kgw.conflicts.lww.topics but its cleanup.policy is delete`;
    await waitFor('the warning from both flows', async () =>
      mirror.output().split(warning).length - 1 >= 2 ? true : undefined,
    );
    assert.doesNotMatch(
      mirror.output(),
      new RegExp(`topic ${lwwTopic} is under`),
      'the compacted one is fine',
    );
  });

  test('detection: exactly the writes within the window are counted; the log is sampled and hashed', async () => {
    const base = Date.now() - 60_000;
    const send = async (bootstrap: string, messages: { key: string; ts: number }[]) => {
      const producer = kafka(bootstrap).producer();
      await producer.connect();
      await producer.send({
        topic: detectTopic,
        acks: -1,
        messages: messages.map((m) => ({ key: m.key, value: m.key, timestamp: String(m.ts) })),
      });
      await producer.disconnect();
    };
    const range = (p: string) => Array.from({ length: 10 }, (_, i) => `${p}${i}`);
    // near-i: 300 ms apart (conflict); far-i: 3 s apart (none); east-only-i: one cluster (none)
    await Promise.all([
      send(EAST(), [
        ...range('near-').map((key, i) => ({ key, ts: base + i * 10_000 })),
        ...range('far-').map((key, i) => ({ key, ts: base + i * 10_000 + 1 })),
        ...range('east-only-').map((key, i) => ({ key, ts: base + i * 10_000 })),
      ]),
      send(WEST(), [
        ...range('near-').map((key, i) => ({ key, ts: base + i * 10_000 + 300 })),
        ...range('far-').map((key, i) => ({ key, ts: base + i * 10_000 + 3001 })),
      ]),
    ]);
    const labels = `topic="${detectTopic}"`;
    await waitFor('10 conflicts counted', async () =>
      (await metric(mirror, 'kgw_mirror_conflicts_total', labels)) >= 10 ? true : undefined,
    );
    // Both clusters hold all 50 writes (so the mirror has read every one), and the count stays 10.
    for (const side of [EAST(), WEST()])
      await waitFor('50 records on each side', async () =>
        (await readAll(side, detectTopic)).length === 50 ? true : undefined,
      );
    assert.equal(await metric(mirror, 'kgw_mirror_conflicts_total', labels), 10);

    const lines = mirror
      .output()
      .split('\n')
      .filter((l) => l.includes('active-active conflict'));
    assert.ok(
      lines.length >= 1 && lines.length <= LOG_LINES,
      `${lines.length} log lines, quota ${LOG_LINES}`,
    );
    const nearHashes = new Set(
      range('near-').map((k) => createHash('sha256').update(k).digest('hex').slice(0, 12)),
    );
    for (const l of lines) {
      const entry = JSON.parse(l) as Record<string, unknown>;
      assert.ok(nearHashes.has(String(entry.key_sha256)), `a near- key's hash: ${l}`);
      assert.doesNotMatch(l, /near-\d/, 'the key itself is not logged');
      assert.equal(entry.gap_ms, 300);
    }
  });

  test('last-writer-wins: concurrent writers in both clusters converge to the newest version', async () => {
    // 3000 writes per cluster within 2 s of record time: ties across and within clusters, and
    // each writer often writes a key with an older timestamp than its previous write of it.
    const [east, west] = await Promise.all([
      write('east', EAST(), lwwTopic, keys, 3000, base, 2000, 7),
      write('west', WEST(), lwwTopic, keys, 3000, base, 2000, 11),
    ]);
    written.push(...east, ...west);
    const ties = [...east, ...west].filter((w) =>
      [...east, ...west].some((o) => o !== w && o.key === w.key && o.ts === w.ts && o.cluster !== w.cluster),
    ).length;
    assert.ok(ties > 0, 'the writers made cross-cluster timestamp ties');
    await converges(mirror, lwwTopic, written, true);
  });

  test('last-writer-wins survives kill -9 in the middle of concurrent writes', async () => {
    // Same keys, timestamps from the first half of the first test's range: nearly all of these
    // lose to the winners already in both clusters, so every one of them written to a cluster needs
    // a repair there, and some are queued when the mirror dies. A mirror that forgot the winners at
    // restart would copy these losers as if they won; it reads the topics back (replay.ts).
    const writers = Promise.all([
      write('east', EAST(), lwwTopic, keys, 1500, base, 1000, 23),
      write('west', WEST(), lwwTopic, keys, 1500, base, 1000, 29),
    ]);
    await new Promise((r) => setTimeout(r, 1500));
    await mirror.kill9();
    const [east, west] = await writers;
    written.push(...east, ...west);
    mirror = await startMirror(configFile);
    await converges(mirror, lwwTopic, written, false);
  });
});

/** Waits until both clusters hold the oracle's winners of `written`, then checks they stay. */
async function converges(
  mirror: MirrorProcess,
  lwwTopic: string,
  written: Written[],
  expectDiscards: boolean,
): Promise<void> {
  const rank = { west: 0, east: 1 }; // kgw.conflicts.lww.cluster.order = west, east
  const oracle = new Map<string, Written>();
  for (const w of written) {
    const b = oracle.get(w.key);
    if (
      b === undefined ||
      w.ts > b.ts ||
      (w.ts === b.ts &&
        (rank[w.cluster] < rank[b.cluster] || (w.cluster === b.cluster && w.offset > b.offset)))
    )
      oracle.set(w.key, w);
  }
  const expected = new Map([...oracle].map(([k, w]) => [k, w.value]));
  let views: [Map<string, string>, Map<string, string>] | undefined;
  await waitFor(
    'both clusters hold the winners',
    async () => {
      views = [await compactedView(EAST(), lwwTopic), await compactedView(WEST(), lwwTopic)];
      return views.every((v) => sameMap(v, expected)) ? true : undefined;
    },
    180_000,
  ).catch((err: unknown) => {
    const diff = (v: Map<string, string> | undefined) =>
      [...expected].filter(([k, val]) => v?.get(k) !== val).slice(0, 5);
    throw new Error(
      `${String(err)}; east differs at ${JSON.stringify(diff(views?.[0]))}, west at ${JSON.stringify(diff(views?.[1]))}`,
    );
  });
  // Quiescent: nothing moves any more (a repair loop or a late copy would show up here).
  await new Promise((r) => setTimeout(r, 3000));
  const [e, w] = [await compactedView(EAST(), lwwTopic), await compactedView(WEST(), lwwTopic)];
  assert.deepEqual(e, w, 'both clusters hold identical key-to-value maps');
  assert.deepEqual(e, expected, 'and they are the last-writer-wins winners of what was written');
  const discarded = await metric(mirror, 'kgw_mirror_lww_discarded_total', `topic="${lwwTopic}"`);
  const repairsEast = await metric(mirror, 'kgw_mirror_lww_repairs_total', 'cluster="east"');
  const repairsWest = await metric(mirror, 'kgw_mirror_lww_repairs_total', 'cluster="west"');
  // (after a restart the counters start again, and what they count depends on where it stopped)
  if (expectDiscards) assert.ok(discarded > 0, 'losing versions were kept from being copied');
  console.log(
    `lww: ${written.length} writes over ${expected.size} keys; ` +
      `discarded ${discarded}, repairs east ${repairsEast} west ${repairsWest}; ` +
      `records east ${(await readAll(EAST(), lwwTopic)).length} west ${(await readAll(WEST(), lwwTopic)).length}`,
  );
}

function sameMap(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...b].every(([k, v]) => a.get(k) === v);
}
