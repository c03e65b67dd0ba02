/**
 * One worker of a mirror cluster, the part of Kafka Connect's DistributedHerder that kgw needs:
 * membership through GroupMember (WorkerGroupMember's role), the leader computing the assignment
 * (EagerAssignor's role, assignor.ts) from the partitions WorkPlanner lists, and the units this
 * worker got run by UnitsRunner.
 *
 * Eager rebalancing (Connect before KIP-415): on every rebalance each worker first stops all its
 * units (source tasks store their positions), then joins; the leader deals everything afresh. A
 * worker joining, leaving (LeaveGroup) or dying (session.timeout.ms without heartbeats) makes the
 * coordinator start a rebalance, which the others learn from their next heartbeat
 * (REBALANCE_IN_PROGRESS). The leader also lists the source partitions every
 * refresh.topics.interval.seconds and rejoins when they changed, which rebalances the group.
 *
 * In exactly-once mode the leader runs KIP-618's zombie fencing round before its SyncGroup when a
 * flow's task layout changed (fencing.ts decides, fence-producers.ts fences): no worker receives the
 * new assignment, so no task of it starts, until every transactional id of the previous layout was
 * fenced (when no member knows the previous layout: every id of this mirror cluster the target
 * clusters list). A failed round sends no assignment; the leader rejoins and tries again (fail closed).
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { MirrorConfig } from '../config/config.js';
import { connectionOptions } from '../kafka/native-cluster.js';
import type { MirrorMetrics } from '../metrics.js';
import { ClusterClient } from '../../client/cluster.js';
import type { WorkersConfig } from './config.js';
import type { WorkUnit } from './work.js';
import {
  decodeAssignment,
  decodeMemberMetadata,
  encodeAssignment,
  encodeMemberMetadata,
  type Assignment,
  type MemberMetadata,
} from './assignment-codec.js';
import { assign, unitsOf, type Member } from './assignor.js';
import { fenceProducers, listTransactionalIds } from './fence-producers.js';
import {
  fencingFromListing,
  fencingRound,
  newestLayout,
  taskLayout,
  type FlowFencing,
  type TaskLayout,
} from './fencing.js';
import { GroupMember } from './member.js';
import { signature, WorkPlanner } from './planner.js';
import { UnitsRunner } from './units-runner.js';
import { WakeableSleep } from '../wakeable-sleep.js';

export const PROTOCOL_TYPE = 'kgw-mirror';
/** How long stop() lets a join in progress finish before abandoning it. */
const STOP_WAIT_MS = 2_000;
/** When the leader could not list some flow, how soon it tries again. */
const LISTING_RETRY_MS = 5_000;
export const PROTOCOL_NAME = 'eager-v1';

export interface WorkerIdentity {
  /** host:port of the REST API (Connect's worker_id). */
  workerId: string;
  /** The REST base URL other workers use for task status; null without a REST API. */
  url: string | null;
}

export interface RebalanceRecord {
  generation: number;
  /** Why the worker (re)joined. */
  reason: string;
  /** From noticing the rebalance to running the new assignment. */
  durationMs: number;
  completedAt: string;
}

/** What the REST API shows of the cluster (the last assignment this worker received). */
export interface WorkerView {
  groupId: string;
  identity: WorkerIdentity;
  memberId: string;
  leader: boolean;
  assignment: Assignment | undefined;
  lastRebalance: RebalanceRecord | undefined;
}

/** A hash of everything workers must agree on (clusters and flows; not the REST address). */
export function configHash(config: MirrorConfig): string {
  const clusters = [...config.clusters.values()].map((c) => [c.alias, c.bootstrapServers]);
  return createHash('sha256')
    .update(JSON.stringify({ clusters, flows: config.flows, workers: config.workers }))
    .digest('hex')
    .slice(0, 16);
}

export interface MirrorWorkerOptions {
  config: MirrorConfig;
  workers: WorkersConfig;
  identity: WorkerIdentity;
  metrics: MirrorMetrics;
  log: Logger;
}

export class MirrorWorker {
  readonly runner: UnitsRunner;
  private readonly member: GroupMember;
  private readonly cluster: ClusterClient;
  private readonly planner: WorkPlanner;
  private readonly metadata: MemberMetadata;
  /** The source-task layout of the newest assignment received, reported when joining (fencing.ts). */
  private lastLayout: TaskLayout | undefined;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private readonly sleeper = new WakeableSleep();
  private rejoinReason: string | undefined;
  private leader = false;
  /** The partitions the current assignment was computed from (leader only). */
  private assignedSignature = '';
  assignment: Assignment | undefined;
  lastRebalance: RebalanceRecord | undefined;

