/**
 * Last-writer-wins is only sound on compacted topics with CreateTime timestamps (docs/mirror.md,
 * "Conflicts"), and topic settings live in the clusters, not in the mirror's file: so each task
 * start looks at the topics under it and says which ones break the assumptions. A warning, not an
 * error: the topic can be fixed while the mirror runs, and replication itself is unaffected.
 */
import kafkajs, { type Admin } from 'kafkajs';

const { ConfigResourceTypes } = kafkajs;

/** One line per topic under last-writer-wins that is not compacted or restamps timestamps. */
export async function lwwTopicProblems(admin: Admin, topics: readonly string[]): Promise<string[]> {
  if (topics.length === 0) return [];
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
  });
  const problems: string[] = [];
  for (const r of described.resources) {
    const get = (name: string): string | undefined =>
      r.configEntries.find((e) => e.configName === name)?.configValue;
    const cleanup = get('cleanup.policy') ?? 'delete';
    if (!cleanup.split(',').includes('compact'))
      problems.push(
        `topic ${r.resourceName} is under kgw.conflicts.lww.topics but its cleanup.policy is ${cleanup}: last-writer-wins only decides what compaction keeps`,
      );
    if (get('message.timestamp.type') === 'LogAppendTime')
      problems.push(
        `topic ${r.resourceName} is under kgw.conflicts.lww.topics but uses LogAppendTime: the broker restamps copies, so versions no longer compare by timestamp`,
      );
  }
  return problems;
}
