/**
 * The server side of each SASL mechanism the gateway offers, behind one small interface the
 * session drives with SaslAuthenticate's auth bytes. Credentials are only ever SCRAM salted keys:
 * PLAIN passwords are checked by deriving the stored key from them, never by storing a password.
 */
import { createHmac, pbkdf2, timingSafeEqual, createHash, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { CredentialStore } from '../../security/credentials/index.js';
import { ScramError, ScramServer, type ScramMechanismName } from '../../security/scram/index.js';
import type { SaslMechanism } from '../config/schema.js';
import { untrusted } from '../untrusted.js';

const pbkdf2Async = promisify(pbkdf2);

export class AuthenticationFailed extends Error {
  constructor(
    /** Sent to the client; says what failed without saying whether the user exists. */
    readonly clientMessage: string,
    /** For the gateway's log only; client-chosen parts are already cut with untrusted(). */
    readonly reason: string,
    /** The principal the client tried to log in as, when it got far enough to name one. */
    readonly principal?: string,
  ) {
    super(reason);
    this.name = 'AuthenticationFailed';
  }
}

export type SaslStep =
  | { done: false; challenge: Buffer }
  | { done: true; challenge: Buffer; principal: string; tokenExpiresAt?: number };

export interface SaslExchange {
  step(authBytes: Buffer): Promise<SaslStep>;
}

/** Validates an OAUTHBEARER client-first message; provided by security/ when configured. */
export type OAuthValidator = (authBytes: Buffer) => Promise<{ principal: string; expiresAt: number }>;

export interface MechanismOptions {
  credentials: CredentialStore;
  /** Keys the fake challenges unknown users get (stable per gateway deployment). */
  fakeCredentialSecret: Buffer;
  fakeIterations: number;
  oauth?: OAuthValidator;
  /** Starts a SASL/GSSAPI server exchange (gateway/sasl/gssapi.ts); set when `kerberos` is configured. */
  gssapi?: () => SaslExchange;
}

/** Kafka's message for a failed login; also what a locked-out principal is told (see auth-failure-limiter.ts). */
export const invalidCredentials = (mechanism: string): string =>
  `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`;

export function startExchange(mechanism: SaslMechanism, opts: MechanismOptions): SaslExchange {
  switch (mechanism) {
    case 'PLAIN':
      return plainExchange(opts);
    case 'SCRAM-SHA-256':
    case 'SCRAM-SHA-512':
      return scramExchange(mechanism, opts);
    case 'OAUTHBEARER':
      return oauthExchange(opts);
    case 'GSSAPI':
      return opts.gssapi ? opts.gssapi() : unconfiguredExchange('GSSAPI');
  }
}

function scramExchange(mechanism: ScramMechanismName, opts: MechanismOptions): SaslExchange {
  const lookup = opts.credentials.lookupFor(mechanism);
  // The user name of client-first, remembered so that a failure can be counted against it.
  let username: string | undefined;
  const server = new ScramServer({
    mechanism,
    lookup: (name) => {
      username = name;
      return lookup(name);
    },
    fakeCredentialSecret: opts.fakeCredentialSecret,
    fakeIterations: opts.fakeIterations,
  });
  return {
    step(authBytes) {
      try {
        const s = server.evaluate(authBytes);
        if (!s.done) return Promise.resolve({ done: false, challenge: s.challenge });
        return Promise.resolve({
          done: true,
          challenge: s.challenge,
          principal: `User:${s.result.principalName}`,
        });
      } catch (e) {
        if (e instanceof ScramError) {
          throw new AuthenticationFailed(
            invalidCredentials(mechanism),
            `${mechanism}: ${e.reason} (${untrusted(e.message)})${username === undefined ? '' : ` for ${untrusted(username)}`}`,
            username === undefined ? undefined : `User:${username}`,
          );
        }
        throw e;
      }
    },
  };
}

/** RFC 4616: [authzid] NUL authcid NUL passwd. */
function plainExchange(opts: MechanismOptions): SaslExchange {
  return {
    async step(authBytes) {
      const parts = authBytes.toString('utf8').split('\0');
      if (parts.length !== 3 || parts[1] === '' || parts[2] === '') {
        throw new AuthenticationFailed(
          'Invalid SASL/PLAIN request: expected 3 tokens',
          'PLAIN: malformed message',
        );
      }
      const [authzid, user, password] = parts as [string, string, string];
      if (authzid !== '' && authzid !== user) {
        throw new AuthenticationFailed(
          'Authentication failed: Client requested an authorization id that is different from username',
          'PLAIN: authzid differs',
          `User:${user}`,
        );
      }
      if (!(await plainPasswordMatches(user, password, opts))) {
        throw new AuthenticationFailed(
          invalidCredentials('PLAIN'),
          `PLAIN: bad credentials for ${untrusted(user)}`,
          `User:${user}`,
        );
      }
      return { done: true, challenge: Buffer.alloc(0), principal: `User:${user}` };
    },
  };
}

async function plainPasswordMatches(
  user: string,
  password: string,
  opts: MechanismOptions,
): Promise<boolean> {
  const tries: [ScramMechanismName, 'sha512' | 'sha256'][] = [
    ['SCRAM-SHA-512', 'sha512'],
    ['SCRAM-SHA-256', 'sha256'],
  ];
  for (const [mechanism, hash] of tries) {
    const c = opts.credentials.get(user, mechanism);
    if (!c) continue;
    const salted = await pbkdf2Async(password, c.salt, c.iterations, hash === 'sha512' ? 64 : 32, hash);
    const clientKey = createHmac(hash, salted).update('Client Key').digest();
    const stored = createHash(hash).update(clientKey).digest();
    return stored.length === c.storedKey.length && timingSafeEqual(stored, c.storedKey);
  }
  // Unknown user: spend the same effort, so timing does not reveal which names exist.
  await pbkdf2Async(password, randomBytes(32), opts.fakeIterations, 64, 'sha512');
  return false;
}

/** A mechanism offered without its configuration (the schema prevents it): every attempt fails. */
function unconfiguredExchange(mechanism: string): SaslExchange {
  return {
    step: () =>
      Promise.reject(
        new AuthenticationFailed(`${mechanism} is not enabled`, `${mechanism} is not configured`),
      ),
  };
}

function oauthExchange(opts: MechanismOptions): SaslExchange {
  return {
    async step(authBytes) {
      if (!opts.oauth)
        throw new AuthenticationFailed('OAUTHBEARER is not enabled', 'OAUTHBEARER without validator');
      try {
        const { principal, expiresAt } = await opts.oauth(authBytes);
        return {
          done: true,
          challenge: Buffer.alloc(0),
          principal: `User:${principal}`,
          tokenExpiresAt: expiresAt,
        };
      } catch (e) {
        // RFC 7628 §3.2.2: the server answers a failure with a JSON status; the client then sends %x01.
        throw new AuthenticationFailed(
          `Authentication failed during authentication due to invalid credentials with SASL mechanism OAUTHBEARER`,
          `OAUTHBEARER: ${untrusted((e as Error).message)}`,
        );
      }
    },
  };
}
