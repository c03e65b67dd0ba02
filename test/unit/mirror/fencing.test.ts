/**
 * The zombie fencing round of a mirror cluster in exactly-once mode (mirror/cluster/fencing.ts,
 * KIP-618): which transactional ids the leader fences before it hands out a new assignment. The safety
 * property is checked over generated layout changes: every old task that could still copy a
 * partition now owned by another task number, or whose number is gone, is fenced before the new
 * layout starts; and a layout that did not change fences nothing.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AssignmentFormatError,
  decodeMemberMetadata,
  encodeMemberMetadata,
} from '../../../mirror/cluster/assignment-codec.js';
import {
  fencingFromListing,
  fencingRound,
  newestLayout,
  taskLayout,
  type TaskLayout,
} from '../../../mirror/cluster/fencing.js';
import {
  splitIntoTasks,
  transactionalId,
  type SourceTaskUnit,
  type TopicPartition,
} from '../../../mirror/cluster/work.js';
import { mulberry32 } from '../../harness/random.js';

const rng = mulberry32;

const partitionsOf = (counts: number[]): TopicPartition[] =>
  counts.flatMap((n, t) => Array.from({ length: n }, (_, partition) => ({ topic: `t${t}`, partition })));

const owners = (tasks: SourceTaskUnit[]): Map<string, number> =>
  new Map(tasks.flatMap((u) => u.partitions.map((tp) => [`${tp.topic}-${tp.partition}`, u.task] as const)));

describe('mirror cluster: zombie fencing round (KIP-618)', () => {
  test('every old task whose partitions move or whose number is gone is fenced; an unchanged layout fences nothing', () => {
    let changed = 0;
    let unchanged = 0;
    for (let seed = 1; seed <= 500; seed++) {
      const r = rng(seed);
      const before = Array.from({ length: 1 + Math.floor(r() * 3) }, () => 1 + Math.floor(r() * 8));
      // Partitions only grow (Kafka never removes them); tasks.max may change either way.
      const after = before.map((n) => (r() < 0.3 ? n + Math.floor(r() * 5) : n));
      const maxBefore = 1 + Math.floor(r() * 8);
      const maxAfter = r() < 0.4 ? maxBefore : 1 + Math.floor(r() * 8);
      const old = splitIntoTasks('a->b', partitionsOf(before), maxBefore);
      const now = splitIntoTasks('a->b', partitionsOf(after), maxAfter);
      const other = splitIntoTasks('c->d', partitionsOf([3]), 2); // a flow that does not change
      const round = fencingRound(taskLayout(7, [...old, ...other]), taskLayout(8, [...now, ...other]));
      const why = `seed ${seed}: ${before}/${maxBefore} -> ${after}/${maxAfter}`;
      assert.ok(!round.some((f) => f.flow === 'c->d'), `${why}: an unchanged flow is not fenced`);
      const fenced = new Set(round.find((f) => f.flow === 'a->b')?.tasks ?? []);
      const newOwner = owners(now);
      let moved = false;
      for (const [tp, task] of owners(old)) {
        if (newOwner.get(tp) !== task) {
          moved = true;
          assert.ok(fenced.has(task), `${why}: old task ${task} held ${tp}, now task ${newOwner.get(tp)}'s`);
        }
      }
      for (const u of old)
        if (u.task >= now.length)
          assert.ok(fenced.has(u.task), `${why}: old task ${u.task} no longer exists`);
      const same = old.length === now.length && !moved && after.every((n, i) => n === before[i]);
      if (same) {
        unchanged++;
        assert.equal(fenced.size, 0, `${why}: the same layout fences nothing`);
      } else {
        changed++;
        // KIP-618 fences the whole previous generation, not just the tasks seen moving.
        assert.deepEqual(
          [...fenced],
          Array.from({ length: old.length }, (_, i) => i),
          why,
        );
      }
    }
    assert.ok(
      changed > 100 && unchanged > 50,
      `both cases generated (${changed} changed, ${unchanged} unchanged)`,
    );
  });

  test('a partition count change that keeps every partition on its task still fences the old generation', () => {
    // t0 gets a third partition: t0-2 joins task 0, nothing moves, but the layout is a new generation.
    const old = splitIntoTasks('a->b', partitionsOf([2]), 4);
    const now = splitIntoTasks('a->b', partitionsOf([3]), 4);
    assert.deepEqual(fencingRound(taskLayout(1, old), taskLayout(2, now)), [{ flow: 'a->b', tasks: [0, 1] }]);
  });

  test('tasks.max down from 3 to 2: ids 0, 1 and 2 of the old layout are fenced (2 is never reused)', () => {
    const parts = partitionsOf([6]);
    const round = fencingRound(
      taskLayout(4, splitIntoTasks('east->west', parts, 3)),
      taskLayout(5, splitIntoTasks('east->west', parts, 2)),
    );
    assert.deepEqual(round, [{ flow: 'east->west', tasks: [0, 1, 2] }]);
  });

  test('a flow gone from the new layout has its old tasks fenced; a new flow has nothing to fence', () => {
    const prev = taskLayout(3, splitIntoTasks('a->b', partitionsOf([4]), 2));
    const next = taskLayout(4, splitIntoTasks('c->d', partitionsOf([4]), 2));
    assert.deepEqual(fencingRound(prev, next), [{ flow: 'a->b', tasks: [0, 1] }]);
  });

  test('no previous layout known (every worker new): nothing to compare, so the listing decides', () => {
    assert.deepEqual(
      fencingRound(undefined, taskLayout(1, splitIntoTasks('a->b', partitionsOf([4]), 2))),
      [],
    );
  });

  test('from a listing: every id of this mirror cluster and flow is fenced, whatever layout wrote it; no other id', () => {
    const random = rng(618);
    const groups = ['mm', 'mm-2', 'kgw-mirror'];
    const flows = ['east->west', 'west->east', 'east->west2'];
    for (let round = 0; round < 200; round++) {
      // Ids of several mirror clusters and flows, with task numbers of any earlier layout, plus
      // look-alikes that are not task ids (other connectors, suffixes that are no task number).
      const listed: string[] = [];
      const expected = new Map<string, Set<number>>();
      const group = groups[Math.floor(random() * groups.length)]!;
      for (let i = 0; i < 12; i++) {
        const g = groups[Math.floor(random() * groups.length)]!;
        const flow = flows[Math.floor(random() * flows.length)]!;
        const task = Math.floor(random() * 40);
        listed.push(transactionalId(g, { flow, task }));
        if (g === group && flow !== 'east->west2') {
          if (!expected.has(flow)) expected.set(flow, new Set());
          expected.get(flow)!.add(task);
        }
      }
      listed.push(
        `${group}-east->west.MirrorCheckpointConnector-0`,
        `${group}-east->west.MirrorSourceConnector-01`,
        `${group}-east->west.MirrorSourceConnector-x`,
        `${group}-east->west.MirrorSourceConnector-`,
        `${group}-east->west.MirrorSourceConnector-1-2`,
        'some-application-txn',
      );
      const want = [...expected]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([flow, tasks]) => ({ flow, tasks: [...tasks].sort((a, b) => a - b) }));
      assert.deepEqual(
        fencingFromListing(group, ['west->east', 'east->west'], listed),
        want,
        `round ${round}`,
      );
    }
  });

  test('the previous layout is the newest generation any member reports', () => {
    const l = (generation: number, tasks: number): TaskLayout => ({
      generation,
      flows: { 'a->b': { tasks, digest: `d${tasks}` } },
    });
    assert.deepEqual(newestLayout([undefined, l(4, 2), l(9, 3), l(7, 1)]), l(9, 3));
    assert.equal(newestLayout([undefined, undefined]), undefined);
  });

  test('member metadata carries the layout; old members without it still decode; a bad layout is refused by name', () => {
    const layout = taskLayout(12, splitIntoTasks('a->b', partitionsOf([5]), 3));
    const m = { workerId: 'h:1', url: null, configHash: 'abc', layout };
    assert.deepEqual(decodeMemberMetadata(encodeMemberMetadata(m)), m);
    assert.deepEqual(
      decodeMemberMetadata(encodeMemberMetadata({ workerId: 'h:2', url: null, configHash: 'abc' })),
      {
        workerId: 'h:2',
        url: null,
        configHash: 'abc',
      },
    );
    const bad = Buffer.concat([
      Buffer.from([0, 1]),
      Buffer.from(
        JSON.stringify({
          workerId: 'h',
          url: null,
          configHash: 'x',
          layout: { generation: 1, flows: { 'a->b': { tasks: 'two' } } },
        }),
      ),
    ]);
    assert.throws(
      () => decodeMemberMetadata(bad),
      (e: unknown) => e instanceof AssignmentFormatError && /"tasks"/.test(e.message),
    );
  });
});
