/**
 * The leader's view of the work: every enabled flow's source topic-partitions (listed, and their
 * target twins created or grown, by the same TopicSync the source tasks use, as MM2's
 * MirrorSourceConnector does before it computes task configs), split into tasks by tasks.max, plus
 * each flow's checkpoint and heartbeat roles. `signature` lets the leader notice new partitions.
 */
import type { Admin } from 'kafkajs';
import type { Logger } from 'pino';
import type { MirrorConfig } from '../config/config.js';
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

  constructor(
    private readonly config: MirrorConfig,
    private readonly log: Logger,
  ) {}

  /** Lists every enabled flow's partitions (creating missing target topics on the way). */
  async partitions(): Promise<Map<string, TopicPartition[]>> {
    const out = new Map<string, TopicPartition[]>();
    for (const flow of this.config.flows.filter((f) => f.enabled)) {
      const sync = new TopicSync(
        flow,
        policyFor(flow),
        await this.admin(flow.source),
        await this.admin(flow.target),
        this.log,
      );
      const topics = await sync.refresh();
      out.set(
        flow.name,
        topics.flatMap((t) =>
          Array.from({ length: t.partitions }, (_, partition) => ({ topic: t.source, partition })),
        ),
      );
    }
    return out;
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
