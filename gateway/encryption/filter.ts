/**
 * The encryption stage of the request filter, after authorization: Produce requests of encrypted
 * topics are encrypted before they are forwarded, and Fetch / ShareFetch responses are decrypted
 * before they are released. Requests the inner filter answers or refuses never reach this stage.
 *
 * Fetch responses are normally streamed to the client as they arrive (client-session.ts); a
 * decrypting transform turns that off, so it is added only on connections that read an encrypted
 * topic this principal may decrypt. The mark is per connection and sticky: with a fetch session
 * (KIP-227) a response may carry partitions the request no longer names, so after the first such
 * Fetch every later one on the connection is decoded; within it, partitions of other topics are
 * passed through as they are.
 */
import type { Logger } from 'pino';
import { ApiKey, ResponseFrame, encodeResponseFrame, type RequestFrame } from '../../protocol/index.js';
import { ANONYMOUS } from '../session/authentication.js';
import type { FilterDecision, RequestFilter, SessionInfo } from '../session/client-session.js';
import type { DataKeys } from './data-keys.js';
import {
  decryptFetchResponse,
  decryptShareFetchResponse,
  decryptsTopic,
  type FetchDecryptionDeps,
} from './fetch.js';
import type { EncryptionMetrics } from './metrics.js';
import type { EncryptionPolicies } from './policy.js';
import { encryptProduceRequest, mergeFailedPartitions } from './produce.js';

export interface EncryptionStageDeps {
  policies: EncryptionPolicies;
  keys: DataKeys;
  topicName(id: string): string | undefined;
  log: Logger;
  metrics?: EncryptionMetrics;
}

const FORWARD: FilterDecision = Object.freeze({ kind: 'forward' });

export function encryptionFilter(inner: RequestFilter | undefined, deps: EncryptionStageDeps): RequestFilter {
  const readsEncrypted = new WeakSet<SessionInfo>();
  return async (frame, session) => {
    const decision = inner ? await inner(frame, session) : FORWARD;
    if (decision.kind !== 'forward') return decision;
    const principal = session.identity?.principal ?? ANONYMOUS;
    switch (frame.apiKey) {
      case ApiKey.Produce:
        return produce(frame, decision, deps);
      case ApiKey.Fetch:
      case ApiKey.ShareFetch: {
        if (!readsEncrypted.has(session) && namesDecryptedTopic(frame, principal, deps))
          readsEncrypted.add(session);
        if (!readsEncrypted.has(session)) return decision;
        const decrypt = frame.apiKey === ApiKey.Fetch ? decryptFetchResponse : decryptShareFetchResponse;
        return {
          kind: 'forward',
          transformResponse: async (response) => {
            await decrypt(response, principal, deps);
            await decision.transformResponse?.(response);
          },
        };
      }
      default:
        return decision;
    }
  };
}

/** Does this Fetch / ShareFetch name a topic that this principal reads decrypted (or an unknown id)? */
function namesDecryptedTopic(frame: RequestFrame, principal: string, deps: FetchDecryptionDeps): boolean {
  const decrypts = (name: string | undefined): boolean =>
    name === undefined || decryptsTopic(deps, name, principal);
  if (frame.apiKey === ApiKey.Fetch) {
    const byId = frame.apiVersion >= 13;
    return frame.body(ApiKey.Fetch).topics.some((t) => decrypts(byId ? deps.topicName(t.topicId) : t.topic));
  }
  return frame.body(ApiKey.ShareFetch).topics.some((t) => decrypts(deps.topicName(t.topicId)));
}

async function produce(
  frame: RequestFrame,
  decision: Extract<FilterDecision, { kind: 'forward' }>,
  deps: EncryptionStageDeps,
): Promise<FilterDecision> {
  const { failed } = await encryptProduceRequest(frame, deps);
  if (failed.length === 0) return decision;
  const body = frame.body(ApiKey.Produce);
  if (body.acks === 0) {
    // No response is expected: closing is the only way to tell the producer (as Kafka does).
    return { kind: 'close', reason: `cannot encrypt an acks=0 produce: ${failed[0]!.errorMessage}` };
  }
  const byId = frame.apiVersion >= 13;
  const addFailures = async (response: ResponseFrame): Promise<void> => {
    const r = response.body(ApiKey.Produce);
    mergeFailedPartitions(r, failed, byId);
    response.setBody(ApiKey.Produce, r);
    await decision.transformResponse?.(response);
  };
  if (body.topicData.length > 0) return { kind: 'forward', transformResponse: addFailures };
  // Nothing left to forward: answer here (the inner filter's merge still applies).
  const frameBytes = encodeResponseFrame(ApiKey.Produce, frame.apiVersion, frame.correlationId, {
    responses: [],
    throttleTimeMs: 0,
  });
  const response = new ResponseFrame(frameBytes.subarray(4), ApiKey.Produce, frame.apiVersion);
  await addFailures(response);
  return { kind: 'answer', response: response.toBuffer() };
}
