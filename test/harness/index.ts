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
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, ITopicConfig } from 'kafkajs';
import { TEST_CLUSTERS_ENV, type SharedCluster } from './env.js';

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
 * Creates topics, then waits (up to 60 s) until every partition has a leader in the metadata.
 * kafkajs' own `waitForLeaders` gives up as soon as a broker that has not yet heard of the new
 * topic answers UNKNOWN_TOPIC_OR_PARTITION, which happens on a freshly formed three-node cluster.
 */
export async function createTopicsWithLeaders(admin: Admin, topics: ITopicConfig[]): Promise<void> {
  await admin.createTopics({ waitForLeaders: false, topics });
  const names = topics.map((t) => t.topic);
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics: names });
      if (meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    if (Date.now() > deadline) throw new Error(`no leaders for ${names.join(', ')} within 60 s`);
    await sleep(200);
  }
}
