/**
 * Fetch: READ on every topic, including every partition an incremental fetch session (KIP-227)
 * holds, on every fetch — Kafka's KafkaApis.handleFetchRequest authorizes each partition of the
 * FetchContext, not only those the request names. The session's state per client connection is
 * gateway/session/fetch-session.ts; this handler decides, per fetch:
 *
 * - a session id this connection was not given: incremental → FETCH_SESSION_ID_NOT_FOUND, full →
 *   forwarded sessionless, exactly as Kafka treats an id that does not exist (no probing oracle);
 * - partitions denied now: kept out of the broker's copy (forgotten if it held them) and answered
 *   TOPIC_AUTHORIZATION_FAILED (UNKNOWN_TOPIC_ID for an id unknown) in every response, as Kafka's
 *   IncrementalFetchContext includes partitions with errors in every response;
 * - partitions allowed again: sent to the broker with the data the client last gave for them.
 *
 * A fetch whose partitions are all allowed and already on the broker is forwarded untouched, so a
 * steady consumer's responses are still streamed through (only the session-creating fetch has
 * its response decoded, to learn the session id).
 */
import { ErrorCode } from '../../../protocol/errors.js';
import {
  ApiKey,
  ZERO_UUID,
  type FetchRequestFetchPartition,
  type FetchRequestFetchTopic,
  type FetchRequestForgottenTopic,
  type FetchResponseFetchableTopicResponse,
  type RequestFrame,
} from '../../../protocol/index.js';
import { AclOperation, ResourceType } from '../../../security/acl/index.js';
import { FetchSessionState, fetchSessionsOf } from '../../session/fetch-session.js';
import { FORWARD, answer, type ApiHandler } from '../types.js';

const { TOPIC } = ResourceType;
const { READ, CLUSTER_ACTION } = AclOperation;

/** FetchMetadata.INITIAL_EPOCH and FINAL_EPOCH: both mark a full fetch. */
const isFullEpoch = (epoch: number): boolean => epoch === 0 || epoch === -1;

/** Followers fetch as brokers: the gateway is no broker, so a replica fetch is always refused. */
function isReplicaFetch(frame: RequestFrame): boolean {
  const b = frame.body(ApiKey.Fetch);
  return b.replicaId >= 0 || (b.replicaState !== undefined && b.replicaState.replicaId >= 0);
}

function errorPartition(partitionIndex: number, errorCode: number) {
  return {
    partitionIndex,
    errorCode,
    highWatermark: -1n,
    lastStableOffset: -1n,
    logStartOffset: -1n,
    abortedTransactions: [],
    preferredReadReplica: -1,
    records: Buffer.alloc(0),
  };
}

/** Groups (topic key, value) pairs by topic, keeping first-seen order. */
function byTopic<V>(entries: [string, V][]): Map<string, V[]> {
  const out = new Map<string, V[]>();
  for (const [k, v] of entries) {
    const list = out.get(k);
    if (list) list.push(v);
    else out.set(k, [v]);
  }
  return out;
}

const brokerEpoch = (clientEpoch: number, answeredHere: number): number => {
  const e = clientEpoch - answeredHere;
  return e >= 1 ? e : e + 0x7fffffff;
};

