/** Kafka error codes in admin answers, as messages an operator can act on (protocol/errors.ts). */
import { ErrorCode, errorMessage, errorName } from '../../protocol/errors.js';

/** "CLUSTER_AUTHORIZATION_FAILED: <server message or Kafka's default message>" */
export function kafkaError(code: number, message: string | null | undefined): string {
  return `${errorName(code)}: ${message ?? errorMessage(code) ?? 'no message'}`;
}

/** What to do about the errors operators meet most with the admin commands. */
export function kafkaErrorHint(code: number): string {
  switch (code) {
    case ErrorCode.CLUSTER_AUTHORIZATION_FAILED:
      return ' The connecting user needs ALTER (to change) or DESCRIBE (to list) on the cluster, or to be a super user.';
    case ErrorCode.SECURITY_DISABLED:
      return ' The cluster has no authorizer: set authorizer.class.name on the brokers, or go through a kgw gateway.';
    case ErrorCode.UNSUPPORTED_SASL_MECHANISM:
      return ' Use SCRAM-SHA-256 or SCRAM-SHA-512.';
    default:
      return '';
  }
}
