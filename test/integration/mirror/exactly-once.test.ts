/**
 * Exactly-once replication (`exactly.once.source.support = enabled`), proven by content with clients
 * we did not write:
 *
 *  - kill -9 of the mirror process 20 times at random moments while a kafkajs producer streams
 *    numbered records into east: afterwards Kafka's own console consumer, read_committed, sees every
 *    number on west exactly once (0 duplicates, 0 missing). kcat, read_uncommitted, shows how many
 *    aborted copies the kills left behind (reported: it proves the kills hit open transactions).
 *    Before the last restart, the last kill's open transaction is aborted by fencing its id: west
 *    then holds aborted copies before replayed ones and at the end of a partition, and groups that
 *    read west's copies read_committed go home to east (the reverse flow's checkpoints and `kgw
 *    failback`) at the first original they have not read, counted by content (aborted-copies.ts).
 *  - zombie fencing: a second mirror process with the same configuration (the same flow and task,
 *    so the same transactional id) fences the first: the first one's source task fails with
 *    PRODUCER_FENCED / INVALID_PRODUCER_EPOCH as soon as it writes again, and nothing is duplicated.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { kcat, uniqueName } from '../../harness/index.js';
import { transactionalIdFor } from '../../../mirror/exactly-once/transactional-id.js';
import { checkFailbackAfterAbortedCopies, fence, hasOpenTransaction } from './aborted-copies.js';
import {
  EAST,
  WEST,
  createTopic,
  kafka,
  killAllMirrors,
  mm2Properties,
  readCommitted,
  startMirror,
  tally,
  topicExists,
  waitFor,
  writeConfig,
  type MirrorProcess,
} from './helpers.js';

after(killAllMirrors);
/** Streams still producing when a test failed: stopped so the test process can end. */
const streams: { stop: () => Promise<number> }[] = [];
after(async () => {
  await Promise.all(streams.map((s) => s.stop().catch(() => 0)));
});

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
  const stream = {
    stop: async () => {
      stopping = true;
      return run;
    },
  };
  streams.push(stream);
  return stream;
}

/**
 * A kafkajs consumer (readUncommitted: false) reading `topic` on west from the beginning, collecting
 * values while the test runs. (kcat -e is no help here: the librdkafka Debian ships does not report
 * the end of a read_committed partition whose last record is a transaction marker.)
 */
async function committedCollector(topic: string): Promise<{ values: string[]; stop: () => Promise<void> }> {
  await waitFor(`${topic} on west`, async () => ((await topicExists(WEST(), topic)) ? true : undefined));
  const consumer = kafka(WEST()).consumer({
    groupId: uniqueName('eos-check'),
    readUncommitted: false,
    maxWaitTimeInMs: 200,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const values: string[] = [];
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) values.push(m.value?.toString() ?? '');
    },
  });
  return { values, stop: () => consumer.disconnect() };
}

/** Waits until `values` holds `total` distinct numbers (or `timeoutMs`), then a little longer for late duplicates. */
async function settle(values: string[], total: number, timeoutMs: number): Promise<void> {
  await waitFor(
    `${total} distinct records read_committed`,
    async () => (tally(values, total).distinct >= total ? true : undefined),
    timeoutMs,
  ).catch(() => undefined); // the assertions say what is missing
  await new Promise((r) => setTimeout(r, 2000));
}

/**
 * Kills the mirror (-9) while a transaction of its is open on the target. On an idle machine a
 * transaction lasts milliseconds, so a kill at a random moment rarely finds one: the process is
 * frozen (SIGSTOP) at random moments until the target shows a transaction open, then killed, which
 * a frozen process cannot finish first. A transaction whose commit was already under way completes
 * without it (the coordinator writes the markers), so it must still be open a second later; if not,
 * a new mirror is started and the hunt goes on. Up to a minute.
 */
async function killDuringTransaction(
  mirror: MirrorProcess,
  config: string,
  target: string,
): Promise<{ open: boolean; mirror: MirrorProcess }> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20 + Math.random() * 200));
    mirror.child.kill('SIGSTOP');
    if (!(await hasOpenTransaction(WEST(), target))) {
      mirror.child.kill('SIGCONT');
      continue;
    }
    await mirror.kill9();
    await new Promise((r) => setTimeout(r, 1000));
    if (await hasOpenTransaction(WEST(), target)) return { open: true, mirror };
    mirror = await startMirror(config);
    const started = mirror;
    await waitFor('the task replicating', async () =>
      started.output().includes('"msg":"replicating"') ? true : undefined,
    );
  }
  return { open: false, mirror };
}

