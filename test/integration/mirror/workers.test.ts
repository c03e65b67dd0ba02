/**
 * A mirror cluster (kgw.workers.enabled): three `kgw mirror` processes share one flow of a
 * 12-partition topic through Kafka's group membership protocol. While a numbered stream is produced
 * (every partition), one worker is killed with -9: the two others take over its tasks (the
 * assignment changes and covers every partition exactly once), then a new worker joins (the tasks
 * spread to it), then one leaves with SIGTERM (LeaveGroup). Afterwards every source record is on the
 * target (content check; duplicates are allowed at least once and counted). Run again with
 * exactly.once.source.support = enabled: a read_committed consumer then sees every record once (a
 * task moved off a killed worker fences its transactional id and aborts what it left open).
 * In that run the flow's layout then changes with a zombie about: the worker running the last task
 * is frozen (SIGSTOP) while the cluster moves to a configuration with fewer tasks (tasks.max 6 -> 3,
 * by a rolling restart: a worker with the new configuration joins, the old ones go). That task number
 * no longer exists, so only the leader's KIP-618 fencing round can fence it: Kafka's own
 * kafka-transactions tool shows its transactional id's epoch bumped before the zombie wakes, and the
 * read_committed count below shows nothing duplicated.
 * Rebalance times are measured from outside (kill / start / stop to the REST API showing the new
 * assignment) and printed; only a generous bound is asserted.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { kafkaTool, uniqueName } from '../../harness/index.js';
import {
  EAST,
  WEST,
  createTopic,
  endOffsets,
  kafka,
  killAllMirrors,
  mm2Properties,
  readAll,
  readCommitted,
  startMirror,
  tally,
  waitFor,
  writeConfig,
  type MirrorProcess,
} from './helpers.js';

after(killAllMirrors);

const PARTITIONS = 12;
const TASKS = 6;
const TOTAL = 12_000;
const SESSION_MS = 6_000;
const SOURCE = 'east->west.MirrorSourceConnector';

interface WorkersBody {
  worker_id: string;
  leader: string | null;
  generation: number | null;
  error: string | null;
  workers: {
    worker_id: string;
    tasks: { connector: string; task: number; 'task.assigned.partitions'?: string }[];
  }[];
}

async function workersOf(m: MirrorProcess): Promise<WorkersBody> {
  const r = await m.rest('GET', '/workers');
  assert.equal(r.status, 200);
  return r.body as WorkersBody;
}

/** Source partitions per worker id in an assignment, and how often each partition is assigned. */
function coverage(body: WorkersBody): { perWorker: Map<string, string[]>; counts: Map<string, number> } {
  const perWorker = new Map<string, string[]>();
  const counts = new Map<string, number>();
  for (const w of body.workers) {
    const mine: string[] = [];
    for (const t of w.tasks.filter((t) => t.connector === SOURCE))
      for (const p of (t['task.assigned.partitions'] ?? '').split(',').filter((s) => s !== '')) {
        mine.push(p);
        counts.set(p, (counts.get(p) ?? 0) + 1);
      }
    perWorker.set(w.worker_id, mine.sort());
  }
  return { perWorker, counts };
}

/**
 * Waits until every live worker reports the same generation with `size` workers, every partition
 * of `topic` assigned exactly once and the checkpoint and heartbeat roles once each.
 */
async function settled(
  live: MirrorProcess[],
  size: number,
  topic: string,
  newerThan = -1,
): Promise<WorkersBody> {
  return waitFor(
    `${size} workers sharing the work`,
    async () => {
      const bodies = await Promise.all(live.map(workersOf));
      const g = bodies[0]!.generation;
      if (g === null || g <= newerThan || bodies.some((b) => b.generation !== g)) return undefined;
      const body = bodies[0]!;
      if (body.workers.length !== size) return undefined;
      const { counts } = coverage(body);
      const expected = Array.from({ length: PARTITIONS }, (_, p) => `${topic}-${p}`);
      // The flow also copies MM2's heartbeats topic; only the test topic's partitions are counted.
      const ours = [...counts.keys()].filter((p) => p.startsWith(`${topic}-`));
      if (!expected.every((p) => counts.get(p) === 1) || ours.length !== PARTITIONS) return undefined;
      const roles = body.workers.flatMap((w) => w.tasks.filter((t) => t.connector !== SOURCE));
      const names = roles.map((t) => t.connector).sort();
      assert.equal(new Set(names).size, names.length, `each role assigned once: ${names.join(', ')}`);
      return body;
    },
    SESSION_MS + 60_000,
  );
}

