/**
 * Kafka error codes the authorization layer answers with, and the default messages Kafka's Errors
 * enum attaches to them (clients print these).
 */
export const Err = {
  NONE: 0,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  TOPIC_AUTHORIZATION_FAILED: 29,
  GROUP_AUTHORIZATION_FAILED: 30,
  CLUSTER_AUTHORIZATION_FAILED: 31,
  INVALID_REQUEST: 42,
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 53,
  OPERATION_NOT_ATTEMPTED: 55,
  DELEGATION_TOKEN_REQUEST_NOT_ALLOWED: 64,
  UNKNOWN_TOPIC_ID: 100,
} as const;

export const ERROR_MESSAGES: Readonly<Record<number, string>> = {
  [Err.UNKNOWN_TOPIC_OR_PARTITION]: 'This server does not host this topic-partition.',
  [Err.TOPIC_AUTHORIZATION_FAILED]: 'Topic authorization failed.',
  [Err.GROUP_AUTHORIZATION_FAILED]: 'Group authorization failed.',
  [Err.CLUSTER_AUTHORIZATION_FAILED]: 'Cluster authorization failed.',
  [Err.INVALID_REQUEST]:
    'This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker. See the broker logs for more details.',
  [Err.TRANSACTIONAL_ID_AUTHORIZATION_FAILED]: 'Transactional Id authorization failed.',
  [Err.OPERATION_NOT_ATTEMPTED]:
    'The broker did not attempt to execute this operation. This may happen for batched RPCs where some operations in the batch failed, causing the broker to respond without trying the rest.',
  [Err.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED]:
    'Delegation Token requests are not allowed on PLAINTEXT/1-way SSL channels and on delegation token authenticated channels.',
  [Err.UNKNOWN_TOPIC_ID]: 'This server does not host this topic ID.',
};

export const errorMessage = (code: number): string | null => ERROR_MESSAGES[code] ?? null;

/** Kafka's "not requested" value of the *AuthorizedOperations bitfields. */
export const OPS_NOT_REQUESTED = -2147483648;

/**
 * The message of Kafka's AuthHelper.authorizeClusterOperation ("Request <request> needs <op>
 * permission."), used where the KRaft controller or AclApis refuse a request. Kafka prints its
 * internal request object there (connection id, buffers, hash codes); the gateway names the
 * request by what identifies it on the client's connection.
 */
export function clusterOperationMessage(
  request: { apiKey: number; apiVersion: number; correlationId: number },
  operation: string,
): string {
  return `Request Request(apiKey=${request.apiKey}, apiVersion=${request.apiVersion}, correlationId=${request.correlationId}) needs ${operation} permission.`;
}
