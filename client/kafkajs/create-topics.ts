/**
 * Creating topics with kafkajs and waiting until every partition has a leader.
 *
 * kafkajs' own `waitForLeaders` asks one broker for the topic's metadata and gives up as soon as
 * that broker answers UNKNOWN_TOPIC_OR_PARTITION, which a broker that has not yet applied the
 * controller's record for the new topic does: on a cluster of three or more nodes, a gateway,
 * mirror or probe creating its topic at start then fails at random. Kafka's own clients treat that
 * code and LEADER_NOT_AVAILABLE as retriable (the error table says so), and so does this helper:
 * it creates without kafkajs' wait, then polls metadata through `withRetries` until each partition
 * of each topic has a leader or `waitMs` has passed.
 */
import type { Admin, ITopicConfig } from 'kafkajs';
import { ErrorCode, errorName } from '../../protocol/errors.js';
import { withRetries } from '../retry.js';

/** How long a new topic may take to get leaders on every partition (default). */
const DEFAULT_WAIT_MS = 30_000;

/** Thrown (and retried) while some partition of a new topic has no leader yet. */
class LeaderNotYetKnown extends Error {
  readonly retriable = true;
  readonly code = ErrorCode.LEADER_NOT_AVAILABLE;
}

/**
 * Creates `topics` (an existing one is not an error: kafkajs then answers false, as here) and
 * resolves once every partition of every topic has a leader.
 * @returns whether any topic was created (false: all of them already existed).
 */
export async function createTopicsWithLeaders(
  admin: Admin,
  topics: ITopicConfig[],
  opts: { waitMs?: number } = {},
): Promise<boolean> {
  const created = await admin.createTopics({ waitForLeaders: false, topics });
  const names = topics.map((t) => t.topic);
  await withRetries({ retryForMs: opts.waitMs ?? DEFAULT_WAIT_MS, maxBackoffMs: 1000 }, async () => {
    const { topics: meta } = await admin.fetchTopicMetadata({ topics: names });
    const leaderless = meta.filter(
      (t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0),
    );
    if (leaderless.length > 0) {
      throw new LeaderNotYetKnown(
        `${errorName(ErrorCode.LEADER_NOT_AVAILABLE)}: no leader yet for a partition of ${leaderless.map((t) => t.name).join(', ')}`,
      );
    }
  });
  return created;
}
