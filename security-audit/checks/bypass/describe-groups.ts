/**
 * Describing a group the user may not describe must answer GROUP_AUTHORIZATION_FAILED, with no
 * state, members or offsets, in every version of every describe API: DescribeGroups v5 once closed
 * the connection instead (issue #12, finding 5), which tells a client apart from a refusal and
 * breaks admin tools. The group is the administrator's hidden group, else a random name (Kafka
 * refuses undescribable names whether or not the group exists).
 */
import { ErrorCode } from '../../../protocol/errors.js';
import { budgetOf } from '../../budget.js';
import { randomBytes } from 'node:crypto';
import { ApiKey } from '../../../protocol/generated/api-keys.js';
import type { AuditConnection } from '../../connection.js';
import { fail, pass, skip, type Check } from '../../types.js';

const MAX_DESCRIBE_GROUPS_VERSIONS = 8;

export const bypassDescribeGroups: Check = {
  id: 'bypass.describe-groups',
  family: 'bypass',
  title: 'Describing a group the user may not describe answers GROUP_AUTHORIZATION_FAILED',
  requires: ['user'],
  timeoutMs: 30_000,
  budget: budgetOf(MAX_DESCRIBE_GROUPS_VERSIONS + 3, MAX_DESCRIBE_GROUPS_VERSIONS + 2),
  async run(ctx) {
    const group = ctx.fixtures?.hiddenGroup ?? `kgw-audit-undescribable-${randomBytes(6).toString('hex')}`;
    let conn: AuditConnection = await ctx.connect('user');
    const reopen = async (): Promise<AuditConnection> =>
      conn.isOpen ? conn : (conn = await ctx.connect('user'));
    const offered = conn.inner.apiVersions.apiKeys.find((k) => k.apiKey === ApiKey.DescribeGroups);
    if (!offered) return skip('the endpoint does not offer DescribeGroups');
    const problems: string[] = [];
    const details: string[] = [];
    const low = Math.max(offered.minVersion, offered.maxVersion - MAX_DESCRIBE_GROUPS_VERSIONS + 1);
    for (let v = low; v <= offered.maxVersion; v++) {
      const c = await reopen();
      const r = await c.attempt(ApiKey.DescribeGroups, v, {
        groups: [group],
        includeAuthorizedOperations: false,
      });
      if (!r.answered) {
        problems.push(`DescribeGroups v${v}: connection closed instead of an answer`);
        details.push(`DescribeGroups v${v}: closed (${r.reason})`);
        continue;
      }
      const g = r.body.groups[0];
      details.push(
        `DescribeGroups v${v}: error ${g?.errorCode}, state "${g?.groupState ?? ''}", ${g?.members.length ?? 0} members`,
      );
      if (g?.errorCode !== ErrorCode.GROUP_AUTHORIZATION_FAILED) {
        if (v === low && !ctx.fixtures?.hiddenGroup)
          return skip(
            `the user may describe arbitrary group names (DescribeGroups answered error ${g?.errorCode} for ${group}): nothing hidden to test with`,
          );
        problems.push(`DescribeGroups v${v}: error ${g?.errorCode} instead of GROUP_AUTHORIZATION_FAILED`);
      }
    }
    const c = await reopen();
    if (c.offers(ApiKey.ConsumerGroupDescribe)) {
      const v = c.version(ApiKey.ConsumerGroupDescribe, 0, 1);
      const r = await c.attempt(ApiKey.ConsumerGroupDescribe, v, {
        groupIds: [group],
        includeAuthorizedOperations: false,
      });
      const code = r.answered ? r.body.groups[0]?.errorCode : undefined;
      details.push(`ConsumerGroupDescribe v${v}: ${r.answered ? `error ${code}` : 'closed'}`);
      if (code !== ErrorCode.GROUP_AUTHORIZATION_FAILED)
        problems.push(
          `ConsumerGroupDescribe: ${r.answered ? `error ${code}` : 'connection closed'} instead of GROUP_AUTHORIZATION_FAILED`,
        );
    }
    const of = await reopen();
    const v = of.version(ApiKey.OffsetFetch, 2, 9);
    // v2–v7 name one group at the top level, v8+ a list of groups.
    const r = await of.attempt(ApiKey.OffsetFetch, v, {
      groupId: v < 8 ? group : '',
      topics: null,
      groups: v >= 8 ? [{ groupId: group, memberId: null, memberEpoch: -1, topics: null }] : [],
      requireStable: false,
    });
    const code = !r.answered ? undefined : v >= 8 ? r.body.groups[0]?.errorCode : r.body.errorCode;
    const offsets = !r.answered ? 0 : v >= 8 ? (r.body.groups[0]?.topics.length ?? 0) : r.body.topics.length;
    details.push(`OffsetFetch v${v}: ${r.answered ? `error ${code}, ${offsets} topics` : 'closed'}`);
    if (code !== ErrorCode.GROUP_AUTHORIZATION_FAILED || offsets > 0)
      problems.push(
        `OffsetFetch: ${r.answered ? `error ${code} with ${offsets} topics` : 'connection closed'} instead of GROUP_AUTHORIZATION_FAILED`,
      );
    if (problems.length > 0)
      return fail(
        problems.join('; '),
        'Answer every describe of an unauthorized group with GROUP_AUTHORIZATION_FAILED and nothing else, in every version (kgw gateway: issue #12, finding 5).',
        details,
      );
    return pass(`every describe API and version refused ${group} with GROUP_AUTHORIZATION_FAILED`, details);
  },
};
