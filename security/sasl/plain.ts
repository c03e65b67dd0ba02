// SASL/PLAIN (RFC 4616) message parsing with Kafka's PlainSaslServer rules:
//   message = [authzid] NUL authcid NUL passwd
// exactly three fields, non-empty user name and password, and an authzid (if any) equal to the user.
import { pbkdf2Sync } from 'node:crypto';
import type { ScramCredential, ScramMechanismName } from '../scram/formatter.js';
import { SCRAM_MECHANISMS, clientKey, storedKey } from '../scram/formatter.js';
import { constantTimeEqual } from './constant-time.js';

export class PlainAuthError extends Error {
  override readonly name = 'PlainAuthError';
  constructor(
    readonly reason:
      'malformed' | 'empty-username' | 'empty-password' | 'authzid-mismatch' | 'invalid-credentials',
    message: string,
  ) {
    super(message);
  }
}

export interface PlainMessage {
  readonly authzid: string;
  readonly username: string;
  readonly password: string;
}

export function parsePlainMessage(bytes: Uint8Array): PlainMessage {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new PlainAuthError('malformed', 'Invalid SASL/PLAIN response: not UTF-8');
  }
  const tokens = text.split('\u0000');
  if (tokens.length !== 3)
    throw new PlainAuthError(
      'malformed',
      `Invalid SASL/PLAIN response: expected 3 tokens, got ${tokens.length}`,
    );
  const [authzid = '', username = '', password = ''] = tokens;
  if (username === '')
    throw new PlainAuthError('empty-username', 'Authentication failed: username not specified');
  if (password === '')
    throw new PlainAuthError('empty-password', 'Authentication failed: password not specified');
  if (authzid !== '' && authzid !== username)
    throw new PlainAuthError(
      'authzid-mismatch',
      'Authentication failed: Client requested an authorization id that is different from username',
    );
  return { authzid, username, password };
}

export function formatPlainMessage(username: string, password: string, authzid = ''): Buffer {
  return Buffer.from(`${authzid}\u0000${username}\u0000${password}`, 'utf8');
}

/** Check a PLAIN password against a configured one in constant time. */
export function verifyPlainPassword(given: string, expected: string): boolean {
  return constantTimeEqual(given, expected);
}

/**
 * Check a PLAIN password against a stored SCRAM credential (lets PLAIN-over-TLS users share the SCRAM
 * store): recompute StoredKey from the password and the credential's salt and iterations.
 */
export function verifyPasswordAgainstScram(
  password: string,
  credential: ScramCredential,
  mechanism: ScramMechanismName,
): boolean {
  const m = SCRAM_MECHANISMS[mechanism];
  const salted = pbkdf2Sync(password, credential.salt, credential.iterations, m.keyLength, m.hash);
  return constantTimeEqual(storedKey(m.hash, clientKey(m.hash, salted)), credential.storedKey);
}
