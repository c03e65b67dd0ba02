/**
 * Share groups (KIP-932) data and offsets APIs: READ on the group, READ on each topic fetched or
 * acknowledged (by id), DESCRIBE/READ/DELETE for offsets administration.
 */
import { ErrorCode } from '../../../protocol/errors.js';
import { ApiKey, ZERO_UUID, type ShareFetchResponse } from '../../../protocol/index.js';
import { ShareSessionState, ShareSessions, shareSessionsOf } from '../../session/share-session.js';
import { blankResponse } from '../blank.js';
import { AclOperation, ResourceType } from '../../../security/acl/index.js';
import { errorMessage } from '../errors.js';
import { splitByDecision } from '../merge.js';
import { FORWARD, answer, forwardPatched, type ApiHandler } from '../types.js';
import { topLevelError } from './groups.js';

const { TOPIC, GROUP } = ResourceType;
const { READ, DESCRIBE, DELETE } = AclOperation;
/**
 * Kafka's answer for a share partition it refuses: the code only, no message, and the current
 * leader left at its defaults (0, 0) — as a broker answered in broker-state.test.ts.
 */
const leader = () => ({ leaderId: 0, leaderEpoch: 0 });

/** Kafka's Uuid.fromString: 22 characters of URL-safe base64 for 16 bytes. */
const isUuid = (s: string | null): boolean =>
  s !== null && /^[A-Za-z0-9_-]{22}$/.test(s) && Buffer.from(s, 'base64url').length === 16;

/** ShareRequestMetadata.INITIAL_EPOCH and FINAL_EPOCH. */
const INITIAL_EPOCH = 0;
const FINAL_EPOCH = -1;

type PartitionError = { topicId: string; partitionIndex: number; errorCode: number };

/** The session a request uses, or the answer Kafka gives when it has none (issue #12, as fetch). */
function sessionFor(
  az: { session: object },
  groupId: string,
  memberId: string,
  epoch: number,
): { key: string; state: ShareSessionState; sessions: ShareSessions } | undefined {
  const sessions = shareSessionsOf(az.session);
  const key = ShareSessions.key(groupId, memberId);
  if (epoch === INITIAL_EPOCH) return { key, state: new ShareSessionState(), sessions };
  const state = sessions.get(key);
  return state ? { key, state, sessions } : undefined;
}

function byTopicId(errors: PartitionError[]): Map<string, PartitionError[]> {
  const out = new Map<string, PartitionError[]>();
  for (const e of errors) out.set(e.topicId, [...(out.get(e.topicId) ?? []), e]);
  return out;
}

/**
 * ShareFetch: READ on the group, then on every topic of the share session on every fetch, as
 * Kafka's handleShareFetchRequest authorizes the session's partitions. The share session is bound
 * to the connection that opened it (gateway/session/share-session.ts): another connection's
 * session is not found. Denied partitions are answered TOPIC_AUTHORIZATION_FAILED (UNKNOWN_TOPIC_ID
 * for an unknown id) and kept out of the broker's copy; when all are denied the gateway answers
 * itself and leaves the broker's copy untouched, translating later epochs.
 */
