/** What every per-API authorization handler gets, and the helpers they share to answer. */
import {
  encodeResponseFrame,
  type RequestApiKey,
  type RequestFrame,
  type ResponseTypes,
} from '../../protocol/index.js';
import type { FilterDecision } from '../session/client-session.js';
import type { RequestAuthz } from './context.js';
import type { TopicIds } from './topic-ids.js';

export interface HandlerEnv {
  readonly topicIds: TopicIds;
}

export type ApiHandler = (
  frame: RequestFrame,
  az: RequestAuthz,
  env: HandlerEnv,
) => FilterDecision | Promise<FilterDecision>;

/** One forwarded API's authorization: its handler and the request versions it was written for. */
export interface AuthzRule {
  readonly handler: ApiHandler;
  readonly versions: readonly [number, number];
}

export const FORWARD: FilterDecision = Object.freeze({ kind: 'forward' });

/** Answer here, without contacting the broker. */
export function answer<K extends RequestApiKey>(
  frame: RequestFrame,
  apiKey: K,
  body: ResponseTypes[K],
): FilterDecision {
  return {
    kind: 'answer',
    response: encodeResponseFrame(apiKey, frame.apiVersion, frame.correlationId, body),
  };
}

/**
 * Forward the request with its body replaced (when `requestChanged`), and let `patch` edit the
 * decoded upstream response before it goes to the client.
 */
export function forwardPatched<K extends RequestApiKey>(
  apiKey: K,
  patch: (body: ResponseTypes[K]) => void,
): FilterDecision {
  return {
    kind: 'forward',
    transformResponse: (response) => {
      const body = response.body(apiKey);
      patch(body);
      response.setBody(apiKey, body);
    },
  };
}
