// One error type for record encryption, with a stable code so the gateway can map each failure to a
// Kafka error and a log line without parsing messages. Messages never contain key material.

export type EncryptionErrorCode =
  /** The bytes are not a well-formed kgw envelope (wrong version, lengths past the end). */
  | 'MALFORMED_ENVELOPE'
  /** AES-GCM authentication failed: wrong key, or the ciphertext, key or envelope was altered. */
  | 'AUTHENTICATION_FAILED'
  /** A data-encryption key has used up its invocation budget (NIST SP 800-38D §8.3). */
  | 'DATA_KEY_EXHAUSTED'
  /** The data key was retired and its bytes wiped (a lease was not held while using it: a bug). */
  | 'DATA_KEY_WIPED';

export class EncryptionError extends Error {
  override readonly name = 'EncryptionError';
  constructor(
    readonly code: EncryptionErrorCode,
    message: string,
  ) {
    super(message);
  }
}
