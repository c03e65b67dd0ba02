// SCRAM failures carry an RFC 5802 server-error-value (section 7) so the gateway can answer the
// client uniformly, plus an internal reason for logs that must never be sent to the client (it would
// tell an attacker whether a user name exists).

export type ScramErrorCode =
  | 'invalid-encoding'
  | 'extensions-not-supported'
  | 'invalid-proof'
  | 'channel-bindings-dont-match'
  | 'server-does-support-channel-binding'
  | 'channel-binding-not-supported'
  | 'unsupported-channel-binding-type'
  | 'unknown-user'
  | 'invalid-username-encoding'
  | 'no-resources'
  | 'other-error';

export type ScramInternalReason =
  | 'malformed-message'
  | 'unexpected-message'
  | 'unknown-user'
  | 'wrong-password'
  | 'authzid-mismatch'
  | 'nonce-mismatch'
  | 'channel-binding-mismatch'
  | 'iterations-too-low'
  | 'iterations-too-high'
  | 'token-unknown'
  | 'server-signature-mismatch'
  | 'server-error';

export class ScramError extends Error {
  override readonly name = 'ScramError';
  constructor(
    /** The RFC 5802 server-error-value a server would send ("e=<code>"). */
    readonly code: ScramErrorCode,
    /** Why, for logs only. */
    readonly reason: ScramInternalReason,
    message: string,
  ) {
    super(message);
  }

  /** The server-final-message for this failure ("e=invalid-proof"). */
  serverFinalMessage(): Buffer {
    return Buffer.from(`e=${this.code}`, 'utf8');
  }
}
