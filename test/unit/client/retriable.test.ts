/**
 * Retries are decided by Kafka error code through the one table: kafkajs's real error objects are
 * mapped to the code they stand for, our client's errors carry the decision their code gave, and a
 * lost connection is retried as Kafka's clients do.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import { ErrorCode } from '../../../protocol/errors.js';
import { kafkajsErrorCode } from '../../../client/kafkajs/error-code.js';
import { isRetriableError } from '../../../client/retriable.js';
import { ConnectionError } from '../../../client/connection.js';
import { KafkaPartitionError } from '../../../client/kafka-errors.js';

// kafkajs builds its protocol errors from the broker's code with this (not exported by its index).
const { createErrorFromCode } = createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as {
  createErrorFromCode: (code: number) => { type: string; code: number; retriable: boolean; message: string };
};
// kafkajs's error classes as its runtime exports them (its type declarations list only some).
const K = kafkajs as unknown as Record<string, new (...args: unknown[]) => Error>;
const protocolError = (code: number): Error => new K.KafkaJSProtocolError!(createErrorFromCode(code));

test('a kafkajs protocol error stands for the code the broker answered', () => {
  assert.equal(
    kafkajsErrorCode(protocolError(ErrorCode.NOT_LEADER_OR_FOLLOWER)),
    ErrorCode.NOT_LEADER_OR_FOLLOWER,
  );
  assert.equal(
    kafkajsErrorCode(protocolError(ErrorCode.TOPIC_ALREADY_EXISTS)),
    ErrorCode.TOPIC_ALREADY_EXISTS,
  );
  const created = new K.KafkaJSCreateTopicError!(createErrorFromCode(ErrorCode.SECURITY_DISABLED), 't');
  assert.equal(kafkajsErrorCode(created), ErrorCode.SECURITY_DISABLED);
});

test('retries of kafkajs protocol errors follow the table, not kafkajs', () => {
  assert.equal(isRetriableError(protocolError(ErrorCode.NOT_COORDINATOR)), true);
  assert.equal(isRetriableError(protocolError(ErrorCode.REQUEST_TIMED_OUT)), true);
  assert.equal(isRetriableError(protocolError(ErrorCode.TOPIC_AUTHORIZATION_FAILED)), false);
  assert.equal(isRetriableError(protocolError(ErrorCode.INVALID_REPLICATION_FACTOR)), false);
});

test('lost connections and request timeouts are retried (kafkajs and Node)', () => {
  assert.equal(kafkajsErrorCode(new K.KafkaJSConnectionError!('gone')), ErrorCode.NETWORK_EXCEPTION);
  assert.equal(isRetriableError(new K.KafkaJSConnectionClosedError!('closed')), true);
  assert.equal(isRetriableError(new K.KafkaJSRequestTimeoutError!('slow')), true);
  assert.equal(isRetriableError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })), true);
  assert.equal(isRetriableError(new ConnectionError('closed', { host: 'h', port: 1 })), true);
  assert.equal(isRetriableError(Object.assign(new Error('no such file'), { code: 'ENOENT' })), false);
});

test('kafkajs giving up after retries is decided by what it retried', () => {
  const gaveUp = (cause: Error): Error =>
    new K.KafkaJSNumberOfRetriesExceeded!(cause, { retryCount: 5, retryTime: 100 });
  assert.equal(isRetriableError(gaveUp(new K.KafkaJSConnectionError!('gone'))), true);
  assert.equal(isRetriableError(gaveUp(new Error('something kafkajs retried'))), true);
  assert.equal(isRetriableError(gaveUp(protocolError(ErrorCode.CLUSTER_AUTHORIZATION_FAILED))), false);
});

test('client-side kafkajs errors without a code keep kafkajs own judgement; others are not retried', () => {
  assert.equal(kafkajsErrorCode(new K.KafkaJSNonRetriableError!('bad input')), undefined);
  assert.equal(isRetriableError(new K.KafkaJSNonRetriableError!('bad input')), false);
  assert.equal(isRetriableError(new K.KafkaJSMetadataNotLoaded!('not yet')), true);
  assert.equal(isRetriableError(new Error('plain')), false);
  assert.equal(isRetriableError(undefined), false);
});

test('our own client errors carry the decision their code gave', () => {
  assert.equal(
    isRetriableError(new KafkaPartitionError(ErrorCode.LEADER_NOT_AVAILABLE, 't', 0, 'x', true)),
    true,
  );
  assert.equal(
    isRetriableError(new KafkaPartitionError(ErrorCode.OFFSET_OUT_OF_RANGE, 't', 0, 'x', false)),
    false,
  );
});