test(`exactly once across ${KILLS} kill -9 of the mirror during a numbered stream`, async () => {
  const topic = uniqueName('mt-eos');
  await createTopic(EAST(), topic, 4);
  const config = exactlyOnceConfig('eos-kill9.properties', topic);
  const stream = numberedStream(topic);
  const target = `east.${topic}`;
  let mirror = await startMirror(config);
  let open = false;
  for (let k = 0; k < KILLS; k++) {
    // A random moment after the task started copying (it is catching up on what arrived while it
    // was down, so transactions are open much of the time), not during the process' start-up.
    const started = mirror;
    await waitFor('the task replicating', async () =>
      started.output().includes('"msg":"replicating"') ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 100 + Math.random() * 1400));
    if (k < KILLS - 1) {
      await mirror.kill9();
      mirror = await startMirror(config);
    } else {
      // The last kill must leave a transaction open (its copies then end a partition, aborted,
      // with no replay after them until the mirror comes back).
      ({ open, mirror } = await killDuringTransaction(mirror, config, target));
    }
  }
  assert.ok(open, 'a kill left a transaction open');
  const total = await stream.stop(); // east's partitions must end for the content count
  // The dead task's transaction aborted (as the broker does after transaction.timeout.ms): a group
  // that read west's copies goes home to east exactly where it stopped (issue #15: read_committed).
  const failbackStarted = Date.now();
  await fence(WEST(), transactionalIdFor({ flow: { source: 'east', target: 'west' }, task: 0 }));
  const failback = await checkFailbackAfterAbortedCopies(topic, 4);
  console.log(
    `[mirror exactly-once failback] ${failback.aborted} aborted copies on west (${failback.abortedTails} partition(s) ending with them); ${failback.checked} checkpoints and failback offsets exact by content; ${Date.now() - failbackStarted} ms`,
  );
  mirror = await startMirror(config);
  const collector = await committedCollector(target);
  try {
    await settle(collector.values, total, 120_000);
    await collector.stop();
    const seenByKafkajs = tally(collector.values, total);
    const values = await readCommitted(WEST(), target, total);
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
    // Evidence that kills hit open transactions (their copies are on west, aborted): otherwise this
    // run would prove nothing about aborts.
    assert.ok(uncommitted > values.length, 'some kill left an aborted transaction behind');
    assert.deepEqual(
      { duplicates: seenByKafkajs.duplicates, missing: seenByKafkajs.missing.length },
      { duplicates: 0, missing: 0 },
      'kafkajs, read_committed',
    );
    assert.deepEqual(missing.slice(0, 20), [], 'no record missing');
    assert.equal(duplicates, 0, 'no record twice');
    assert.equal(values.length, total);
  } finally {
    await collector.stop().catch(() => undefined);
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
  const target = `east.${topic}`;
  const collector = await committedCollector(target);
  try {
    await waitFor('the first mirror copying', async () => (collector.values.length > 0 ? true : undefined));
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
    await settle(collector.values, total, 90_000);
    await collector.stop();
    const seenByKafkajs = tally(collector.values, total);
    const values = await readCommitted(WEST(), target, total);
    const { duplicates, missing } = tally(values, total);
    console.log(
      `[mirror exactly-once zombie] ${total} records; console consumer read_committed: ${values.length}, ${duplicates} duplicates, ${missing.length} missing; kafkajs: ${seenByKafkajs.duplicates} duplicates, ${seenByKafkajs.missing.length} missing`,
    );
    assert.deepEqual(
      { duplicates: seenByKafkajs.duplicates, missing: seenByKafkajs.missing.length },
      { duplicates: 0, missing: 0 },
      'kafkajs, read_committed',
    );
    assert.equal(duplicates, 0, 'no record twice');
    assert.deepEqual(missing.slice(0, 20), [], 'no record missing');
    assert.equal((await state(first)).state, 'FAILED', 'the fenced task stays stopped');
  } catch (err) {
    console.log(
      `first mirror:\n${first.output().slice(-4000)}\nsecond mirror:\n${second?.output().slice(-4000)}`,
    );
    throw err;
  } finally {
    await collector.stop().catch(() => undefined);
    await stream.stop().catch(() => 0);
    await second?.stop();
    await first.stop();
  }
});
