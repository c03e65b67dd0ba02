/**
 * Fetch sessions (KIP-227) are broker state keyed by a 31-bit id. Kafka re-authorizes every
 * partition of a session on every fetch; a proxy that only looks at the topics named in the request
 * hands another principal's session data to whoever presents its id (issue #12, finding 1): a fail.
 * An endpoint that answers a live id with a wrong epoch (INVALID_FETCH_SESSION_EPOCH) differently
 * from an unknown id (FETCH_SESSION_ID_NOT_FOUND) lets live ids be probed across principals: a
 * warning, since Kafka itself does so and offers no setting against it.
 */
import { ErrorCode } from '../../../protocol/errors.js';
import { AuditIncomplete } from '../../context.js';
import { budgetOf } from '../../budget.js';
import { randomInt } from 'node:crypto';
import { ApiKey } from '../../../protocol/generated/api-keys.js';
import { ZERO_UUID } from '../../../protocol/runtime/reader.js';
import type { FetchRequest } from '../../../protocol/generated/messages.js';
import type { AuditConnection } from '../../connection.js';
import { leaderOf } from '../../kafka-ops.js';
import { fail, pass, skip, warn, type Check } from '../../types.js';
import type { CheckContext } from '../../context.js';
import type { Address } from '../../net.js';

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
      .filter((p) => p.errorCode === ErrorCode.NONE)
      .map((p) => `${t.topic || t.topicId}-${p.partitionIndex} (${p.records?.length ?? 0} bytes)`),
  );
  return { code: a.body.errorCode, sessionId: a.body.sessionId, served };
}

/** The administrator's session on the hidden topic, at its leader. */
async function adminSession(
  ctx: CheckContext,
): Promise<
  { leader: Address; admin: AuditConnection; v: number; session: number; served: string[] } | string
> {
  const hidden = ctx.fixtures?.hiddenTopic;
  if (!hidden) throw new AuditIncomplete("the administrator could not create the audit's topic");
  const admin0 = await ctx.connect('admin');
  const leader = await leaderOf(admin0, hidden.name, 5_000);
  admin0.close();
  const admin = await ctx.connect('admin', leader);
  const v = admin.version(ApiKey.Fetch, 7, 12);
  const full = await fetchAs(admin, v, fetchRequest({ sessionId: 0, epoch: 0, topic: hidden.name }));
  if ('closed' in full) return `the administrator's fetch failed: ${full.closed}`;
  if (full.sessionId === 0)
    return 'the endpoint created no fetch session for a full fetch (sessions disabled?)';
  return { leader, admin, v, session: full.sessionId, served: full.served };
}

/** Closes the administrator's session (epoch -1 = final). */
const closeSession = (admin: AuditConnection, v: number, session: number) =>
  admin.attempt(ApiKey.Fetch, v, fetchRequest({ sessionId: session, epoch: -1 }));

export const bypassFetchSession: Check = {
  id: 'bypass.fetch-session',
  family: 'bypass',
  title: "Another principal's fetch session yields none of its data",
  requires: ['user', 'admin'],
  timeoutMs: 20_000,
  budget: budgetOf(3, 10),
  async run(ctx) {
    const s = await adminSession(ctx);
    if (typeof s === 'string') return skip(s);
    const user = await ctx.connect('user', s.leader);
    const details = [
      `administrator's session ${s.session} on ${ctx.fixtures!.hiddenTopic!.name}-0 (served ${s.served.join(', ') || 'nothing'})`,
    ];
    // The next epoch with no topics: a session-blind endpoint answers with the session's partitions.
    const reuse = await fetchAs(
      user,
      Math.min(s.v, user.version(ApiKey.Fetch, 7, 12)),
      fetchRequest({ sessionId: s.session, epoch: 1 }),
    );
    await closeSession(s.admin, s.v, s.session);
    if ('closed' in reuse) return pass(`the user presenting it was disconnected (${reuse.closed})`, details);
    details.push(
      `user presenting it with epoch 1: error ${reuse.code}, served ${reuse.served.join(', ') || 'nothing'}`,
    );
    if (reuse.served.length > 0)
      return fail(
        `the user received ${reuse.served.join(', ')} through the administrator's fetch session`,
        'Re-authorize every partition of a fetch session on every fetch, as Kafka does, or bind sessions to the connection that created them (kgw gateway: issue #12, finding 1).',
        details,
      );
    return pass("the administrator's session gave the user nothing", details);
  },
};

export const bypassFetchSessionProbing: Check = {
  id: 'bypass.fetch-session-probing',
  family: 'bypass',
  title: "Another principal's live fetch session id cannot be told from a random one",
  requires: ['user', 'admin'],
  timeoutMs: 20_000,
  budget: budgetOf(3, 10),
  async run(ctx) {
    const s = await adminSession(ctx);
    if (typeof s === 'string') return skip(s);
    const user = await ctx.connect('user', s.leader);
    const v = Math.min(s.v, user.version(ApiKey.Fetch, 7, 12));
    const wrongEpoch = await fetchAs(user, v, fetchRequest({ sessionId: s.session, epoch: 1000 }));
    const again = user.isOpen ? user : await ctx.connect('user', s.leader);
    const unknownId = await fetchAs(
      again,
      v,
      fetchRequest({ sessionId: randomInt(1, 2 ** 31 - 1), epoch: 1 }),
    );
    await closeSession(s.admin, s.v, s.session);
    const code = (r: typeof wrongEpoch): string => ('closed' in r ? 'closed' : String(r.code));
    const details = [
      `administrator's live session ${s.session} with a wrong epoch: ${code(wrongEpoch)}; a random id: ${code(unknownId)}`,
    ];
    if (code(wrongEpoch) !== code(unknownId))
      return warn(
        "another principal's live session id is answered differently from a random one: live ids can be probed (then disturbed: its epoch advanced, its partitions forgotten)",
        'Answer sessions of other connections or principals exactly like unknown ids (FETCH_SESSION_ID_NOT_FOUND); kgw gateway binds sessions to their connection (issue #12, finding 1). Kafka itself tells them apart (INVALID_FETCH_SESSION_EPOCH) and has no setting for it.',
        details,
      );
    return pass('a live session of another principal is answered like a random id', details);
  },
};
