// The contract between record encryption and whatever holds the key-encryption keys (KEKs).
//
// A KEK never leaves its KMS: the gateway asks the KMS to wrap a fresh data-encryption key (DEK)
// under the current version of a named KEK and to unwrap one later under the version it names.
// Versions are what make KEK rotation safe: a rotated KEK gets a new version used for new DEKs,
// and the old versions stay available to unwrap the DEKs already written into records.
import type { WrappedKeyRef } from '../encryption/envelope.js';

export type { WrappedKeyRef } from '../encryption/envelope.js';

export interface KeyManagementService {
  /** For logs and errors, e.g. "keyring /etc/kgw/keyring.json" or "pkcs11 token kgw". */
  readonly description: string;
  /** Wraps `dek` under the current version of KEK `kekId`. */
  wrap(kekId: string, dek: Buffer): Promise<WrappedKeyRef>;
  /** Unwraps a DEK with the KEK version that wrapped it. */
  unwrap(ref: WrappedKeyRef): Promise<Buffer>;
  /** Releases sessions or handles (PKCS#11). */
  close(): Promise<void>;
}

export type KmsErrorCode =
  /** No KEK of that id (or of that version) exists: e.g. removed, or a different KMS. */
  | 'UNKNOWN_KEK'
  /** The KEK exists but rejected the wrapped bytes (altered, or wrapped by another key). */
  | 'UNWRAP_FAILED'
  /** The KMS itself cannot be used (file unreadable or unsafe, token absent, login failed). */
  | 'KMS_UNAVAILABLE';

export class KmsError extends Error {
  override readonly name = 'KmsError';
  constructor(
    readonly code: KmsErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Additional data bound to a wrapped DEK: the KEK identity, so a wrap cannot pass as another's. */
export function wrapAssociatedData(kekId: string, kekVersion: number): Buffer {
  return Buffer.from(`kgw-dek|${kekId}|${kekVersion}`, 'utf8');
}
