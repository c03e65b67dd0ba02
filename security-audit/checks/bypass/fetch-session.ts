/**
 * Fetch sessions (KIP-227) are broker state keyed by a 31-bit id. Kafka re-authorizes every
 * partition of a session on every fetch; a proxy that only looks at the topics named in the request
 * hands another principal's session data to whoever presents its id (issue #12, finding 1), and a
 * broker that answers an unknown id (FETCH_SESSION_ID_NOT_FOUND) differently from a wrong epoch
 * (INVALID_FETCH_SESSION_EPOCH) lets live ids be probed across principals.
 */
import { budgetOf } from '../../budget.js';
import { randomInt } from 'node:crypto';
import { ApiKey } from '../../../protocol/generated/api-keys.js';
import { ZERO_UUID } from '../../../protocol/runtime/reader.js';
import type { FetchRequest } from '../../../protocol/generated/messages.js';
import type { AuditConnection } from '../../connection.js';
import { ERR } from '../../discovery.js';
import { leaderOf } from '../../kafka-ops.js';
import { fail, pass, skip, type Check } from '../../types.js';

function fetchRequest(o: { sessionId: number; epoch: number; topic?: string }): FetchRequest {
  return {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: o.sessionId,
    sessionEpoch: o.epoch,
    topics: o.topic
      ? [
          {
            topic: o.topic,
            topicId: ZERO_UUID,
            partitions: [
              {
                partition: 0,
                currentLeaderEpoch: -1,
                fetchOffset: 0n,
                lastFetchedEpoch: -1,
                logStartOffset: -1n,
                partitionMaxBytes: 1 << 20,
              },
            ],
          },
        ]
      : [],
    forgottenTopicsData: [],
    rackId: '',
  };
}

/** What a fetch answered: the top-level error, and the partitions that came back without error (with their bytes). */
async function fetchAs(
  conn: AuditConnection,
  v: number,
  r: FetchRequest,
): Promise<{ code: number; sessionId: number; served: string[] } | { closed: string }> {
  const a = await conn.attempt(ApiKey.Fetch, v, r);
  if (!a.answered) return { closed: a.reason };
  const served = a.body.responses.flatMap((t) =>
    t.partitions
      .filter((p) => p.errorCode === ERR.NONE)
      .map((p) => `${t.topic || t.topicId}-${p.partitionIndex} (${p.records?.length ?? 0} bytes)`),
  );
  return { code: a.body.errorCode, sessionId: a.body.sessionId, served };
}

export const bypassFetchSession: Check = {
  id: 'bypass.fetch-session',
  family: 'bypass',
  title: "Another principal's fetch session yields nothing and cannot be probed",
  requires: ['user', 'admin'],
  timeoutMs: 20_000,
  budget: budgetOf(4, 12),
  async run(ctx) {
    const hidden = ctx.fixtures?.hiddenTopic;
    if (!hidden) return skip("the administrator could not create the audit's topic");
    const admin0 = await ctx.connect('admin');
    const leader = await leaderOf(admin0, hidden.name, 5_000);
    admin0.close();
    const admin = await ctx.connect('admin', leader);
    const user = await ctx.connect('user', leader);
    const v = Math.min(admin.version(ApiKey.Fetch, 7, 12), user.version(ApiKey.Fetch, 7, 12));
    const full = await fetchAs(admin, v, fetchRequest({ sessionId: 0, epoch: 0, topic: hidden.name }));
    if ('closed' in full) return skip(`the administrator's fetch failed: ${full.closed}`);
    if (full.sessionId === 0)
      return skip('the endpoint created no fetch session for a full fetch (sessions disabled?)');
    const session = full.sessionId;
    const details = [
      `administrator's session ${session} on ${hidden.name}-0 (served ${full.served.join(', ') || 'nothing'})`,
    ];
    const problems: string[] = [];
    // The next epoch with no topics: a session-blind endpoint answers with the session's partitions.
    const reuse = await fetchAs(user, v, fetchRequest({ sessionId: session, epoch: 1 }));
    if ('closed' in reuse) details.push(`user presenting it: connection closed (${reuse.closed})`);
    else {
      details.push(
        `user presenting it with epoch 1: error ${reuse.code}, served ${reuse.served.join(', ') || 'nothing'}`,
      );
      if (reuse.served.length > 0)
        problems.push(`the user received ${reuse.served.join(', ')} through the administrator's session`);
    }
    const probeUser = user.isOpen ? user : await ctx.connect('user', leader);
    const wrongEpoch = await fetchAs(probeUser, v, fetchRequest({ sessionId: session, epoch: 1000 }));
    const unknownId = await fetchAs(
      probeUser,
      v,
      fetchRequest({ sessionId: randomInt(1, 2 ** 31 - 1), epoch: 1 }),
    );
    const code = (r: typeof wrongEpoch): string => ('closed' in r ? 'closed' : String(r.code));
    details.push(`live id, wrong epoch: ${code(wrongEpoch)}; random id: ${code(unknownId)}`);
    if (
      !('closed' in wrongEpoch) &&
      !('closed' in unknownId) &&
      wrongEpoch.code === ERR.INVALID_FETCH_SESSION_EPOCH &&
      unknownId.code === ERR.FETCH_SESSION_ID_NOT_FOUND
    )
      problems.push(
        "another principal's live session id is told apart from a random one (INVALID_FETCH_SESSION_EPOCH vs FETCH_SESSION_ID_NOT_FOUND): ids can be probed",
      );
    // Close the administrator's session (epoch -1 = final).
    await admin.attempt(ApiKey.Fetch, v, fetchRequest({ sessionId: session, epoch: -1 }));
    if (problems.length > 0)
      return fail(
        problems.join('; '),
        'Bind fetch sessions to the connection (or principal) that created them and re-authorize every partition of a session on every fetch, answering FETCH_SESSION_ID_NOT_FOUND for sessions of others (kgw gateway: issue #12, finding 1).',
        details,
      );
    return pass(
      "the administrator's session gave the user nothing and was not told apart from a random id",
      details,
    );
  },
};