export const shareFetch: ApiHandler = async (frame, az, env) => {
  const body = frame.body(ApiKey.ShareFetch);
  if (body.groupId !== null && !az.can(GROUP, body.groupId, READ))
    return topLevelError(frame, ApiKey.ShareFetch, ErrorCode.GROUP_AUTHORIZATION_FAILED, {
      errorMessage: null,
    });
  // The share session's member id is parsed (Uuid.fromString) before topics are authorized.
  if (!isUuid(body.memberId))
    return topLevelError(frame, ApiKey.ShareFetch, ErrorCode.INVALID_REQUEST, { errorMessage: null });
  const epoch = body.shareSessionEpoch;
  const s = sessionFor(az, body.groupId ?? '', body.memberId!, epoch);
  if (!s)
    return topLevelError(frame, ApiKey.ShareFetch, ErrorCode.SHARE_SESSION_NOT_FOUND, { errorMessage: null });
  const { state } = s;

  const requested = new Set<string>();
  for (const t of body.topics)
    for (const p of t.partitions) {
      state.add(t.topicId, p.partitionIndex);
      requested.add(`${t.topicId}\u0000${p.partitionIndex}`);
    }
  const forgotten: { topicId: string; partition: number }[] = [];
  for (const f of body.forgottenTopicsData)
    for (const partition of f.partitions)
      if (state.forget(f.topicId, partition)?.onBroker) forgotten.push({ topicId: f.topicId, partition });

  const names = await env.topicIds.resolve(new Set([...state.partitions.values()].map((p) => p.topicId)));
  const denied: PartitionError[] = [];
  const readmit: { topicId: string; partition: number }[] = [];
  for (const p of state.partitions.values()) {
    const name = names.get(p.topicId);
    const code =
      name === undefined
        ? ErrorCode.UNKNOWN_TOPIC_ID
        : az.can(TOPIC, name, READ)
          ? undefined
          : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
    if (code !== undefined) {
      denied.push({ topicId: p.topicId, partitionIndex: p.partition, errorCode: code });
      if (p.onBroker) forgotten.push({ topicId: p.topicId, partition: p.partition });
      p.onBroker = false;
    } else if (!p.onBroker) {
      if (!requested.has(`${p.topicId}\u0000${p.partition}`)) readmit.push(p);
      p.onBroker = true;
    }
  }
  const deniedTopics = [...byTopicId(denied)].map(([topicId, partitions]) => ({
    topicId,
    partitions: partitions.map((e) => ({
      partitionIndex: e.partitionIndex,
      errorCode: e.errorCode,
      errorMessage: null,
      acknowledgeErrorCode: ErrorCode.NONE,
      acknowledgeErrorMessage: null,
      currentLeader: leader(),
      records: Buffer.alloc(0),
      acquiredRecords: [],
    })),
  }));
  const allowedCount = state.partitions.size - denied.length;
  if (epoch > 0 && allowedCount === 0 && forgotten.length === 0 && denied.length > 0) {
    state.answeredHere++;
    return answer(frame, ApiKey.ShareFetch, {
      ...(blankResponse(ApiKey.ShareFetch) as unknown as ShareFetchResponse),
      acquisitionLockTimeoutMs: state.acquisitionLockTimeoutMs,
      responses: deniedTopics,
    });
  }
  const deniedKeys = new Set(denied.map((e) => `${e.topicId}\u0000${e.partitionIndex}`));
  const topics = body.topics
    .map((t) => ({
      ...t,
      partitions: t.partitions.filter((p) => !deniedKeys.has(`${t.topicId}\u0000${p.partitionIndex}`)),
    }))
    .filter((t) => t.partitions.length > 0);
  for (const p of readmit) {
    const entry = { partitionIndex: p.partition, partitionMaxBytes: 0, acknowledgementBatches: [] };
    const t = topics.find((x) => x.topicId === p.topicId);
    if (t) t.partitions.push(entry);
    else topics.push({ topicId: p.topicId, partitions: [entry] });
  }
  const changed = denied.length > 0 || forgotten.length > 0 || readmit.length > 0 || state.answeredHere > 0;
  if (changed)
    frame.setBody(ApiKey.ShareFetch, {
      ...body,
      shareSessionEpoch: state.brokerEpoch(epoch),
      topics,
      forgottenTopicsData: [
        ...byTopicId(
          forgotten.map((f) => ({ ...f, partitionIndex: f.partition, errorCode: ErrorCode.NONE })),
        ),
      ].map(([topicId, ps]) => ({ topicId, partitions: ps.map((p) => p.partitionIndex) })),
    });
  return {
    kind: 'forward',
    transformResponse: (response) => {
      const r = response.body(ApiKey.ShareFetch);
      trackSession(s, epoch, r.errorCode);
      if (r.errorCode === ErrorCode.NONE) state.acquisitionLockTimeoutMs = r.acquisitionLockTimeoutMs;
      if (r.errorCode !== ErrorCode.NONE || deniedTopics.length === 0) return;
      // Denied partitions join their topic's entry, or follow as entries of their own.
      for (const d of deniedTopics) {
        const t = r.responses.find((x) => x.topicId === d.topicId);
        if (t) t.partitions.push(...d.partitions);
        else r.responses.push(d);
      }
      response.setBody(ApiKey.ShareFetch, r);
    },
  };
};

