/**
 * With administrator credentials only: the state the bypass and leak checks probe against, named
 * `<prefix><run id>-…` so nothing else is touched, and removed again at the end (also after a
 * failure or timeout). Without administrator credentials the audit creates nothing.
 *
 *   hidden topic     one record, no ACL for the user: what must never reach the user
 *   hidden group     a committed offset, no ACL for the user
 *   source topic     the user is granted READ (the streams topology's source)
 *   user groups      the user is granted READ (one consumer group, one streams group)
 */
import { ErrorCode } from '../protocol/errors.js';
import type { CheckContext, Fixtures, AclSpec } from './context.js';
import {
  commitOffset,
  createAcls,
  createTopics,
  deleteAcls,
  deleteGroups,
  deleteTopics,
  NodeRouter,
  OPERATION,
  PATTERN,
  PERMISSION,
  produceToNewTopic,
  RESOURCE,
} from './kafka-ops.js';

export const HIDDEN_RECORD = 'kgw-audit: this record must never reach the low-privilege user';

export const emptyFixtures = (): Fixtures => ({
  authorizer: true,
  notes: [],
  created: { topics: new Set(), groups: new Set(), acls: [] },
});

/** Fills `f` step by step, so whatever was created before a failure is still removed. */
export async function setUpFixtures(ctx: CheckContext, runId: string, f: Fixtures): Promise<void> {
  const base = `${ctx.opts.resourcePrefix}${runId}`;
  const admin = await ctx.connect('admin');
  const router = new NodeRouter(admin, (a) => ctx.connect('admin', a));
  // Each step is tried on its own: a check needing what failed is skipped, the others still run.
  const step = async (what: string, run: () => Promise<void>): Promise<void> => {
    try {
      await run();
    } catch (e) {
      f.notes.push(`could not ${what}: ${(e as Error).message}`);
    }
  };
  const hidden = `${base}-hidden`;
  const source = `${base}-source`;
  const created = await createTopics(admin, [hidden, source]);
  for (const [name, r] of created) {
    if (r.code === ErrorCode.NONE) f.created.topics.add(name);
    else f.notes.push(`could not create topic ${name}: error ${r.code}${r.message ? ` (${r.message})` : ''}`);
  }
  if (f.created.topics.has(hidden)) {
    await step(`write a record to ${hidden}`, async () => {
      const offset = await produceToNewTopic(router, hidden, HIDDEN_RECORD, 15_000);
      f.hiddenTopic = { name: hidden, id: created.get(hidden)!.id, internal: false };
      const group = `${base}-hidden-group`;
      f.created.groups.add(group);
      await commitOffset(router, { groupId: group, topic: hidden, offset, withinMs: 15_000 });
      f.hiddenGroup = group;
    });
  }
  const user = ctx.credentials('user');
  const consumerGroup = `${base}-consumer-group`;
  const streamsGroup = `${base}-streams-group`;
  const principal = user ? `User:${user.username}` : 'User:ANONYMOUS';
  const grant = (resourceType: number, resourceName: string): AclSpec => ({
    resourceType,
    resourceName,
    patternType: PATTERN.LITERAL,
    principal,
    host: '*',
    operation: OPERATION.READ,
    permissionType: PERMISSION.ALLOW,
  });
  const acls = [
    grant(RESOURCE.GROUP, consumerGroup),
    grant(RESOURCE.GROUP, streamsGroup),
    // DESCRIBE (not CREATE) on the streams group's internal topic names, as a Streams app is usually
    // granted: Kafka then refuses to create them only for want of CREATE.
    {
      ...grant(RESOURCE.TOPIC, `${streamsGroup}-`),
      patternType: PATTERN.PREFIXED,
      operation: OPERATION.DESCRIBE,
    },
  ];
  if (f.created.topics.has(source)) acls.push(grant(RESOURCE.TOPIC, source));
  await step('grant the user its ACLs', async () => {
    if ((await createAcls(admin, acls)) === ErrorCode.SECURITY_DISABLED) {
      f.authorizer = false;
      f.notes.push('the endpoint has no authorizer (CreateAcls: SECURITY_DISABLED)');
    } else f.created.acls.push(...acls);
    f.userConsumerGroup = consumerGroup;
    f.userStreamsGroup = streamsGroup;
    f.created.groups.add(consumerGroup).add(streamsGroup);
    if (f.created.topics.has(source)) f.userSourceTopic = source;
    f.notes.push(
      `created ${[...f.created.topics].join(', ')}; granted ${principal} ${acls.map((a) => `${a.operation === OPERATION.READ ? 'READ' : 'DESCRIBE'} on ${a.resourceName}${a.patternType === PATTERN.PREFIXED ? '*' : ''}`).join(', ')}`,
    );
  });
}

/** Removes what `setUpFixtures` and the checks created; returns what could not be removed. */
export async function tearDownFixtures(ctx: CheckContext, f: Fixtures): Promise<string[]> {
  const problems: string[] = [];
  const admin = await ctx.connect('admin');
  const router = new NodeRouter(admin, (a) => ctx.connect('admin', a));
  if (f.created.acls.length > 0) {
    const removed = await deleteAcls(admin, f.created.acls);
    if (removed < f.created.acls.length)
      problems.push(`removed ${removed} of the ${f.created.acls.length} ACLs the audit granted`);
  }
  const groups = await deleteGroups(router, [...f.created.groups], 10_000);
  for (const [g, code] of groups)
    // GROUP_ID_NOT_FOUND: the group left no state (a member-less group that never committed).
    if (code !== ErrorCode.NONE && code !== ErrorCode.GROUP_ID_NOT_FOUND)
      problems.push(`group ${g} not deleted: error ${code}`);
  const topics = await deleteTopics(admin, [...f.created.topics]);
  for (const [t, code] of topics)
    if (code !== ErrorCode.NONE && code !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
      problems.push(`topic ${t} not deleted: error ${code}`);
  return problems;
}