export const fetch: ApiHandler = async (frame, az, env) => {
  const body = frame.body(ApiKey.Fetch);
  const byId = frame.apiVersion >= 13;
  const keyOf = (t: { topic: string; topicId: string }): string => (byId ? t.topicId : t.topic);
  const topicFields = (key: string) =>
    byId ? { topic: '', topicId: key } : { topic: key, topicId: ZERO_UUID };
  const replica = isReplicaFetch(frame);
  if (replica) az.denied(ResourceType.CLUSTER, 'kafka-cluster', CLUSTER_ACTION);
  const sessions = fetchSessionsOf(az.session);
  const full = isFullEpoch(body.sessionEpoch);

  if (!full && !sessions.owns(body.sessionId)) {
    // Kafka's SessionErrorContext for an id its cache does not have.
    return answer(frame, ApiKey.Fetch, {
      throttleTimeMs: 0,
      errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND,
      sessionId: 0,
      responses: [],
    });
  }
  let sessionId = body.sessionId;
  if (full && sessionId !== 0) {
    // A full fetch closes the session it names (FetchManager.newContext); someone else's stays.
    if (sessions.owns(sessionId)) sessions.closed(sessionId);
    else sessionId = 0;
  }

  // The partitions in play: the request's for a full fetch, the session's after this request's
  // changes for an incremental one (FetchSession.update).
  const state = full ? new FetchSessionState() : sessions.get(sessionId)!;
  const requested = new Set<string>();
  const forgotten: [string, number][] = [];
  for (const t of body.topics) {
    for (const p of t.partitions) {
      const existing = state.get(keyOf(t), p.partition);
      state.set(keyOf(t), p, existing?.onBroker ?? false);
      requested.add(`${keyOf(t)}\u0000${p.partition}`);
    }
  }
  if (!full) {
    for (const f of body.forgottenTopicsData) {
      for (const p of f.partitions) {
        if (state.forget(keyOf(f), p)?.onBroker) forgotten.push([keyOf(f), p]);
      }
    }
  }

  const names = byId ? await env.topicIds.resolve(state.topicKeys()) : undefined;
  const errorOf = (key: string): number | undefined => {
    if (replica) return ErrorCode.TOPIC_AUTHORIZATION_FAILED;
    const name = names ? names.get(key) : key;
    if (name === undefined) return ErrorCode.UNKNOWN_TOPIC_ID;
    return az.can(TOPIC, name, READ) ? undefined : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
  };

  // Every partition denied on an incremental fetch: answered here, the broker's copy untouched.
  // Forwarding would empty the broker's session, which Kafka's FetchManager then closes (session
  // id 0), whereas Kafka keeps the session with its erroneous partitions. Partitions the client
  // updated meanwhile are sent again once allowed. (With partitions to forget, the broker must
  // be told: forwarded as below.)
  const codes = new Map([...state.partitions.values()].map((sp) => [sp, errorOf(sp.topicKey)]));
  if (
    !full &&
    forgotten.length === 0 &&
    state.partitions.size > 0 &&
    ![...codes.values()].includes(undefined)
  ) {
    const denied: [string, ReturnType<typeof errorPartition>][] = [];
    for (const [sp, code] of codes) {
      denied.push([sp.topicKey, errorPartition(sp.data.partition, code!)]);
      if (sp.onBroker && requested.has(`${sp.topicKey}\u0000${sp.data.partition}`)) sp.resend = true;
    }
    state.answeredHere++;
    return answer(frame, ApiKey.Fetch, {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      sessionId,
      responses: [...byTopic(denied)].map(([key, partitions]) => ({ ...topicFields(key), partitions })),
      nodeEndpoints: [],
    });
  }

  const send: [string, FetchRequestFetchPartition][] = [];
  const denied: [string, ReturnType<typeof errorPartition>][] = [];
  let changed = sessionId !== body.sessionId || forgotten.length > 0;
  let anyAllowed = false;
  for (const sp of state.partitions.values()) {
    const code = codes.get(sp);
    const wasRequested = requested.has(`${sp.topicKey}\u0000${sp.data.partition}`);
    if (code === undefined) {
      anyAllowed = true;
      if (wasRequested || !sp.onBroker || sp.resend) send.push([sp.topicKey, sp.data]);
      // Allowed again, or updated while answered here: back to the broker.
      if (!wasRequested && (!sp.onBroker || sp.resend)) changed = true;
      sp.onBroker = true;
      sp.resend = false;
    } else {
      denied.push([sp.topicKey, errorPartition(sp.data.partition, code)]);
      if (sp.onBroker) forgotten.push([sp.topicKey, sp.data.partition]);
      sp.onBroker = false;
      changed = true;
    }
  }
  if (!full && state.answeredHere > 0) changed = true; // the broker's epoch is behind the client's
  const createsSession = body.sessionEpoch === 0 && frame.apiVersion >= 7;
  if (!changed && !createsSession) return FORWARD;

  if (changed) {
    const topics: FetchRequestFetchTopic[] = [...byTopic(send)].map(([key, partitions]) => ({
      ...topicFields(key),
      partitions,
    }));
    const forgottenTopicsData: FetchRequestForgottenTopic[] = [...byTopic(forgotten)].map(
      ([key, partitions]) => ({ ...topicFields(key), partitions }),
    );
    frame.setBody(ApiKey.Fetch, {
      ...body,
      sessionId,
      // FetchSession.nextEpoch wraps from Int.MaxValue to 1.
      sessionEpoch: full ? body.sessionEpoch : brokerEpoch(body.sessionEpoch, state.answeredHere),
      topics,
      forgottenTopicsData,
      // Kafka answers at once when no partition is left to read (erroneous only).
      maxWaitMs: anyAllowed ? body.maxWaitMs : 0,
    });
  }
  const deniedTopics: FetchResponseFetchableTopicResponse[] = [...byTopic(denied)].map(
    ([key, partitions]) => ({
      ...topicFields(key),
      partitions,
    }),
  );
  return {
    kind: 'forward',
    transformResponse: (response) => {
      const r = response.body(ApiKey.Fetch);
      if (r.errorCode === ErrorCode.FETCH_SESSION_ID_NOT_FOUND && sessionId !== 0) sessions.closed(sessionId);
      if (createsSession && r.errorCode === ErrorCode.NONE && r.sessionId !== 0)
        sessions.created(r.sessionId, state);
      if (r.errorCode !== ErrorCode.NONE || deniedTopics.length === 0) return;
      // IncrementalFetchContext lists the erroneous partitions before the ones with data.
      r.responses = [...deniedTopics, ...r.responses];
      response.setBody(ApiKey.Fetch, r);
    },
  };
};