/** The session after the broker's answer: opened (epoch 0), closed (final epoch), or gone. */
function trackSession(
  s: { key: string; state: ShareSessionState; sessions: ShareSessions },
  epoch: number,
  errorCode: number,
): void {
  if (errorCode === ErrorCode.SHARE_SESSION_NOT_FOUND || errorCode === ErrorCode.INVALID_SHARE_SESSION_EPOCH)
    s.sessions.closed(s.key);
  else if (epoch === FINAL_EPOCH) s.sessions.closed(s.key);
  else if (epoch === INITIAL_EPOCH && errorCode === ErrorCode.NONE) s.sessions.opened(s.key, s.state);
}

/**
 * ShareAcknowledge: READ on the group and on each acknowledged topic; the session must be one this
 * connection opened (else not found, as Kafka answers a session it does not have), and its epoch is
 * translated past requests the gateway answered itself.
 */
export const shareAcknowledge: ApiHandler = async (frame, az, env) => {
  const body = frame.body(ApiKey.ShareAcknowledge);
  if (body.groupId !== null && !az.can(GROUP, body.groupId, READ))
    return topLevelError(frame, ApiKey.ShareAcknowledge, ErrorCode.GROUP_AUTHORIZATION_FAILED, {
      errorMessage: null,
    });
  if (!isUuid(body.memberId))
    return topLevelError(frame, ApiKey.ShareAcknowledge, ErrorCode.INVALID_REQUEST, { errorMessage: null });
  const epoch = body.shareSessionEpoch;
  const s = epoch === INITIAL_EPOCH ? undefined : sessionFor(az, body.groupId ?? '', body.memberId!, epoch);
  if (epoch !== INITIAL_EPOCH && !s)
    return topLevelError(frame, ApiKey.ShareAcknowledge, ErrorCode.SHARE_SESSION_NOT_FOUND, {
      errorMessage: null,
    });
  const names = await env.topicIds.resolve(body.topics.map((t) => t.topicId));
  const split = splitByDecision(
    body.topics,
    (t) => {
      const name = names.get(t.topicId);
      const code =
        name === undefined
          ? ErrorCode.UNKNOWN_TOPIC_ID
          : az.can(TOPIC, name, READ)
            ? undefined
            : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
      if (code === undefined) return undefined;
      return {
        topicId: t.topicId,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: code,
          errorMessage: null,
          currentLeader: leader(),
        })),
      };
    },
    (t) => t.topicId,
    (t) => t.topicId,
  );
  if (split.allowed.length === 0 && s && epoch > 0) {
    s.state.answeredHere++;
    return topLevelError(frame, ApiKey.ShareAcknowledge, ErrorCode.NONE, {
      errorMessage: null,
      responses: split.merge([]),
    });
  }
  const brokerEpoch = s ? s.state.brokerEpoch(epoch) : epoch;
  if (split.deniedCount === 0 && brokerEpoch === epoch)
    return s
      ? {
          kind: 'forward',
          transformResponse: (r) => trackSession(s, epoch, r.body(ApiKey.ShareAcknowledge).errorCode),
        }
      : FORWARD;
  frame.setBody(ApiKey.ShareAcknowledge, { ...body, shareSessionEpoch: brokerEpoch, topics: split.allowed });
  return forwardPatched(ApiKey.ShareAcknowledge, (r) => {
    if (s) trackSession(s, epoch, r.errorCode);
    r.responses = split.merge(r.responses);
  });
};

/**
 * Kafka's handleDescribeShareGroupOffsetsRequest: DESCRIBE on each group; named topics without
 * DESCRIBE are left out of the coordinator's request and appended after its answer, each
 * partition TOPIC_AUTHORIZATION_FAILED; an all-topics answer is filtered silently.
 */
