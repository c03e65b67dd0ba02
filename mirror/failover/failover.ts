/**
 * One failover (or failback) run: gather facts from both clusters (facts.ts), plan each group (plan.ts),
 * count what the plan would make each group read again (measure.ts), and with `execute` commit each
 * group's offsets on the target in one OffsetCommit without a member (as kafka-consumer-groups
 * --reset-offsets --execute does), which Kafka accepts only while the group has no members there.
 *
 * Failback is the same run in the other direction: the group goes home from the cluster it failed
 * over to, through the checkpoints the reverse flow wrote there and the copies of home's records.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { GroupCommitError, commitGroupOffsets } from '../../client/group-offsets.js';
import { listGroups } from '../../client/group-state.js';
import { connectionOptions, NativeCluster } from '../kafka/native-cluster.js';
import { resolveClusters, type ClusterSelection } from './clusters.js';
import { gatherFacts, type Progress } from './facts.js';
import { measureReReads } from './measure.js';
import { isIdle, offsetsToCommit, planGroup } from './plan.js';
import type { Action, FailoverReport, GroupOutcome } from './render.js';

export interface FailoverOptions extends ClusterSelection {
  action: Action;
  /** A group name or a regular expression over group names. */
  group: string;
  /** Commit the plan; otherwise only print it. */
  execute: boolean;
  /** Records a scan may read per partition (re-read counts, searching copies). */
  maxScan: number;
  progress: Progress;
}

/** UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS: members joined since the check. */
const GROUP_BUSY = new Set<number>([
  ErrorCode.ILLEGAL_GENERATION,
  ErrorCode.UNKNOWN_MEMBER_ID,
  ErrorCode.REBALANCE_IN_PROGRESS,
]);

export async function runFailover(o: FailoverOptions): Promise<FailoverReport> {
  const clusters = resolveClusters(o);
  const role = o.action;
  const source = new NativeCluster(clusters.source, connectionOptions(clusters.source, role));
  const target = new NativeCluster(clusters.target, connectionOptions(clusters.target, role));
  try {
    const facts = await gatherFacts(
      { clusters, source, target },
      { groupPattern: o.group, maxScan: o.maxScan, progress: o.progress, nowMs: Date.now() },
    );
    const outcomes: GroupOutcome[] = [];
    for (const f of facts.groups) {
      let plan = planGroup(f);
      if (plan.refusal === undefined)
        plan = await measureReReads(target, f, plan, { maxScan: o.maxScan, progress: o.progress });
      outcomes.push({ plan, committed: false });
    }
    if (o.execute) {
      for (const outcome of outcomes) {
        const { plan } = outcome;
        const offsets = offsetsToCommit(plan);
        if (offsets.length === 0) continue;
        // Consumers may have started on the target while we planned: look again right before.
        const state = (await listGroups(target)).get(plan.group)?.state;
        if (!isIdle(state)) {
          outcome.error = `group ${plan.group} got active members on ${plan.target} (state ${state}) while planning: nothing committed. Stop them and run again.`;
          continue;
        }
        o.progress(`group ${plan.group}: committing ${offsets.length} offset(s) on ${plan.target}`);
        try {
          await commitGroupOffsets(target, plan.group, offsets);
          outcome.committed = true;
        } catch (e) {
          outcome.error =
            e instanceof GroupCommitError && GROUP_BUSY.has(e.code)
              ? `group ${plan.group} has members on ${plan.target} now (${e.message}): nothing committed. Stop them and run again.`
              : `commit failed, nothing committed for the group: ${(e as Error).message}`;
        }
      }
    }
    return {
      action: o.action,
      source: clusters.source.alias,
      target: clusters.target.alias,
      sourceReachable: facts.sourceReachable,
      sourceError: facts.sourceError,
      executed: o.execute,
      groups: outcomes,
      notes: facts.notes,
    };
  } finally {
    source.close();
    target.close();
  }
}
