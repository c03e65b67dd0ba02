/**
 * The mirror-cluster settings (kgw.workers.* and Connect's worker keys group.id, session.timeout.ms,
 * heartbeat.interval.ms, rebalance.timeout.ms), checked together at load: which cluster holds the
 * group, and the combinations that cannot work are refused with the key that makes them so.
 */
import { GLOBAL_KEYS } from '../config/keys.js';
import type { FailAt, LocatedValue } from '../config/located.js';

export interface WorkersConfig {
  /** Alias of the cluster whose group coordinator the workers join. */
  cluster: string;
  groupId: string;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
}

interface FlowShape {
  source: string;
  target: string;
  name: string;
  enabled: boolean;
  conflictWindowMs: number;
}

/** undefined when kgw.workers.enabled is false (one process runs every flow, as before). */
export function workersConfig(
  get: (key: string) => LocatedValue,
  aliases: readonly string[],
  flows: readonly FlowShape[],
  lwwEnabled: boolean,
  fail: FailAt,
): WorkersConfig | undefined {
  const value = (k: keyof typeof GLOBAL_KEYS): string => get(k)?.value.trim() ?? GLOBAL_KEYS[k].default;
  const at = (k: string) => ({ key: k, value: get(k)?.value, line: get(k)?.line });
  if (value('kgw.workers.enabled').toLowerCase() !== 'true') return undefined;
  const enabled = flows.filter((f) => f.enabled);
  let cluster = value('kgw.workers.cluster');
  if (cluster === '') {
    // Connect's workers keep their group (and MM2 its internal topics) on the target cluster.
    const targets = [...new Set(enabled.map((f) => f.target))];
    if (targets.length !== 1)
      fail(
        at('kgw.workers.enabled'),
        `needs kgw.workers.cluster (the cluster alias whose group coordinator the workers use): the enabled flows have ${targets.length === 0 ? 'no target' : `several targets (${targets.join(', ')})`}`,
      );
    cluster = targets[0]!;
  } else if (!aliases.includes(cluster))
    fail(at('kgw.workers.cluster'), `cluster "${cluster}" is not listed in clusters`);
  // Conflict detection and last-writer-wins compare what both directions of a topic-partition see in
  // one process; spread over workers, each would see only part of it.
  if (lwwEnabled)
    fail(
      at('kgw.conflicts.lww.topics'),
      'last-writer-wins needs both directions of a topic in one process: it cannot run with kgw.workers.enabled = true',
    );
  const detecting = enabled.find((f) => f.conflictWindowMs > 0);
  if (detecting !== undefined)
    fail(
      at('kgw.conflicts.window.ms'),
      `conflict detection (flow ${detecting.name}) needs both directions of a topic in one process: it cannot run with kgw.workers.enabled = true`,
    );
  const session = Number(value('session.timeout.ms'));
  const heartbeat = Number(value('heartbeat.interval.ms'));
  // Kafka's consumer and Connect refuse the same: a heartbeat must come well within the session.
  if (heartbeat >= session)
    fail(at('heartbeat.interval.ms'), `must be lower than session.timeout.ms (${session})`);
  const groupId = value('group.id') || `kgw-mirror-${[...aliases].sort().join('-')}`;
  return {
    cluster,
    groupId,
    sessionTimeoutMs: session,
    heartbeatIntervalMs: heartbeat,
    rebalanceTimeoutMs: Number(value('rebalance.timeout.ms')),
  };
}