export const describeShareGroupOffsets: ApiHandler = (frame, az) => {
  const body = frame.body(ApiKey.DescribeShareGroupOffsets);
  const code = ErrorCode.GROUP_AUTHORIZATION_FAILED;
  const deniedTopics = new Map<string, (typeof body.groups)[number]['topics']>();
  const split = splitByDecision(
    body.groups,
    (g) =>
      az.can(GROUP, g.groupId, DESCRIBE)
        ? undefined
        : { groupId: g.groupId, topics: [], errorCode: code, errorMessage: null },
    (g) => g.groupId,
    (g) => g.groupId,
  );
  if (split.allowed.length === 0)
    return answer(frame, ApiKey.DescribeShareGroupOffsets, { throttleTimeMs: 0, groups: split.merge([]) });
  const allowed = split.allowed.map((g) => {
    if (g.topics === null) return g;
    const denied = g.topics.filter((t) => !az.can(TOPIC, t.topicName, DESCRIBE));
    if (denied.length === 0) return g;
    deniedTopics.set(g.groupId, denied);
    return { ...g, topics: g.topics.filter((t) => !denied.includes(t)) };
  });
  if (split.deniedCount > 0 || deniedTopics.size > 0)
    frame.setBody(ApiKey.DescribeShareGroupOffsets, { groups: allowed });
  const topicDenied = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
  return forwardPatched(ApiKey.DescribeShareGroupOffsets, (r) => {
    for (const g of r.groups) {
      g.topics = g.topics.filter((t) => az.can(TOPIC, t.topicName, DESCRIBE, false));
      const denied = deniedTopics.get(g.groupId);
      if (!denied || g.errorCode !== ErrorCode.NONE) continue;
      for (const t of denied)
        g.topics.push({
          topicName: t.topicName,
          topicId: ZERO_UUID,
          partitions: t.partitions.map((partitionIndex) => ({
            partitionIndex,
            startOffset: -1n,
            leaderEpoch: 0,
            lag: -1n,
            errorCode: topicDenied,
            errorMessage: errorMessage(topicDenied),
          })),
        });
    }
    r.groups = split.merge(r.groups);
  });
};

/**
 * Kafka's handleAlterShareGroupOffsetsRequest and handleDeleteShareGroupOffsetsRequest: the group
 * permission for the whole request (READ to alter, DELETE to delete), then READ on each topic.
 * The group coordinator still sees the request with the allowed topics (possibly none): a group
 * error it answers (e.g. not a share group) is the whole answer, as Kafka's; otherwise the
 * unauthorized topics follow its answer, each TOPIC_AUTHORIZATION_FAILED with the topic's id.
 */
export const alterShareGroupOffsets: ApiHandler = async (frame, az, env) => {
  const body = frame.body(ApiKey.AlterShareGroupOffsets);
  if (!az.can(GROUP, body.groupId, READ))
    return topLevelError(frame, ApiKey.AlterShareGroupOffsets, ErrorCode.GROUP_AUTHORIZATION_FAILED);
  const denied = body.topics.filter((t) => !az.can(TOPIC, t.topicName, READ));
  if (denied.length === 0) return FORWARD;
  const ids = await env.topicIds.idsOf(denied.map((t) => t.topicName)).catch(() => new Map<string, string>());
  const code = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
  const deniedResponses = denied.map((t) => ({
    topicName: t.topicName,
    topicId: ids.get(t.topicName) ?? ZERO_UUID,
    partitions: t.partitions.map((p) => ({
      partitionIndex: p.partitionIndex,
      errorCode: code,
      errorMessage: errorMessage(code),
    })),
  }));
  frame.setBody(ApiKey.AlterShareGroupOffsets, {
    ...body,
    topics: body.topics.filter((t) => !denied.includes(t)),
  });
  return forwardPatched(ApiKey.AlterShareGroupOffsets, (r) => {
    if (r.errorCode === ErrorCode.NONE) r.responses = [...r.responses, ...deniedResponses];
  });
};

export const deleteShareGroupOffsets: ApiHandler = async (frame, az, env) => {
  const body = frame.body(ApiKey.DeleteShareGroupOffsets);
  if (!az.can(GROUP, body.groupId, DELETE))
    return topLevelError(frame, ApiKey.DeleteShareGroupOffsets, ErrorCode.GROUP_AUTHORIZATION_FAILED);
  const denied = body.topics.filter((t) => !az.can(TOPIC, t.topicName, READ));
  if (denied.length === 0) return FORWARD;
  const ids = await env.topicIds.idsOf(denied.map((t) => t.topicName)).catch(() => new Map<string, string>());
  const code = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
  const deniedResponses = denied.map((t) => ({
    topicName: t.topicName,
    topicId: ids.get(t.topicName) ?? ZERO_UUID,
    errorCode: code,
    errorMessage: errorMessage(code),
  }));
  frame.setBody(ApiKey.DeleteShareGroupOffsets, {
    ...body,
    topics: body.topics.filter((t) => !denied.includes(t)),
  });
  return forwardPatched(ApiKey.DeleteShareGroupOffsets, (r) => {
    if (r.errorCode === ErrorCode.NONE) r.responses = [...r.responses, ...deniedResponses];
  });
};
