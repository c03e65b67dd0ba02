/**
 * The error messages the authorization layer attaches to the codes it answers with. Codes and
 * messages are Kafka's one table (protocol/errors.ts); this module only says which codes carry
 * their default message in the gateway's answers, as the broker's own refusals do. Other codes the
 * gateway answers (session and epoch errors) go without one, as Kafka's do.
 */
import { ErrorCode, errorMessage as kafkaMessage } from '../../protocol/errors.js';

const ANSWERED_WITH_MESSAGE: ReadonlySet<number> = new Set<number>([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  ErrorCode.GROUP_AUTHORIZATION_FAILED,
  ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  ErrorCode.INVALID_REQUEST,
  ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  ErrorCode.OPERATION_NOT_ATTEMPTED,
  ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED,
  ErrorCode.UNKNOWN_TOPIC_ID,
]);

export const errorMessage = (code: number): string | null =>
  ANSWERED_WITH_MESSAGE.has(code) ? kafkaMessage(code) : null;

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