  constructor(private readonly opts: MirrorWorkerOptions) {
    const { config, workers, identity, metrics, log } = opts;
    const target = config.clusters.get(workers.cluster)!;
    const options = connectionOptions(target, 'workers');
    // JoinGroup is answered only when every member rejoined: wait past the rebalance timeout.
    options.requestTimeoutMs = Math.max(options.requestTimeoutMs, workers.rebalanceTimeoutMs + 5_000);
    this.cluster = new ClusterClient(target.alias, target.bootstrapServers, options);
    this.member = new GroupMember({
      cluster: this.cluster,
      groupId: workers.groupId,
      sessionTimeoutMs: workers.sessionTimeoutMs,
      rebalanceTimeoutMs: workers.rebalanceTimeoutMs,
      protocolType: PROTOCOL_TYPE,
      protocolName: PROTOCOL_NAME,
      log,
    });
    this.planner = new WorkPlanner(config, log);
    this.runner = new UnitsRunner({
      config,
      groupId: workers.groupId,
      metrics,
      log,
      workerId: identity.workerId,
    });
    this.metadata = { ...identity, configHash: configHash(config) };
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops the units (positions stored), then leaves the group so the others rebalance at once. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.sleeper.wake();
    // A JoinGroup waits for every member (up to rebalance.timeout.ms): rather than outlast the stop
    // deadline, abandon it by closing the connections (the session then expires on its own).
    const ended = await Promise.race([this.loop?.then(() => true), sleep(STOP_WAIT_MS).then(() => false)]);
    if (ended === false) this.cluster.close();
    await this.loop;
    await this.runner.stopAll();
    await this.member.leave('worker shutting down');
    await this.planner.close();
    this.cluster.close();
  }

  view(): WorkerView {
    return {
      groupId: this.opts.workers.groupId,
      identity: this.opts.identity,
      memberId: this.member.memberId,
      leader: this.leader,
      assignment: this.assignment,
      lastRebalance: this.lastRebalance,
    };
  }

  private async run(): Promise<void> {
    const { log, workers } = this.opts;
    let reason = 'worker starting';
    while (!this.stopping) {
      const began = Date.now();
      try {
        await this.stopUnitsHeartbeating();
        if (this.stopping) break;
        const joined = await this.member.join(
          encodeMemberMetadata({ ...this.metadata, layout: this.lastLayout }),
          reason,
        );
        this.leader = joined.leaderId === joined.memberId;
        const assignments = this.leader ? await this.leaderAssignments(joined) : new Map<string, Buffer>();
        const assignment = decodeAssignment(await this.member.sync(assignments));
        this.assignment = assignment;
        // What runs in the cluster now (a config_mismatch answer lists it too): told to the next leader.
        this.lastLayout = taskLayout(
          assignment.generation,
          assignment.workers.flatMap((w) => w.units),
        );
        if (assignment.error === 'config_mismatch')
          log.error(
            { group: workers.groupId, leader: assignment.leader },
            'this worker configuration differs from the leader: it runs no work until they match',
          );
        const units = unitsOf(assignment, joined.memberId);
        this.runner.start(units);
        this.lastRebalance = {
          generation: joined.generation,
          reason,
          durationMs: Date.now() - began,
          completedAt: new Date().toISOString(),
        };
        log.info(
          {
            group: workers.groupId,
            generation: joined.generation,
            leader: this.leader,
            workers: assignment.workers.length,
            units: units.length,
            durationMs: this.lastRebalance.durationMs,
            reason,
          },
          'rebalance completed',
        );
        reason = await this.heartbeatUntilRejoin();
      } catch (e) {
        if (this.stopping) break;
        log.warn({ group: workers.groupId, err: String(e) }, 'group membership failed; joining again');
        reason = `after error: ${String(e)}`;
        await this.sleep(workers.heartbeatIntervalMs);
      }
    }
  }

  /** The leader's part of a rebalance: list the work, deal it, encode one assignment per member. */
  private async leaderAssignments(
    joined: Awaited<ReturnType<GroupMember['join']>>,
  ): Promise<Map<string, Buffer>> {
    const members: Member[] = joined.members.map((m) => ({
      memberId: m.memberId,
      ...decodeMemberMetadata(m.metadata),
    }));
    const leader = members.find((m) => m.memberId === joined.memberId)!;
    const partitions = await this.planner.partitions(this.listingDeadlineMs());
    this.assignedSignature = signature(partitions);
    const units = this.planner.units(partitions);
    await this.fenceChangedLayouts(members, joined.generation, units);
    const dealt = assign({ generation: joined.generation, leader, members, units });
    return new Map([...dealt].map(([id, a]) => [id, encodeAssignment(a)]));
  }

