/**
 * The pure part of `kgw failover`: the per-partition plan (where each offset comes from, clamping,
 * refusals, warnings), the re-read counter against a brute-force count over random partitions, and
 * the rendered table / JSON.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { Origin } from '../../../mirror/failover/origin.js';
import {
  offsetsToCommit,
  planGroup,
  withReReads,
  type GroupFacts,
  type PartitionFacts,
} from '../../../mirror/failover/plan.js';
import { ReReadCounter } from '../../../mirror/failover/reread.js';
import { exitCode, renderJson, renderText, type FailoverReport } from '../../../mirror/failover/render.js';

const NOW = 1_800_000_000_000;

function partition(over: Partial<PartitionFacts> = {}): PartitionFacts {
  return {
    topic: 'orders',
    partition: 0,
    sourceTopic: 'orders',
    committed: 120n,
    checkpoint: { upstream: 120n, downstream: 115n, writtenAtMs: NOW - 5_000 },
    target: { low: 0n, high: 300n },
    replication: { sourceHigh: 200n, mirrored: 200n },
    ...over,
  };
}

function group(over: Partial<GroupFacts> = {}): GroupFacts {
  return {
    group: 'billing',
    source: 'east',
    target: 'west',
    sourceReachable: true,
    sourceState: 'Empty',
    targetState: 'Empty',
    partitions: [partition()],
    nowMs: NOW,
    ...over,
  };
}

describe('failover plan', () => {
  test('a checkpoint gives the offset; nothing to warn about when it matches the commit', () => {
    const plan = planGroup(group());
    assert.equal(plan.refusal, undefined);
    assert.deepEqual(plan.warnings, []);
    assert.equal(plan.rows[0]!.offset, 115n);
    assert.equal(plan.rows[0]!.basis, 'checkpoint');
    assert.equal(plan.rows[0]!.sourceOffset, 120n);
    assert.equal(plan.rows[0]!.sourceOffsetFrom, 'source');
    assert.equal(plan.rows[0]!.replicationLag, 0n);
    assert.equal(plan.rows[0]!.checkpointAgeMs, 5_000);
    assert.deepEqual(offsetsToCommit(plan), [{ topic: 'orders', partition: 0, offset: 115n }]);
  });

  test('checkpoint and copies both apply: the lower offset wins (re-read rather than skip)', () => {
    for (const [checkpoint, copies, want] of [
      [115n, 90n, 90n],
      [115n, 200n, 115n],
    ] as const) {
      const plan = planGroup(
        group({
          partitions: [
            partition({
              checkpoint: { upstream: 120n, downstream: checkpoint, writtenAtMs: NOW },
              copiesResumeAt: copies,
            }),
          ],
        }),
      );
      assert.equal(plan.rows[0]!.offset, want);
      assert.equal(plan.rows[0]!.basis, 'checkpoint+copies');
    }
    const copiesOnly = planGroup(
      group({ partitions: [partition({ checkpoint: undefined, copiesResumeAt: 42n })] }),
    );
    assert.equal(copiesOnly.rows[0]!.offset, 42n);
    assert.equal(copiesOnly.rows[0]!.basis, 'copies');
  });

  test('an offset outside the target log is clamped to it, with a warning naming the partition', () => {
    const below = planGroup(group({ partitions: [partition({ target: { low: 130n, high: 300n } })] }));
    assert.equal(below.rows[0]!.offset, 130n);
    assert.match(
      below.warnings.join('\n'),
      /orders-0: the translated offset 115 is before west's log start 130/,
    );
    const beyond = planGroup(group({ partitions: [partition({ target: { low: 0n, high: 100n } })] }));
    assert.equal(beyond.rows[0]!.offset, 100n);
    assert.match(beyond.warnings.join('\n'), /orders-0: the translated offset 115 is beyond west's end 100/);
  });

  test('refused while the group has members on the target, whatever the protocol calls the state', () => {
    for (const state of ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Assigning', 'Reconciling']) {
      const plan = planGroup(group({ targetState: state }));
      assert.match(plan.refusal ?? '', new RegExp(`active members on west \\(state ${state}\\)`));
      assert.match(plan.refusal!, /Stop the group's consumers on west/);
      assert.deepEqual(offsetsToCommit(plan), []);
    }
    for (const state of ['Empty', 'Dead', undefined])
      assert.equal(planGroup(group({ targetState: state })).refusal, undefined, `state ${state}`);
  });

  test('refused when nothing can be translated, saying what to check', () => {
    const none = partition({ checkpoint: undefined });
    assert.match(
      planGroup(group({ partitions: [none] })).refusal ?? '',
      /no checkpoint in east\.checkpoints\.internal on west.*flow east->west is enabled/,
    );
    assert.match(
      planGroup(group({ partitions: [], sourceReachable: false })).refusal ?? '',
      /east is unreachable and west holds no checkpoint/,
    );
  });

  test('source unreachable: the checkpoint is the position, and how old the checkpoints are is said', () => {
    const plan = planGroup(
      group({
        sourceReachable: false,
        sourceState: undefined,
        partitions: [
          partition({ committed: undefined, replication: {} }),
          partition({
            partition: 1,
            committed: undefined,
            replication: {},
            checkpoint: { upstream: 7n, downstream: 7n, writtenAtMs: NOW - 3_723_000 },
          }),
        ],
      }),
    );
    assert.equal(plan.rows[0]!.sourceOffset, 120n);
    assert.equal(plan.rows[0]!.sourceOffsetFrom, 'checkpoint');
    assert.equal(plan.rows[0]!.replicationLag, undefined);
    assert.match(plan.warnings.join('\n'), /east is unreachable: .*newest written 5s ago, oldest 1h02m ago/);
  });

  test('warns: members still on the source, a checkpoint behind the commit, lag, no translation', () => {
    const plan = planGroup(
      group({
        sourceState: 'Stable',
        partitions: [
          partition({ committed: 130n }),
          partition({ partition: 1, replication: { sourceHigh: 260n, mirrored: 200n } }),
          partition({ partition: 2, checkpoint: undefined }),
          partition({ partition: 3, copiesSearchIncomplete: true }),
        ],
      }),
    );
    const text = plan.warnings.join('\n');
    assert.match(text, /still has members on east \(state Stable\)/);
    assert.match(
      text,
      /checkpoint differs .* for 1 partition\(s\) \(orders-0: checkpoint at 120, committed 130\)/,
    );
    assert.match(
      text,
      /replication east->west is behind by 60 record\(s\) on 1 partition\(s\) \(orders-1: 60\)/,
    );
    assert.match(text, /no translation for 1 partition\(s\) \(orders-2\)/);
    assert.match(text, /stopped at --max-scan on 1 partition\(s\) \(orders-3\)/);
    assert.equal(plan.refusal, undefined);
    assert.deepEqual(
      offsetsToCommit(plan).map((o) => o.partition),
      [0, 1, 3],
      'the untranslated partition is left alone',
    );
  });

  test('rows come out in topic and partition order', () => {
    const plan = planGroup(
      group({
        partitions: [
          partition({ topic: 'b', partition: 1 }),
          partition({ topic: 'a', partition: 2 }),
          partition({ topic: 'b', partition: 0 }),
          partition({ topic: 'a', partition: 10 }),
        ],
      }),
    );
    assert.deepEqual(
      plan.rows.map((r) => `${r.topic}-${r.partition}`),
      ['a-2', 'a-10', 'b-0', 'b-1'],
    );
  });

  test('measured counts are attached; records of unknown status on the target are warned about', () => {
    const plan = withReReads(
      planGroup(group()),
      new Map([['orders-0', { count: 3, complete: true, unknownLocal: 4 }]]),
    );
    assert.deepEqual(plan.rows[0]!.reRead, { count: 3, complete: true, unknownLocal: 4 });
    assert.match(plan.warnings.join('\n'), /1 partition\(s\) also hold records written on west itself/);
  });
});

/** A target partition for the property test: each record is a copy from the source or local. */
type Rec = { kind: 'copy'; origin: bigint } | { kind: 'local' };