function workersProperties(topic: string, groupId: string, tasks: number, exactlyOnce: boolean): string {
  return mm2Properties({
    'east->west.enabled': 'true',
    'west->east.enabled': 'false',
    topics: topic,
    'kgw.workers.enabled': 'true',
    'group.id': groupId,
    'tasks.max': String(tasks),
    'session.timeout.ms': String(SESSION_MS),
    'heartbeat.interval.ms': '1000',
    'rebalance.timeout.ms': '20000',
    ...(exactlyOnce ? { 'exactly.once.source.support': 'enabled' } : {}),
  });
}

/** ProducerEpoch of a transactional id, as Kafka's kafka-transactions describe prints it. */
async function producerEpoch(transactionalId: string): Promise<number> {
  const r = await kafkaTool(
    'transactions',
    ['--bootstrap-server', WEST(), 'describe', '--transactional-id', transactionalId],
    { timeoutMs: 60_000 },
  );
  const [header, row] = r.stdout.split('\n').filter((l) => l.trim() !== '');
  const at = header?.trim().split(/\s+/).indexOf('ProducerEpoch') ?? -1;
  const epoch = Number(row?.trim().split(/\s+/)[at]);
  assert.ok(
    at >= 0 && Number.isInteger(epoch),
    `kafka-transactions describe ${transactionalId}: ${r.stdout}${r.stderr}`,
  );
  return epoch;
}

/**
 * The worker running the last task is frozen, and the cluster moves to tasks.max 3 by a rolling
 * restart; the leader's fencing round must fence that task's id (no task of the new layout has its
 * number) before the new tasks run. Returns how long the change took.
 */
async function layoutChangeFencesZombie(o: {
  groupId: string;
  topic: string;
  live: MirrorProcess[];
  generation: number;
  started: MirrorProcess[];
}): Promise<{ took: string; next: MirrorProcess }> {
  const last = TASKS - 1;
  const zombieId = `${o.groupId}-${SOURCE}-${last}`;
  const changedAt = Date.now();
  // A worker with the new configuration joins: the old leader gives it config_mismatch (and the
  // whole assignment, which it reports as the previous layout when it leads).
  const next = await startMirror(
    writeConfig('workers-3.properties', workersProperties(o.topic, o.groupId, 3, true)),
  );
  o.started.push(next);
  const mismatch = await waitFor('the new worker told config_mismatch', async () => {
    const b = await workersOf(next);
    return b.error === 'config_mismatch' && b.generation! > o.generation ? b : undefined;
  });
  // That rebalance restarted every task (eager): the epoch is read once task `last` has initialised
  // its producer again, so only a later InitProducerId can raise it.
  const holder = mismatch.workers.find((w) =>
    w.tasks.some((t) => t.connector === SOURCE && t.task === last),
  )!.worker_id;
  const ids = await Promise.all(o.live.map(async (m) => (await workersOf(m)).worker_id));
  const zombie = o.live[ids.indexOf(holder)]!;
  const other = o.live.find((m) => m !== zombie)!;
  await new Promise((r) => setTimeout(r, 2000));
  const epochBefore = await producerEpoch(zombieId);
  zombie.child.kill('SIGSTOP');
  try {
    await other.stop();
    const alone = await waitFor(
      'the new worker leading the new layout',
      async () => {
        const b = await workersOf(next);
        const tasks = b.workers.flatMap((w) => w.tasks.filter((t) => t.connector === SOURCE));
        return b.error === 'none' && b.generation! > mismatch.generation! && tasks.length === 3
          ? b
          : undefined;
      },
      SESSION_MS + 40_000,
    );
    assert.deepEqual(
      alone.workers.map((w) => w.worker_id),
      [(await workersOf(next)).worker_id],
    );
    const epochAfter = await producerEpoch(zombieId);
    assert.ok(
      epochAfter > epochBefore,
      `${zombieId} fenced by the new leader before the zombie woke (epoch ${epochBefore} -> ${epochAfter})`,
    );
    assert.match(next.output(), /fenced every transactional id of the previous layout/);
  } finally {
    zombie.child.kill('SIGCONT'); // its next write fails with PRODUCER_FENCED; it then rejoins
  }
  await zombie.stop();
  return { took: `${Date.now() - changedAt} ms`, next };
}

/**
 * The whole mirror cluster goes at once (its one worker frozen: a zombie that knows the layout but
 * cannot say it) and a fresh worker starts it again: no member knows the previous layout, so the
 * leader fences from what the target's coordinators list. The id of task 4, a number the current
 * 3-task layout does not use (only the listing can name it), must have its epoch raised.
 */
