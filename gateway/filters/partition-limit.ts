/**
 * A cap on the partitions one CreateTopics or CreatePartitions request may ask for per topic.
 * Found by fuzzing (bench/fuzz): a well-formed CreatePartitions asking for 1.2 billion partitions
 * of a topic the client may ALTER makes a Kafka 4.3 broker run out of heap and exit — a client
 * with rights on one topic takes the whole cluster down. Kafka has no such limit to copy; the
 * gateway refuses those topics with INVALID_PARTITIONS (Kafka's code for a bad partition count),
 * forwards the others, and adds the refusals to the broker's answer, so per-topic results stay as
 * Kafka defines them. The session applies it after authorization, to what would reach the broker:
 * a topic the client may not alter still gets Kafka's authorization error, as Kafka checks that
 * first.
 */
import { ErrorCode } from '../../protocol/errors.js';
import {
  ApiKey,
  ZERO_UUID,
  encodeResponseFrame,
  type RequestFrame,
  type ResponseFrame,
} from '../../protocol/index.js';

export type PartitionLimitDecision =
  | { kind: 'pass' }
  | { kind: 'answer'; response: Buffer }
  | { kind: 'forward'; transformResponse: (response: ResponseFrame) => void };

const PASS: PartitionLimitDecision = { kind: 'pass' };

const refusal = (count: number, max: number): string =>
  `kgw refuses ${count} partitions for one topic (limits.maxPartitionsPerTopic is ${max})`;

export function limitNewPartitions(frame: RequestFrame, max: number): PartitionLimitDecision {
  if (frame.apiKey === ApiKey.CreateTopics) return createTopics(frame, max);
  if (frame.apiKey === ApiKey.CreatePartitions) return createPartitions(frame, max);
  return PASS;
}

function createTopics(frame: RequestFrame, max: number): PartitionLimitDecision {
  const body = frame.body(ApiKey.CreateTopics);
  const asked = (t: (typeof body.topics)[number]): number => Math.max(t.numPartitions, t.assignments.length);
  const refused = body.topics.filter((t) => asked(t) > max);
  if (refused.length === 0) return PASS;
  const v = frame.apiVersion;
  const results = refused.map((t) => ({
    name: t.name,
    topicId: ZERO_UUID,
    errorCode: ErrorCode.INVALID_PARTITIONS,
    // v0 has no error message field: the code alone must do.
    errorMessage: v >= 1 ? refusal(asked(t), max) : null,
    numPartitions: -1,
    replicationFactor: -1,
    configs: v >= 5 ? [] : null,
  }));
  const kept = body.topics.filter((t) => asked(t) <= max);
  if (kept.length === 0) {
    return {
      kind: 'answer',
      response: encodeResponseFrame(ApiKey.CreateTopics, frame.apiVersion, frame.correlationId, {
        throttleTimeMs: 0,
        topics: results,
      }),
    };
  }
  frame.setBody(ApiKey.CreateTopics, { ...body, topics: kept });
  return {
    kind: 'forward',
    transformResponse: (response) => {
      const r = response.body(ApiKey.CreateTopics);
      response.setBody(ApiKey.CreateTopics, { ...r, topics: [...r.topics, ...results] });
    },
  };
}

function createPartitions(frame: RequestFrame, max: number): PartitionLimitDecision {
  const body = frame.body(ApiKey.CreatePartitions);
  const asked = (t: (typeof body.topics)[number]): number => Math.max(t.count, t.assignments?.length ?? 0);
  const refused = body.topics.filter((t) => asked(t) > max);
  if (refused.length === 0) return PASS;
  const results = refused.map((t) => ({
    name: t.name,
    errorCode: ErrorCode.INVALID_PARTITIONS,
    errorMessage: refusal(asked(t), max),
  }));
  const kept = body.topics.filter((t) => asked(t) <= max);
  if (kept.length === 0) {
    return {
      kind: 'answer',
      response: encodeResponseFrame(ApiKey.CreatePartitions, frame.apiVersion, frame.correlationId, {
        throttleTimeMs: 0,
        results,
      }),
    };
  }
  frame.setBody(ApiKey.CreatePartitions, { ...body, topics: kept });
  return {
    kind: 'forward',
    transformResponse: (response) => {
      const r = response.body(ApiKey.CreatePartitions);
      response.setBody(ApiKey.CreatePartitions, { ...r, results: [...r.results, ...results] });
    },
  };
}
