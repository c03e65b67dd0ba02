/**
 * DescribeTopicPartitions (KIP-966) pages through all topics with a cursor. Kafka lists and pages
 * only topics the caller may describe; a proxy that filters the topics of each page but passes
 * `nextCursor` through names the hidden topic that comes next, and following the cursors lists them
 * all (issue #12, finding 3). Every name the API returns must be one the user's own Metadata shows,
 * also when the cursor is made to start at a hidden topic.
 */
import { ErrorCode } from '../../../protocol/errors.js';
import { budgetOf } from '../../budget.js';
import { ApiKey } from '../../../protocol/generated/api-keys.js';
import type { DescribeTopicPartitionsResponse } from '../../../protocol/generated/messages.js';
import type { AuditConnection } from '../../connection.js';
import { describeByName } from '../../discovery.js';
import { fail, pass, skip, type Check } from '../../types.js';

const MAX_PAGES = 25;
/** One partition per page: every page then ends with a cursor naming what comes next. */
const PARTITIONS_PER_PAGE = 1;

/** Every topic name one answer mentions: listed topics and the next cursor. */
const namesIn = (r: DescribeTopicPartitionsResponse): string[] => [
  ...r.topics.filter((t) => t.errorCode === ErrorCode.NONE && t.name !== null).map((t) => t.name!),
  ...(r.nextCursor ? [r.nextCursor.topicName] : []),
];

async function walk(
  conn: AuditConnection,
  start: { topicName: string; partitionIndex: number } | null,
  pages: number,
): Promise<{ names: Set<string>; pages: number }> {
  const names = new Set<string>();
  let cursor = start;
  let n = 0;
  for (; n < pages; n++) {
    const r = await conn.request(ApiKey.DescribeTopicPartitions, 0, {
      topics: [],
      responsePartitionLimit: PARTITIONS_PER_PAGE,
      cursor,
    });
    for (const name of namesIn(r)) names.add(name);
    if (!r.nextCursor) return { names, pages: n + 1 };
    cursor = { topicName: r.nextCursor.topicName, partitionIndex: r.nextCursor.partitionIndex };
  }
  return { names, pages: n };
}

export const bypassDtpCursor: Check = {
  id: 'bypass.dtp-cursor',
  family: 'bypass',
  title: "DescribeTopicPartitions' cursor names no hidden topic",
  requires: ['user'],
  timeoutMs: 30_000,
  budget: budgetOf(1, MAX_PAGES + 3),
  async run(ctx) {
    const conn = await ctx.connect('user');
    if (!conn.offers(ApiKey.DescribeTopicPartitions))
      return skip('the endpoint does not offer DescribeTopicPartitions');
    const visible = ctx.views.user!.topics;
    // Start at a topic the user cannot see: the audit's hidden one, else an internal topic.
    const hiddenStart =
      ctx.fixtures?.hiddenTopic?.name ??
      (visible.has('__consumer_offsets') ? undefined : '__consumer_offsets');
    const all = await walk(conn, null, MAX_PAGES);
    const fromHidden = hiddenStart
      ? await walk(conn, { topicName: hiddenStart, partitionIndex: 0 }, 2)
      : undefined;
    const seen = new Set([...all.names, ...(fromHidden?.names ?? [])]);
    const unexpected = [...seen].filter((n) => !visible.has(n));
    // Topics created since the user's Metadata was taken are visible by name now; hidden ones are refused.
    const codes = unexpected.length > 0 ? await describeByName(conn, unexpected) : new Map<string, number>();
    const leaked = unexpected.filter((n) => codes.get(n) !== ErrorCode.NONE);
    const details = [
      `${all.pages} page(s) from the start: ${all.names.size} names`,
      hiddenStart
        ? `cursor set to ${hiddenStart}: ${[...(fromHidden?.names ?? [])].join(', ') || 'nothing'}`
        : 'no hidden topic to start the cursor at',
    ];
    if (leaked.length > 0)
      return fail(
        `DescribeTopicPartitions named topics the user may not describe: ${leaked.join(', ')}`,
        'Page only over topics the caller may describe, and never return a cursor naming a topic it may not see (kgw gateway: issue #12, finding 3).',
        details,
      );
    return pass(`every name returned (${seen.size}) is one the user may describe`, details);
  },
};