async function restartWithoutHistoryFencesByListing(o: {
  groupId: string;
  topic: string;
  live: MirrorProcess;
  started: MirrorProcess[];
}): Promise<string> {
  const unused = `${o.groupId}-${SOURCE}-${TASKS - 2}`;
  const epochBefore = await producerEpoch(unused);
  const restartedAt = Date.now();
  o.live.child.kill('SIGSTOP');
  try {
    const fresh = await startMirror(
      writeConfig('workers-3-fresh.properties', workersProperties(o.topic, o.groupId, 3, true)),
    );
    o.started.push(fresh);
    const self = (await workersOf(fresh)).worker_id;
    await waitFor(
      'the fresh worker leading alone',
      async () => {
        const b = await workersOf(fresh);
        const tasks = b.workers.flatMap((w) => w.tasks.filter((t) => t.connector === SOURCE));
        return b.error === 'none' && b.leader === self && b.workers.length === 1 && tasks.length === 3
          ? b
          : undefined;
      },
      SESSION_MS + 40_000,
    );
    const epochAfter = await producerEpoch(unused);
    assert.ok(
      epochAfter > epochBefore,
      `${unused} fenced from the listing (epoch ${epochBefore} -> ${epochAfter})`,
    );
    assert.match(fresh.output(), /no member knows the previous task layout: fenced/);
  } finally {
    o.live.child.kill('SIGCONT');
  }
  await o.live.stop();
  return `${Date.now() - restartedAt} ms`;
}

for (const exactlyOnce of [false, true])
  test(`three workers share a ${PARTITIONS}-partition flow${exactlyOnce ? ' exactly once' : ''}; kill -9, join and leave rebalance; nothing lost${exactlyOnce ? ', nothing duplicated' : ''}`, async () => {
    await threeWorkers(exactlyOnce);
  });

