/**
 * The process-wide conflict settings, checked together: last-writer-wins only means something when
 * the same topic name is written in every cluster and copied both ways, so a configuration that
 * cannot converge is refused at start with the key that makes it so.
 */
import { GLOBAL_KEYS } from '../config/keys.js';
import { PatternList } from '../../mm2/filters.js';
import type { FailAt, LocatedValue } from '../config/located.js';

export interface ConflictsConfig {
  /** Keys remembered per topic for detection (LRU). */
  maxKeysPerTopic: number;
  /** Conflict log lines per minute (the rest are counted). */
  logLinesPerMinute: number;
  /** Topics under last-writer-wins (none when the list is empty). */
  lwwTopics: PatternList;
  lwwEnabled: boolean;
  /** Cluster aliases; the first wins a timestamp tie. */
  clusterOrder: string[];
  /** Keys whose winner the mirror keeps in memory, across LWW topics. */
  lwwMaxKeys: number;
}

interface FlowShape {
  source: string;
  target: string;
  name: string;
  enabled: boolean;
  policy: string;
}

export function conflictsConfig(
  get: (key: string) => LocatedValue,
  aliases: readonly string[],
  flows: readonly FlowShape[],
  fail: FailAt,
): ConflictsConfig {
  const value = (k: keyof typeof GLOBAL_KEYS): string => get(k)?.value.trim() ?? GLOBAL_KEYS[k].default;
  const at = (k: string) => ({ key: k, value: get(k)?.value, line: get(k)?.line });
  const lwwTopics = PatternList.parse(value('kgw.conflicts.lww.topics'));
  const lwwEnabled = value('kgw.conflicts.lww.topics') !== '';
  const clusterOrder = value('kgw.conflicts.lww.cluster.order')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (lwwEnabled) {
    const orderKey = 'kgw.conflicts.lww.cluster.order';
    if (clusterOrder.length === 0)
      fail(
        at('kgw.conflicts.lww.topics'),
        `needs ${orderKey} (every cluster alias once, the first wins a timestamp tie)`,
      );
    for (const c of clusterOrder)
      if (!aliases.includes(c)) fail(at(orderKey), `cluster "${c}" is not listed in clusters`);
    if (new Set(clusterOrder).size !== clusterOrder.length) fail(at(orderKey), 'lists a cluster twice');
    for (const a of aliases)
      if (!clusterOrder.includes(a)) fail(at(orderKey), `must list every cluster; "${a}" is missing`);
    for (const f of flows.filter((f) => f.enabled)) {
      if (f.policy !== 'identity')
        fail(
          at('kgw.conflicts.lww.topics'),
          `flow ${f.name} must use replication.policy.class = org.apache.kafka.connect.mirror.IdentityReplicationPolicy: last-writer-wins needs the same topic name in every cluster`,
        );
      const back = flows.find((b) => b.source === f.target && b.target === f.source);
      if (back === undefined || !back.enabled)
        fail(
          at('kgw.conflicts.lww.topics'),
          `flow ${f.name} needs ${f.target}->${f.source}.enabled = true: last-writer-wins copies both ways`,
        );
    }
  }
  return {
    maxKeysPerTopic: Number(value('kgw.conflicts.max.keys')),
    logLinesPerMinute: Number(value('kgw.conflicts.log.lines.per.minute')),
    lwwTopics,
    lwwEnabled,
    clusterOrder,
    lwwMaxKeys: Number(value('kgw.conflicts.lww.max.keys')),
  };
}