  /**
   * KIP-618's fencing round: every transactional id of the previous layout of each exactly-once flow
   * whose layout changes is fenced before the assignment leaves this worker. Throws when the round
   * fails: the caller then sends no SyncGroup and rejoins, so the new tasks never start unfenced.
   */
  private async fenceChangedLayouts(
    members: readonly Member[],
    generation: number,
    units: readonly WorkUnit[],
  ): Promise<void> {
    const { config, workers, log } = this.opts;
    const transactional = new Set(config.flows.filter((f) => f.exactlyOnce).map((f) => f.name));
    if (transactional.size === 0) return;
    const previous = newestLayout(members.map((m) => m.layout));
    try {
      // No member knows the previous layout (the cluster starts, or every worker restarted at once):
      // the target clusters' coordinators name the ids instead (fencing.ts).
      const round =
        previous === undefined
          ? await this.fencingFromTargets([...transactional])
          : fencingRound(previous, taskLayout(generation, units)).filter((f) => transactional.has(f.flow));
      if (round.length === 0) return;
      const fenced = await fenceProducers({
        config,
        groupId: workers.groupId,
        round,
        retryForMs: this.listingDeadlineMs(),
        log,
      });
      log.info(
        { group: workers.groupId, generation, previousGeneration: previous?.generation, fenced },
        previous === undefined
          ? 'no member knows the previous task layout: fenced every transactional id of this mirror cluster the target clusters list before assigning'
          : 'task layout changed: fenced every transactional id of the previous layout before assigning',
      );
    } catch (e) {
      log.error(
        { group: workers.groupId, generation, err: String(e) },
        'fencing the previous task layout failed: no assignment handed out, rejoining to try again',
      );
      throw e;
    }
  }

  /** The fencing round from what the target clusters list, for the exactly-once flows named. */
  private async fencingFromTargets(flows: string[]): Promise<FlowFencing[]> {
    const { config, workers } = this.opts;
    const round: FlowFencing[] = [];
    for (const flow of flows) {
      const listed = await listTransactionalIds(config, flow, this.listingDeadlineMs());
      round.push(...fencingFromListing(workers.groupId, [flow], listed));
    }
    return round;
  }

  /** Heartbeats until the group rebalances, the leader wants a new assignment, or stop; says why. */
  private async heartbeatUntilRejoin(): Promise<string> {
    const { workers, log } = this.opts;
    const refreshMs = this.refreshIntervalMs();
    // A listing that fell back to older partitions is tried again soon, not a refresh interval later.
    const soon = (): number =>
      this.planner.incomplete || refreshMs <= 0
        ? Math.min(LISTING_RETRY_MS, refreshMs > 0 ? refreshMs : LISTING_RETRY_MS)
        : refreshMs;
    let nextRefresh = Date.now() + soon();
    let checking: Promise<void> | undefined;
    this.rejoinReason = undefined;
    while (!this.stopping) {
      await this.sleep(workers.heartbeatIntervalMs);
      if (this.stopping || this.rejoinReason !== undefined) break;
      if ((await this.member.heartbeat()) === 'rejoin') return 'group rebalancing';
      if (
        this.leader &&
        (refreshMs > 0 || this.planner.incomplete) &&
        checking === undefined &&
        Date.now() >= nextRefresh
      ) {
        nextRefresh = Date.now() + soon();
        checking = this.checkPartitions()
          .catch((e: unknown) => log.warn({ err: String(e) }, 'listing source partitions failed; will retry'))
          .finally(() => (checking = undefined));
      }
    }
    await checking;
    return this.rejoinReason ?? 'worker stopping';
  }

  /** Leader: when the source partitions differ from what was assigned, rejoin (rebalances everyone). */
  private async checkPartitions(): Promise<void> {
    const now = signature(await this.planner.partitions(this.listingDeadlineMs()));
    if (now === this.assignedSignature) return;
    this.rejoinReason = 'source topic-partitions changed';
    this.sleeper.wake();
  }

  /**
   * Eager revocation: stops every unit (source tasks commit their positions) while heartbeats keep
   * this member in the group, so a slow stop does not cost it its session.
   */
  private async stopUnitsHeartbeating(): Promise<void> {
    if (this.runner.running.size === 0 || this.member.memberId === '') {
      await this.runner.stopAll();
      return;
    }
    let done = false;
    const stopped = this.runner.stopAll().finally(() => (done = true));
    while (!done) {
      await Promise.race([stopped, new Promise((r) => setTimeout(r, this.opts.workers.heartbeatIntervalMs))]);
      if (!done) await this.member.heartbeat().catch(() => 'ok');
    }
    await stopped;
  }

  /** The leader answers a rebalance while no heartbeat is sent: list within half a session. */
  private listingDeadlineMs(): number {
    return Math.max(1_000, Math.floor(this.opts.workers.sessionTimeoutMs / 2));
  }

  private refreshIntervalMs(): number {
    const intervals = this.opts.config.flows
      .filter((f) => f.enabled && f.refreshTopicsIntervalMs > 0)
      .map((f) => f.refreshTopicsIntervalMs);
    return intervals.length === 0 ? -1 : Math.min(...intervals);
  }

  private sleep(ms: number): Promise<void> {
    return this.sleeper.sleep(ms);
  }
}
