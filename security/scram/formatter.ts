// SCRAM primitives (RFC 5802 section 3) for SCRAM-SHA-256 / SCRAM-SHA-512 (RFC 7677), as Kafka's
// ScramFormatter computes them. Passwords are used as raw UTF-8 without SASLprep, exactly as Kafka
// does, so credentials created by kafka-configs.sh verify here byte for byte.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

export type ScramMechanismName = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
export type ScramHash = 'sha1' | 'sha256' | 'sha512';

export interface ScramMechanismInfo {
  readonly name: ScramMechanismName;
  readonly hash: ScramHash;
  /** Digest length in bytes. */
  readonly keyLength: number;
  /** Kafka's ScramMechanism.minIterations: Java clients refuse fewer. */
  readonly minIterations: number;
  /** Kafka's ScramMechanism.maxIterations: AlterUserScramCredentials refuses more. */
  readonly maxIterations: number;
}

export const SCRAM_MECHANISMS: Readonly<Record<ScramMechanismName, ScramMechanismInfo>> = {
  'SCRAM-SHA-256': {
    name: 'SCRAM-SHA-256',
    hash: 'sha256',
    keyLength: 32,
    minIterations: 4096,
    maxIterations: 16384,
  },
  'SCRAM-SHA-512': {
    name: 'SCRAM-SHA-512',
    hash: 'sha512',
    keyLength: 64,
    minIterations: 4096,
    maxIterations: 16384,
  },
};

/** Kafka's default iteration count (kafka-configs.sh without iterations=). */
export const DEFAULT_SCRAM_ITERATIONS = 4096;

export function isScramMechanism(name: string): name is ScramMechanismName {
  return name === 'SCRAM-SHA-256' || name === 'SCRAM-SHA-512';
}

const KEY_LENGTH: Record<ScramHash, number> = { sha1: 20, sha256: 32, sha512: 64 };

/** Hi(str, salt, i) = PBKDF2 with HMAC-H, one output block. */
export function hi(
  hash: ScramHash,
  password: string | Uint8Array,
  salt: Uint8Array,
  iterations: number,
): Buffer {
  return pbkdf2Sync(password, salt, iterations, KEY_LENGTH[hash], hash);
}

export function hmac(hash: ScramHash, key: Uint8Array, data: string | Uint8Array): Buffer {
  return createHmac(hash, key).update(data).digest();
}

export function h(hash: ScramHash, data: Uint8Array): Buffer {
  return createHash(hash).update(data).digest();
}

export function xor(a: Uint8Array, b: Uint8Array): Buffer {
  if (a.length !== b.length) throw new RangeError('xor of buffers of different lengths');
  const out = Buffer.allocUnsafe(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) ^ (b[i] ?? 0);
  return out;
}

export const clientKey = (hash: ScramHash, saltedPassword: Uint8Array): Buffer =>
  hmac(hash, saltedPassword, 'Client Key');
export const serverKey = (hash: ScramHash, saltedPassword: Uint8Array): Buffer =>
  hmac(hash, saltedPassword, 'Server Key');
export const storedKey = (hash: ScramHash, ck: Uint8Array): Buffer => h(hash, ck);

/**
 * A random printable string like Kafka's ScramFormatter.secureRandomString(): 130 random bits in base 36.
 * Used for nonces and (as its bytes) for salts, so our salts look like those Java tools create.
 */
export function secureRandomString(): string {
  const bytes = randomBytes(17);
  bytes[0] = (bytes[0] ?? 0) & 0x03; // 130 bits
  return BigInt('0x' + bytes.toString('hex')).toString(36);
}

/** The stored form of a SCRAM credential: never the password, never the salted password. */
export interface ScramCredential {
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
  readonly iterations: number;
}

/** Throws RangeError unless min ≤ iterations ≤ max for the mechanism. */
export function checkIterations(mechanism: ScramMechanismName, iterations: number): void {
  const m = SCRAM_MECHANISMS[mechanism];
  if (!Number.isInteger(iterations) || iterations < m.minIterations)
    throw new RangeError(
      `Iterations ${iterations} is less than the minimum ${m.minIterations} for ${mechanism}`,
    );
  if (iterations > m.maxIterations)
    throw new RangeError(
      `Iterations ${iterations} is more than the maximum ${m.maxIterations} for ${mechanism}`,
    );
}

/** Derive a credential from a password (what kafka-configs.sh --add-config 'SCRAM-SHA-256=[...]' stores). */
export function deriveScramCredential(
  mechanism: ScramMechanismName,
  password: string,
  opts: { salt?: Uint8Array; iterations?: number } = {},
): ScramCredential {
  const iterations = opts.iterations ?? DEFAULT_SCRAM_ITERATIONS;
  checkIterations(mechanism, iterations);
  const salt = Buffer.from(opts.salt ?? Buffer.from(secureRandomString(), 'utf8'));
  return credentialFromSaltedPassword(
    mechanism,
    salt,
    hi(SCRAM_MECHANISMS[mechanism].hash, password, salt, iterations),
    iterations,
  );
}

/**
 * Build a credential from a salted password, as AlterUserScramCredentials delivers it (the Java admin
 * client sends salt + SaltedPassword, never the password).
 */
export function credentialFromSaltedPassword(
  mechanism: ScramMechanismName,
  salt: Uint8Array,
  saltedPassword: Uint8Array,
  iterations: number,
): ScramCredential {
  checkIterations(mechanism, iterations);
  const m = SCRAM_MECHANISMS[mechanism];
  if (saltedPassword.length !== m.keyLength)
    throw new RangeError(`salted password must be ${m.keyLength} bytes for ${mechanism}`);
  return {
    salt: Buffer.from(salt),
    storedKey: storedKey(m.hash, clientKey(m.hash, saltedPassword)),
    serverKey: serverKey(m.hash, saltedPassword),
    iterations,
  };
}

/** saslname encoding (RFC 5802 section 5.1): "," → "=2C", "=" → "=3D". */
export function encodeSaslName(username: string): string {
  return username.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/** Inverse of encodeSaslName; undefined if "=" is followed by anything but 2C / 3D. */
export function decodeSaslName(saslName: string): string | undefined {
  if (/=(?!2C|3D)/.test(saslName)) return undefined;
  return saslName.replace(/=2C|=3D/g, (m) => (m === '=2C' ? ',' : '='));
}
