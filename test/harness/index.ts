/**
 * What integration tests need: the shared clusters' addresses, unique names, the real third-party
 * clients (Kafka's CLI tools, kcat), and private clusters for fault tests.
 */
import { clusterSpec, type ClusterSpec } from '../../deploy/kafka/cluster-config.js';
import {
  killNode,
  restartNode,
  startCluster,
  stopCluster,
  type ClusterHandle,
} from '../../deploy/kafka/cluster.js';
import { bootstrapServers } from '../../deploy/kafka/cluster-config.js';
import type { Admin, ITopicConfig } from 'kafkajs';
import { TEST_CLUSTERS_ENV, type SharedCluster } from './env.js';
import { withRetries } from '../../client/retry.js';
import { createTopicsWithLeaders as createTopicsAndWait } from '../../client/kafkajs/create-topics.js';

export { runKafkaTool as kafkaTool, runKcat as kcat, type RunResult } from '../../deploy/kafka/tools.js';

/** Bootstrap servers of a shared cluster started by the runner (or already running, e.g. by `kgw kafka up`). */
export function clusterBootstrap(name: SharedCluster): string {
  const fromRunner = process.env[TEST_CLUSTERS_ENV];
  if (fromRunner) {
    const map = JSON.parse(fromRunner) as Record<string, string>;
    const address = map[name];
    if (address) return address;
  }
  return bootstrapServers(clusterSpec(name));
}

let counter = 0;
/** A topic/group name no other test (or earlier run) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}`;
}

/**
 * A cluster owned by one test file (e.g. three nodes for a fault test): started fresh, killed with
 * this test process if it dies, stopped by `stop()`.
 */
export interface PrivateCluster extends ClusterHandle {
  kill(nodeId: number): Promise<void>;
  restart(nodeId: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrivateCluster(
  name: string,
  opts: Partial<Omit<ClusterSpec, 'name'>> = {},
): Promise<PrivateCluster> {
  const spec = clusterSpec(name, opts);
  const owner = { ownerPid: process.pid };
  const handle = await startCluster(spec, { fresh: true, ...owner });
  return {
    ...handle,
    kill: (nodeId) => killNode(spec, nodeId),
    restart: (nodeId) => restartNode(spec, nodeId, owner),
    stop: () => stopCluster(spec, { graceMs: 5000 }),
  };
}

/**
 * The leader of one partition, asked with retries: a node that has not yet applied the topic's or
 * the new leader's metadata answers UNKNOWN_TOPIC_OR_PARTITION (retriable, as Kafka's clients treat
 * it) or reports no leader; both are asked again for up to 30 s.
 */
export function partitionLeader(admin: Admin, topic: string, partition = 0): Promise<number> {
  return withRetries({ retryForMs: 30_000 }, async () => {
    const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    const leader = meta?.partitions.find((p) => p.partitionId === partition)?.leader ?? -1;
    if (leader < 0)
      throw Object.assign(new Error(`no leader for ${topic}-${partition} yet`), { retriable: true });
    return leader;
  });
}

/** Creates topics and waits (up to 60 s) until every partition has a leader (client/kafkajs/create-topics.ts). */
export async function createTopicsWithLeaders(admin: Admin, topics: ITopicConfig[]): Promise<void> {
  await createTopicsAndWait(admin, topics, { waitMs: 60_000 });
}