/** Target offsets with gaps, copies in origin order (as the mirror keeps them), local writes between. */
const partitionArb = fc
  .array(fc.record({ local: fc.boolean(), gap: fc.nat(3), originGap: fc.integer({ min: 1, max: 4 }) }), {
    maxLength: 60,
  })
  .map((specs) => {
    let offset = 0n;
    let origin = 0n;
    return specs.map((s) => {
      offset += BigInt(s.gap);
      const rec: Rec = s.local
        ? { kind: 'local' }
        : { kind: 'copy', origin: (origin += BigInt(s.originGap)) };
      return { offset: offset++, rec };
    });
  });

describe('re-read counter', () => {
  const origin = (o: bigint): Origin => ({ cluster: 'east', topic: 'orders', partition: 0, offset: o });

  test('equals a brute-force count of the records already read, and stops early only when final', () => {
    fc.assert(
      fc.property(
        partitionArb,
        fc.nat(200),
        fc.option(fc.nat(200), { nil: undefined }),
        fc.nat(200),
        fc.boolean(),
        (records, sourceOffset, copiesResumeAt, from, reachable) => {
          const c = BigInt(sourceOffset);
          const resume = copiesResumeAt === undefined ? undefined : BigInt(copiesResumeAt);
          const start = BigInt(from);
          const after = records.filter((r) => r.offset >= start);
          const isReRead = (r: (typeof records)[number]): boolean =>
            r.rec.kind === 'copy' ? r.rec.origin < c : resume !== undefined && r.offset < resume;
          const expected = after.filter(isReRead).length;
          const counter = new ReReadCounter({
            source: 'east',
            target: 'west',
            sourceTopic: 'orders',
            partition: 0,
            sourceOffset: c,
            copiesResumeAt: resume,
            sourceReachable: reachable,
          });
          let stoppedAt = after.length;
          for (let i = 0; i < after.length; i++) {
            const r = after[i]!;
            if (counter.add(r.offset, r.rec.kind === 'copy' ? origin(r.rec.origin) : undefined)) {
              stoppedAt = i + 1;
              break;
            }
          }
          const result = counter.result(stoppedAt === after.length);
          assert.equal(result.count, expected);
          assert.equal(result.complete, true);
          // Unknown local records are only counted when the source could not say.
          if (reachable || resume !== undefined) assert.equal(result.unknownLocal, 0);
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('copies of other partitions or clusters are not counted', () => {
    const counter = new ReReadCounter({
      source: 'east',
      target: 'west',
      sourceTopic: 'orders',
      partition: 0,
      sourceOffset: 100n,
      sourceReachable: true,
    });
    counter.add(0n, { cluster: 'east', topic: 'orders', partition: 1, offset: 5n });
    counter.add(1n, { cluster: 'east', topic: 'other', partition: 0, offset: 5n });
    counter.add(2n, { cluster: 'north', topic: 'orders', partition: 0, offset: 5n });
    assert.equal(counter.add(3n, { cluster: 'east', topic: 'orders', partition: 0, offset: 100n }), true);
    assert.deepEqual(counter.result(false), { count: 0, complete: true, unknownLocal: 0 });
  });
});

describe('failover report', () => {
  const plan = withReReads(
    planGroup(
      group({
        partitions: [partition(), partition({ partition: 1, checkpoint: undefined })],
      }),
    ),
    new Map([['orders-0', { count: 2, complete: false, unknownLocal: 0 }]]),
  );
  const report: FailoverReport = {
    action: 'failover',
    source: 'east',
    target: 'west',
    sourceReachable: true,
    executed: false,
    groups: [{ plan, committed: false }],
    notes: [],
  };

  test('the table names both clusters, shows each partition, and says nothing was committed', () => {
    const text = renderText(report);
    assert.match(text, /GROUP +TOPIC +PARTITION +OFFSET-ON-EAST +NEW-OFFSET-ON-WEST +CURRENT-ON-WEST/);
    assert.match(text, /billing +orders +0 +120 +115 +- +300 +0 +>=2 +checkpoint +5s/);
    assert.match(text, /billing +orders +1 +120 +- +- +300 +0 +- +none/);
    assert.match(text, /read again: at least 2/);
    assert.match(text, /WARN {2}billing: no translation for 1 partition/);
    assert.match(text, /Nothing was committed: this is the plan\. Run the same command with --execute/);
    assert.equal(exitCode(report), 0);
  });

  test('JSON carries the same rows as numbers', () => {
    const json = JSON.parse(renderJson(report)) as {
      executed: boolean;
      reRead: number;
      reReadComplete: boolean;
      groups: { group: string; partitions: Record<string, unknown>[] }[];
    };
    assert.equal(json.executed, false);
    assert.equal(json.reRead, 2);
    assert.equal(json.reReadComplete, false);
    assert.deepEqual(json.groups[0]!.partitions[0], {
      topic: 'orders',
      partition: 0,
      sourceOffset: 120,
      sourceOffsetFrom: 'source',
      offset: 115,
      basis: 'checkpoint',
      targetCommitted: null,
      targetEnd: 300,
      replicationLag: 0,
      checkpointAgeMs: 5000,
      reRead: 2,
      reReadComplete: false,
      unknownLocal: 0,
    });
  });

  test('exit status 1 when a group is refused or its commit failed', () => {
    const refused = { ...report, groups: [{ plan: { ...plan, refusal: 'busy' }, committed: false }] };
    assert.equal(exitCode(refused), 1);
    assert.match(renderText(refused), /REFUSED {2}billing: busy/);
    const failed = { ...report, executed: true, groups: [{ plan, committed: false, error: 'boom' }] };
    assert.equal(exitCode(failed), 1);
    assert.equal(exitCode({ ...report, executed: true, groups: [{ plan, committed: true }] }), 0);
  });
});
