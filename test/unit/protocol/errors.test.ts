import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ErrorCode,
  KAFKA_ERRORS,
  errorMessage,
  errorName,
  isInvalidMetadata,
  isRetriable,
} from '../../../protocol/index.js';

test("the error table is Kafka's: the authorization codes DESIGN.md names and their messages", () => {
  assert.equal(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 29);
  assert.equal(ErrorCode.GROUP_AUTHORIZATION_FAILED, 30);
  assert.equal(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 31);
  assert.equal(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 53);
  assert.equal(errorMessage(29), 'Topic authorization failed.');
  assert.equal(errorMessage(ErrorCode.NONE), null);
});

test('retriable and stale-metadata flags follow the exception classes, not names', () => {
  assert.equal(isRetriable(ErrorCode.NOT_LEADER_OR_FOLLOWER), true);
  assert.equal(isInvalidMetadata(ErrorCode.NOT_LEADER_OR_FOLLOWER), true);
  assert.equal(isRetriable(ErrorCode.NOT_COORDINATOR), true);
  assert.equal(isInvalidMetadata(ErrorCode.NOT_COORDINATOR), false);
  assert.equal(isRetriable(ErrorCode.TOPIC_AUTHORIZATION_FAILED), false);
  assert.equal(isRetriable(ErrorCode.OFFSET_OUT_OF_RANGE), false);
});

test('every code has one name and every name one code', () => {
  const names = new Set<string>();
  for (const [code, info] of KAFKA_ERRORS) {
    assert.equal(info.code, code);
    assert.equal(ErrorCode[info.name as keyof typeof ErrorCode], code);
    assert.ok(!names.has(info.name), info.name);
    names.add(info.name);
  }
  assert.equal(errorName(-12345), 'error -12345');
});
