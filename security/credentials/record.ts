// Record format for SCRAM credentials in a compacted Kafka topic (the gateway owns the I/O):
//   key   = "scram:<user>:<mechanism>"  (UTF-8; the mechanism is the last ":" segment, so user names
//                                        may contain ":")
//   value = UTF-8 JSON {"v":1,"salt":b64,"storedKey":b64,"serverKey":b64,"iterations":n}
//           null value (tombstone) = credential deleted.
// Only salted-and-hashed keys are stored: never a password or salted password.
import { z } from 'zod';
import type { ScramCredential, ScramMechanismName } from '../scram/formatter.js';
import { SCRAM_MECHANISMS, isScramMechanism } from '../scram/formatter.js';

export const SCRAM_KEY_PREFIX = 'scram:';
export const CREDENTIAL_RECORD_VERSION = 1;

export class CredentialRecordError extends Error {
  override readonly name = 'CredentialRecordError';
}

export function credentialKey(user: string, mechanism: ScramMechanismName): string {
  return `${SCRAM_KEY_PREFIX}${user}:${mechanism}`;
}

export function parseCredentialKey(key: string): { user: string; mechanism: ScramMechanismName } {
  if (!key.startsWith(SCRAM_KEY_PREFIX))
    throw new CredentialRecordError(`not a SCRAM credential key: ${key}`);
  const rest = key.slice(SCRAM_KEY_PREFIX.length);
  const i = rest.lastIndexOf(':');
  const user = rest.slice(0, i);
  const mechanism = rest.slice(i + 1);
  if (i <= 0 || !isScramMechanism(mechanism))
    throw new CredentialRecordError(`malformed SCRAM credential key: ${key}`);
  return { user, mechanism };
}

const b64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);
const valueSchema = z.object({
  v: z.number().int(),
  salt: b64,
  storedKey: b64,
  serverKey: b64,
  iterations: z.number().int().positive(),
});

export function encodeCredentialRecord(
  user: string,
  mechanism: ScramMechanismName,
  c: ScramCredential,
): { key: string; value: Buffer } {
  const value = {
    v: CREDENTIAL_RECORD_VERSION,
    salt: c.salt.toString('base64'),
    storedKey: c.storedKey.toString('base64'),
    serverKey: c.serverKey.toString('base64'),
    iterations: c.iterations,
  };
  return { key: credentialKey(user, mechanism), value: Buffer.from(JSON.stringify(value), 'utf8') };
}

export function credentialTombstone(
  user: string,
  mechanism: ScramMechanismName,
): { key: string; value: null } {
  return { key: credentialKey(user, mechanism), value: null };
}

export type DecodedCredentialRecord =
  | { op: 'put'; user: string; mechanism: ScramMechanismName; credential: ScramCredential }
  | { op: 'delete'; user: string; mechanism: ScramMechanismName };

export function decodeCredentialRecord(key: string, value: Uint8Array | null): DecodedCredentialRecord {
  const { user, mechanism } = parseCredentialKey(key);
  if (value === null) return { op: 'delete', user, mechanism };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(value).toString('utf8'));
  } catch {
    throw new CredentialRecordError(`credential record ${key}: value is not JSON`);
  }
  const parsed = valueSchema.safeParse(json);
  if (!parsed.success) throw new CredentialRecordError(`credential record ${key}: bad shape`);
  const v = parsed.data;
  if (v.v !== CREDENTIAL_RECORD_VERSION)
    throw new CredentialRecordError(`credential record ${key}: unsupported version ${v.v}`);
  const len = SCRAM_MECHANISMS[mechanism].keyLength;
  const credential: ScramCredential = {
    salt: Buffer.from(v.salt, 'base64'),
    storedKey: Buffer.from(v.storedKey, 'base64'),
    serverKey: Buffer.from(v.serverKey, 'base64'),
    iterations: v.iterations,
  };
  if (
    credential.storedKey.length !== len ||
    credential.serverKey.length !== len ||
    credential.salt.length === 0
  )
    throw new CredentialRecordError(`credential record ${key}: key lengths do not fit ${mechanism}`);
  return { op: 'put', user, mechanism, credential };
}
