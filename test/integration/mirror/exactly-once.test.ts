/**
 * Exactly-once replication (`exactly.once.source.support = enabled`), proven by content with clients
 * we did not write:
 *
 *  - kill -9 of the mirror process 20 times at random moments while a kafkajs producer streams
 *    numbered records into east: afterwards Kafka's own console consumer, read_committed, sees every
 *    number on west exactly once (0 duplicates, 0 missing). kcat, read_uncommitted, shows how many
 *    aborted copies the kills left behind (reported: it proves the kills hit open transactions).
 *  - zombie fencing: a second mirror process with the same configuration (the same flow and task,
 *    so the same transactional id) fences the first: the first one's source task fails with
 *    PRODUCER_FENCED / INVALID_PRODUCER_EPOCH as soon as it writes again, and nothing is duplicated.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { kafkaTool, kcat, uniqueName } from '../../harness/index.js';
import {
  EAST,
  WEST,
  createTopic,
  kafka,
  killAllMirrors,
  mm2Properties,
  startMirror,
  topicExists,
  waitFor,
  writeConfig,
  type MirrorProcess,
} from './helpers.js';

after(killAllMirrors);

const KILLS = 20;
const SOURCE = 'MirrorSourceConnector';

function exactlyOnceConfig(name: string, topic: string): string {
  return writeConfig(
    name,
    mm2Properties({
      'exactly.once.source.support': 'enabled',
      'east->west.enabled': 'true',
      'west->east.enabled': 'false',
      'east->west.exactly.once.support': 'required',
      topics: topic,
      'emit.checkpoints.enabled': 'false',
      'emit.heartbeats.enabled': 'false',
      'sync.topic.acls.enabled': 'false',
    }),
  );
}

/** Streams `n-<i>` for i = 0, 1, … into `topic` until `stop()` resolves; returns how many were acknowledged. */
function numberedStream(topic: string): { stop: () => Promise<number> } {
  let stopping = false;
  const run = (async () => {
    const producer = kafka(EAST()).producer({ idempotent: true });
    await producer.connect();
    let next = 0;
    try {
      while (!stopping) {
        await producer.send({
          topic,
          acks: -1,
          messages: Array.from({ length: 50 }, (_, j) => ({
            key: `k${(next + j) % 13}`,
            value: `n-${next + j}`,
          })),
        });
        next += 50;
        await new Promise((r) => setTimeout(r, 40));
      }
    } finally {
      await producer.disconnect();
    }
    return next;
  })();
  return {
    stop: async () => {
      stopping = true;
      return run;
    },
  };
}

/** Kafka's console consumer, read_committed, from the beginning until `expected` records (or 20 s of silence). */
async function readCommitted(topic: string, expected: number): Promise<string[]> {
  const r = await kafkaTool(
    'console-consumer',
    [
      '--bootstrap-server',
      WEST(),
      '--topic',
      topic,
      '--from-beginning',
      '--isolation-level',
      'read_committed',
      '--timeout-ms',
      '20000',
    ],
    { timeoutMs: 180_000 },
  );
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  assert.ok(lines.length >= expected || r.code === 0, `console consumer failed (${r.code}): ${r.stderr}`);
  return lines;
}

/** Counts `n-<i>` values: duplicates, and the numbers below `total` never seen. */
function tally(values: string[], total: number): { duplicates: number; missing: number[]; distinct: number } {
  const seen = new Map<number, number>();
  for (const v of values) {
    const n = Number(v.slice(2));
    seen.set(n, (seen.get(n) ?? 0) + 1);
  }
  const missing: number[] = [];
  for (let i = 0; i < total; i++) if (!seen.has(i)) missing.push(i);
  return { duplicates: values.length - seen.size, missing, distinct: seen.size };
}