async function threeWorkers(exactlyOnce: boolean): Promise<void> {
  const mode = exactlyOnce ? 'exactly-once' : 'at-least-once';
  const topic = uniqueName('mt-workers');
  await createTopic(EAST(), topic, PARTITIONS);
  const groupId = uniqueName('kgw-mirror-it');
  const config = writeConfig('workers.properties', workersProperties(topic, groupId, TASKS, exactlyOnce));
  const workers = await Promise.all([startMirror(config), startMirror(config), startMirror(config)]);
  const timings: string[] = [];
  const producer = kafka(EAST()).producer({ idempotent: true });
  let producing: Promise<void> = Promise.resolve();
  let stopProducing = false;
  try {
    const first = await settled(workers, 3, topic);
    const before = coverage(first).perWorker;
    for (const [id, parts] of before) assert.ok(parts.length > 0, `worker ${id} got source partitions`);

    // REST in Connect's shapes: every task listed with its worker, on any worker.
    const status = (await workers[1]!.rest('GET', `/connectors/${encodeURIComponent(SOURCE)}/status`))
      .body as {
      tasks: { id: number; state: string; worker_id: string }[];
    };
    assert.deepEqual(
      status.tasks.map((t) => t.id),
      Array.from({ length: TASKS }, (_, i) => i),
    );
    const ids = new Set(first.workers.map((w) => w.worker_id));
    for (const t of status.tasks) assert.ok(ids.has(t.worker_id), `task ${t.id} on a known worker`);
    const tasks = (await workers[2]!.rest('GET', `/connectors/${encodeURIComponent(SOURCE)}/tasks`)).body as {
      id: { task: number };
      config: Record<string, string>;
    }[];
    assert.equal(tasks.length, TASKS);
    assert.equal(tasks[0]!.config['tasks.max'], String(TASKS));

    // A numbered stream over every partition, ~1000 records/s.
    await producer.connect();
    producing = (async () => {
      for (let i = 0; i < TOTAL && !stopProducing; i += 240) {
        await producer.send({
          topic,
          acks: -1,
          messages: Array.from({ length: 240 }, (_, j) => ({
            partition: (i + j) % PARTITIONS,
            value: `n-${i + j}`,
          })),
        });
        await new Promise((r) => setTimeout(r, 200));
      }
    })();

    await new Promise((r) => setTimeout(r, 3000));
    const victim = workers[2]!;
    const survivors = workers.slice(0, 2);
    const killedAt = Date.now();
    await victim.kill9();
    const afterKill = await settled(survivors, 2, topic, first.generation!);
    const killMs = Date.now() - killedAt;
    timings.push(`kill -9: ${killMs} ms (session.timeout.ms ${SESSION_MS})`);
    const moved = coverage(afterKill).perWorker;
    assert.notDeepEqual([...moved.values()].flat().sort(), [], 'partitions assigned after the kill');
    assert.ok(
      [...before.keys()].some((id) => !moved.has(id)),
      'the killed worker is gone from the assignment',
    );
    assert.ok(killMs < SESSION_MS + 30_000, `rebalance after kill -9 took ${killMs} ms`);

    const joinedAt = Date.now();
    const newcomer = await startMirror(config);
    workers.push(newcomer);
    const live = [...survivors, newcomer];
    const afterJoin = await settled(live, 3, topic, afterKill.generation!);
    timings.push(`join: ${Date.now() - joinedAt} ms (including process start)`);
    const spread = coverage(afterJoin).perWorker;
    for (const [id, parts] of spread)
      assert.ok(parts.length > 0, `after the join, worker ${id} has partitions`);

    await producing;

    const leftAt = Date.now();
    await survivors[0]!.stop(); // SIGTERM: tasks stop, positions stored, LeaveGroup
    const afterLeave = await settled([survivors[1]!, newcomer], 2, topic, afterJoin.generation!);
    timings.push(`leave (SIGTERM): ${Date.now() - leftAt} ms`);
    assert.equal(afterLeave.workers.length, 2);

    const target = `east.${topic}`;
    if (exactlyOnce) {
      const layout = await layoutChangeFencesZombie({
        groupId,
        topic,
        live: [survivors[1]!, newcomer],
        generation: afterLeave.generation!,
        started: workers,
      });
      timings.push(`tasks.max 6 -> 3 with a frozen worker: ${layout.took}`);
      // Read as a read_committed consumer does (kcat -e cannot end on a transactional partition): a
      // killed worker's open transaction is aborted when its task's next owner fences its id.
      let values: string[] = [];
      await waitFor(
        'every record on west, read_committed',
        async () => {
          values = await readCommitted(WEST(), target, TOTAL);
          return tally(values, TOTAL).distinct >= TOTAL ? true : undefined;
        },
        120_000,
      ).catch(() => undefined); // the assertions below report what is missing
      const { duplicates, missing } = tally(values, TOTAL);
      console.log(
        `[mirror workers ${mode}] ${TOTAL} records, ${values.length} read_committed on target, ${duplicates} duplicates, ${missing.length} missing; rebalances: ${timings.join('; ')}`,
      );
      assert.deepEqual(missing.slice(0, 20), [], 'no record lost');
      assert.equal(duplicates, 0, 'no record duplicated');
      const restart = await restartWithoutHistoryFencesByListing({
        groupId,
        topic,
        live: layout.next,
        started: workers,
      });
      console.log(`[mirror workers ${mode}] whole cluster restarted, fenced from the listing: ${restart}`);
      return;
    }
    const seen = new Map<number, number>();
    let records: Awaited<ReturnType<typeof readAll>> = [];
    await waitFor(
      'every record on west',
      async () => {
        const ends = await endOffsets(WEST(), target);
        if ([...ends.values()].reduce((a, b) => a + b, 0) < TOTAL) return undefined;
        records = await readAll(WEST(), target);
        seen.clear();
        for (const r of records) {
          const n = Number(r.value.slice(2));
          seen.set(n, (seen.get(n) ?? 0) + 1);
        }
        return seen.size >= TOTAL ? true : undefined;
      },
      90_000,
    ).catch(() => undefined); // the assertions below report what is missing
    const missing = Array.from({ length: TOTAL }, (_, i) => i).filter((i) => !seen.has(i));
    const duplicates = records.length - seen.size;
    console.log(
      `[mirror workers ${mode}] ${TOTAL} records, ${records.length} on target, ${duplicates} duplicates, ${missing.length} missing; rebalances: ${timings.join('; ')}`,
    );
    assert.deepEqual(missing.slice(0, 20), [], 'no record lost');
    assert.equal(seen.size, TOTAL);
    for (const r of records)
      assert.equal(r.partition, Number(r.value.slice(2)) % PARTITIONS, 'same partition');
  } catch (e) {
    // What each worker said, to tell a membership problem from a replication one.
    for (const w of workers)
      console.log(`--- worker on port ${w.port}:\n${w.output().split('\n').slice(-40).join('\n')}`);
    throw e;
  } finally {
    stopProducing = true;
    await producing.catch(() => undefined);
    await producer.disconnect();
    await Promise.all(workers.map((w) => w.stop()));
  }
}
