/**
 * The leader's view of the work: every enabled flow's source topic-partitions (listed, and their
 * target twins created or grown, by the same TopicSync the source tasks use, as MM2's
 * MirrorSourceConnector does before it computes task configs), split into tasks by tasks.max, plus
 * each flow's checkpoint and heartbeat roles. `signature` lets the leader notice new partitions.
 */
import type { Admin } from 'kafkajs';
import type { Logger } from 'pino';
import type { FlowConfig, MirrorConfig } from '../config/config.js';
import { kafkaFor } from '../kafka/clients.js';
import { policyFor } from '../../mm2/replication-policy.js';
import { TopicSync } from '../source/topics.js';
import { splitIntoTasks, type TopicPartition, type WorkUnit } from './work.js';

/** The connectors a configuration runs (the same rule a single process applies). */
export function roleUnits(config: MirrorConfig): WorkUnit[] {
  const out: WorkUnit[] = [];
  for (const flow of config.flows) {
    if (flow.enabled && (flow.emitCheckpointsIntervalMs > 0 || flow.syncGroupOffsetsIntervalMs > 0))
      out.push({ kind: 'checkpoint', flow: flow.name });
    // MM2 emits heartbeats for every pair of clusters, replicated or not, unless turned off.
    if (flow.emitHeartbeatsIntervalMs > 0) out.push({ kind: 'heartbeat', flow: flow.name });
  }
  return out;
}

/** A stable text of the partitions per flow: it changes exactly when a reassignment is due. */
export function signature(partitions: ReadonlyMap<string, readonly TopicPartition[]>): string {
  return [...partitions]
    .map(
      ([flow, list]) =>
        `${flow}:${list
          .map((p) => `${p.topic}/${p.partition}`)
          .sort()
          .join(',')}`,
    )
    .sort()
    .join('\n');
}

export class WorkPlanner {
  private readonly admins = new Map<string, Admin>();
  /** Whether the last `partitions()` fell back to an older listing for some flow. */
  incomplete = false;
  /** Each flow's last successful listing. */
  private readonly lastListed = new Map<string, TopicPartition[]>();

  constructor(
    private readonly config: MirrorConfig,
    private readonly log: Logger,
  ) {}

  /**
   * Lists every enabled flow's partitions (creating missing target topics on the way), each flow
   * within `deadlineMs`. A flow whose clusters do not answer in time keeps the partitions last
   * listed for it (none the first time), so one unreachable cluster neither stops the other flows
   * nor keeps the leader from answering the rebalance within its session.
   */
  async partitions(deadlineMs: number): Promise<Map<string, TopicPartition[]>> {
    const out = new Map<string, TopicPartition[]>();
    this.incomplete = false;
    for (const flow of this.config.flows.filter((f) => f.enabled)) {
      try {
        out.set(flow.name, await withDeadline(this.list(flow), deadlineMs, `listing ${flow.name}`));
      } catch (e) {
        const last = this.lastListed.get(flow.name) ?? [];
        this.log.warn(
          { flow: flow.name, err: String(e), partitions: last.length },
          "cannot list the flow's source partitions; keeping the last listing",
        );
        out.set(flow.name, last);
        this.incomplete = true;
      }
    }
    return out;
  }

  private async list(flow: FlowConfig): Promise<TopicPartition[]> {
    const sync = new TopicSync(
      flow,
      policyFor(flow),
      await this.admin(flow.source),
      await this.admin(flow.target),
      this.log,
    );
    const topics = await sync.refresh();
    const listed = topics.flatMap((t) =>
      Array.from({ length: t.partitions }, (_, partition) => ({ topic: t.source, partition })),
    );
    this.lastListed.set(flow.name, listed);
    return listed;
  }

  /** The units for `partitions` (as `partitions()` returned them). */
  units(partitions: ReadonlyMap<string, readonly TopicPartition[]>): WorkUnit[] {
    const tasks = this.config.flows
      .filter((f) => f.enabled)
      .flatMap((f) => splitIntoTasks(f.name, partitions.get(f.name) ?? [], f.tasksMax));
    return [...tasks, ...roleUnits(this.config)];
  }

  async close(): Promise<void> {
    const admins = [...this.admins.values()];
    this.admins.clear();
    await Promise.all(admins.map((a) => a.disconnect().catch(() => undefined)));
  }

  private async admin(alias: string): Promise<Admin> {
    let admin = this.admins.get(alias);
    if (admin === undefined) {
      admin = kafkaFor(this.config.clusters.get(alias)!, 'workers-leader', this.log).admin();
      await admin.connect();
      this.admins.set(alias, admin);
    }
    return admin;
  }
}

function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  work.catch(() => undefined); // a failure after the deadline is not an unhandled rejection
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