/** How many records kcat reads, read_committed (librdkafka's default, said explicitly). */
async function committedCount(topic: string): Promise<number> {
  if (!(await topicExists(WEST(), topic))) return 0; // kcat would wait for it
  const r = await kcat(
    ['-C', '-b', WEST(), '-t', topic, '-o', 'beginning', '-e', '-q', '-X', 'isolation.level=read_committed'],
    { timeoutMs: 60_000 },
  );
  if (r.code !== 0) throw new Error(`kcat failed (${r.code}): ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '').length;
}

test(`exactly once across ${KILLS} kill -9 of the mirror during a numbered stream`, async () => {
  const topic = uniqueName('mt-eos');
  await createTopic(EAST(), topic, 4);
  const config = exactlyOnceConfig('eos-kill9.properties', topic);
  const stream = numberedStream(topic);
  let mirror = await startMirror(config);
  for (let k = 0; k < KILLS; k++) {
    await new Promise((r) => setTimeout(r, 300 + Math.random() * 1200));
    await mirror.kill9();
    mirror = await startMirror(config);
  }
  const total = await stream.stop();
  const target = `east.${topic}`;
  try {
    await waitFor(
      `${total} committed records on west`,
      async () => ((await committedCount(target)) >= total ? true : undefined),
      120_000,
    ).catch(() => undefined); // the assertions below say what is missing or duplicated
    const values = await readCommitted(target, total);
    const { duplicates, missing, distinct } = tally(values, total);
    const everything = await kcat(
      [
        '-C',
        '-b',
        WEST(),
        '-t',
        target,
        '-o',
        'beginning',
        '-e',
        '-q',
        '-X',
        'isolation.level=read_uncommitted',
      ],
      { timeoutMs: 60_000 },
    );
    const uncommitted = everything.stdout.split('\n').filter((l) => l !== '').length;
    console.log(
      `[mirror exactly-once kill -9] ${KILLS} kills, ${total} records produced; console consumer read_committed: ${values.length} records, ${distinct} distinct, ${duplicates} duplicates, ${missing.length} missing; kcat read_uncommitted: ${uncommitted} (aborted copies left by the kills: ${uncommitted - values.length})`,
    );
    assert.ok(total > 0);
    assert.deepEqual(missing.slice(0, 20), [], 'no record missing');
    assert.equal(duplicates, 0, 'no record twice');
    assert.equal(values.length, total);
  } finally {
    await mirror.stop();
  }
});

test('a second process with the same flow and task fences the first: it stops writing, nothing twice', async () => {
  const topic = uniqueName('mt-eos-zombie');
  await createTopic(EAST(), topic, 2);
  const config = exactlyOnceConfig('eos-zombie.properties', topic);
  const name = encodeURIComponent(`east->west.${SOURCE}`);
  const state = async (m: MirrorProcess): Promise<{ state: string; trace?: string }> =>
    (
      (await m.rest('GET', `/connectors/${name}/status`)).body as {
        tasks: { state: string; trace?: string }[];
      }
    ).tasks[0]!;
  const stream = numberedStream(topic);
  const first = await startMirror(config);
  let second: MirrorProcess | undefined;
  try {
    await waitFor('the first mirror copying', async () =>
      (await committedCount(`east.${topic}`)) > 0 ? true : undefined,
    );
    second = await startMirror(config);
    // The first one finds out at its next write (AddPartitionsToTxn, Produce or EndTxn).
    const fenced = await waitFor(
      'the first mirror fenced',
      async () => {
        const s = await state(first);
        return s.state === 'FAILED' ? s : undefined;
      },
      60_000,
    );
    assert.match(fenced.trace ?? '', /PRODUCER_FENCED|INVALID_PRODUCER_EPOCH|fenced/);
    assert.equal((await state(second)).state, 'RUNNING');
    await new Promise((r) => setTimeout(r, 1500));
    const total = await stream.stop();
    const target = `east.${topic}`;
    await waitFor(
      `${total} committed records on west`,
      async () => ((await committedCount(target)) >= total ? true : undefined),
      90_000,
    ).catch(() => undefined);
    const values = await readCommitted(target, total);
    const { duplicates, missing } = tally(values, total);
    console.log(
      `[mirror exactly-once zombie] ${total} records, ${values.length} read_committed, ${duplicates} duplicates, ${missing.length} missing`,
    );
    assert.equal(duplicates, 0, 'no record twice');
    assert.deepEqual(missing.slice(0, 20), [], 'no record missing');
    assert.equal((await state(first)).state, 'FAILED', 'the fenced task stays stopped');
  } finally {
    await stream.stop().catch(() => 0);
    await second?.stop();
    await first.stop();
  }
});
