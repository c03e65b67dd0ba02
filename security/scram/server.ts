// SCRAM server state machine (RFC 5802 / RFC 7677) as the gateway runs it inside SaslAuthenticate.
//
//   RECEIVE_CLIENT_FIRST ──client-first──▶ server-first ──▶ RECEIVE_CLIENT_FINAL
//   RECEIVE_CLIENT_FINAL ──client-final──▶ server-final (v=...) ──▶ COMPLETE
//   any failure ──▶ FAILED (ScramError thrown; error.serverFinalMessage() is the e=... reply)
//
// Unknown users get a challenge that looks like a real one: the salt is derived from an HMAC of the
// user name under a server secret (stable across attempts, so probing twice shows nothing), with the
// default iteration count, and the exchange fails only at the final step with the same
// "invalid-proof" as a wrong password, after the same proof computation. Kafka itself fails unknown
// users at the first step; the gateway deliberately does better.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ScramError } from './errors.js';
import type { ScramCredential, ScramMechanismName } from './formatter.js';
import { DEFAULT_SCRAM_ITERATIONS, SCRAM_MECHANISMS, h, hmac, secureRandomString, xor } from './formatter.js';
import type { ClientFirstMessage } from './messages.js';
import { formatServerFirst, parseClientFinal, parseClientFirst } from './messages.js';

/** Kafka's ScramLoginModule.TOKEN_AUTH_CONFIG extension name. */
export const TOKEN_AUTH_EXTENSION = 'tokenauth';

export interface DelegationTokenCredential {
  /** The token owner: becomes the authenticated principal name. */
  readonly owner: string;
  /** Token expiry (ms since epoch): the session must end by then (KIP-368). */
  readonly expiryTimestampMs: number;
  readonly credential: ScramCredential;
}

export interface ScramServerOptions {
  readonly mechanism: ScramMechanismName;
  /** Credential of a user for this mechanism, or undefined if none. */
  readonly lookup: (username: string) => ScramCredential | undefined;
  /** Secret keying fake challenges for unknown users (≥ 16 bytes; keep it stable across restarts). */
  readonly fakeCredentialSecret: Uint8Array;
  /** Iterations announced to unknown users; should equal what real users mostly have. Default 4096. */
  readonly fakeIterations?: number;
  /** Delegation-token credentials, looked up by token id when the client sends tokenauth=true. */
  readonly tokenLookup?: (tokenId: string) => DelegationTokenCredential | undefined;
  /** Server nonce source (tests); default 130 random bits in base 36, like Kafka. */
  readonly serverNonce?: () => string;
}

export interface ScramAuthResult {
  /** Authorization id: the user name, or the token owner for delegation tokens. */
  readonly principalName: string;
  /** The user name (or token id) that authenticated. */
  readonly username: string;
  readonly tokenAuthenticated: boolean;
  /** Token expiry for delegation tokens (KIP-368 session lifetime), else undefined. */
  readonly tokenExpiryTimestampMs: number | undefined;
  readonly extensions: ReadonlyMap<string, string>;
}

export type ScramServerState = 'RECEIVE_CLIENT_FIRST' | 'RECEIVE_CLIENT_FINAL' | 'COMPLETE' | 'FAILED';

export type ScramServerStep =
  | { readonly done: false; readonly challenge: Buffer }
  | { readonly done: true; readonly challenge: Buffer; readonly result: ScramAuthResult };

interface Pending {
  readonly first: ClientFirstMessage;
  readonly serverFirst: string;
  readonly nonce: string;
  readonly credential: ScramCredential;
  /** undefined when the credential is fake: the exchange must fail at the final step. */
  readonly real: { principalName: string; tokenExpiry: number | undefined } | undefined;
  readonly failReason: 'unknown-user' | 'token-unknown' | undefined;
}

export class ScramServer {
  private stateValue: ScramServerState = 'RECEIVE_CLIENT_FIRST';
  private pending: Pending | undefined;
  private readonly opts: ScramServerOptions;

  constructor(opts: ScramServerOptions) {
    if (opts.fakeCredentialSecret.length < 16)
      throw new RangeError('fakeCredentialSecret must be at least 16 bytes');
    if (!(opts.mechanism in SCRAM_MECHANISMS))
      throw new RangeError(`unsupported mechanism ${String(opts.mechanism)}`);
    this.opts = opts;
  }

  get state(): ScramServerState {
    return this.stateValue;
  }

  get mechanism(): ScramMechanismName {
    return this.opts.mechanism;
  }

  /** Process one client message; throws ScramError on any failure (state becomes FAILED). */
  evaluate(response: Uint8Array): ScramServerStep {
    try {
      switch (this.stateValue) {
        case 'RECEIVE_CLIENT_FIRST':
          return { done: false, challenge: this.onClientFirst(response) };
        case 'RECEIVE_CLIENT_FINAL':
          return this.onClientFinal(response);
        default:
          throw new ScramError(
            'other-error',
            'unexpected-message',
            `Unexpected SCRAM message in state ${this.stateValue}`,
          );
      }
    } catch (e) {
      this.stateValue = 'FAILED';
      this.pending = undefined;
      if (e instanceof ScramError) throw e;
      throw new ScramError('other-error', 'server-error', `SCRAM server error: ${(e as Error).message}`);
    }
  }

  private onClientFirst(bytes: Uint8Array): Buffer {
    const first = parseClientFirst(bytes);
    const m = SCRAM_MECHANISMS[this.opts.mechanism];
    if (first.authzid !== '' && first.authzid !== first.username) {
      throw new ScramError(
        'other-error',
        'authzid-mismatch',
        'Authentication failed: Client requested an authorization id that is different from username',
      );
    }
    const tokenAuth = first.extensions.get(TOKEN_AUTH_EXTENSION)?.toLowerCase() === 'true';
    let credential: ScramCredential | undefined;
    let real: Pending['real'];
    let failReason: Pending['failReason'];
    if (tokenAuth) {
      const token = this.opts.tokenLookup?.(first.username);
      if (token !== undefined) {
        credential = token.credential;
        real = { principalName: token.owner, tokenExpiry: token.expiryTimestampMs };
      } else failReason = 'token-unknown';
    } else {
      credential = this.opts.lookup(first.username);
      if (credential !== undefined) real = { principalName: first.username, tokenExpiry: undefined };
      else failReason = 'unknown-user';
    }
    if (credential !== undefined && credential.iterations < m.minIterations) {
      throw new ScramError(
        'other-error',
        'iterations-too-low',
        `Iterations ${credential.iterations} is less than the minimum ${m.minIterations} for ${m.name}`,
      );
    }
    credential ??= this.fakeCredential(first.username);
    const nonce = first.nonce + (this.opts.serverNonce ?? secureRandomString)();
    const serverFirst = formatServerFirst(nonce, credential.salt, credential.iterations);
    this.pending = { first, serverFirst, nonce, credential, real, failReason };
    this.stateValue = 'RECEIVE_CLIENT_FINAL';
    return Buffer.from(serverFirst, 'utf8');
  }

  private onClientFinal(bytes: Uint8Array): ScramServerStep {
    const p = this.pending;
    if (p === undefined)
      throw new ScramError('other-error', 'unexpected-message', 'No SCRAM exchange in progress');
    const fin = parseClientFinal(bytes);
    const expectedCb = Buffer.from(p.first.gs2Header, 'utf8').toString('base64');
    if (fin.channelBinding !== expectedCb) {
      throw new ScramError(
        'channel-bindings-dont-match',
        'channel-binding-mismatch',
        'Channel binding mismatch',
      );
    }
    // Kafka's ScramSaslServer only requires the final nonce to END with the combined nonce, and
    // librdkafka relies on it: it sends client nonce + combined nonce. Matching Kafka's rule keeps
    // every client that works against a broker working against the gateway; the proof (computed
    // over the message as sent) still proves possession of the key.
    if (!fin.nonce.endsWith(p.nonce)) {
      throw new ScramError(
        'other-error',
        'nonce-mismatch',
        'Invalid client nonce in the final client message.',
      );
    }
    const m = SCRAM_MECHANISMS[this.opts.mechanism];
    const authMessage = `${p.first.bare},${p.serverFirst},${fin.withoutProof}`;
    const clientSignature = hmac(m.hash, p.credential.storedKey, authMessage);
    // A proof of the wrong length still goes through the same work before failing.
    const proof = fin.proof.length === m.keyLength ? fin.proof : Buffer.alloc(m.keyLength);
    const computedStoredKey = h(m.hash, xor(proof, clientSignature));
    const proofOk =
      timingSafeEqual(computedStoredKey, p.credential.storedKey) && fin.proof.length === m.keyLength;
    if (!proofOk || p.real === undefined) {
      throw new ScramError(
        'invalid-proof',
        p.failReason ?? 'wrong-password',
        'Authentication failed: Invalid user credentials',
      );
    }
    const signature = hmac(m.hash, p.credential.serverKey, authMessage);
    const result: ScramAuthResult = {
      principalName: p.real.principalName,
      username: p.first.username,
      tokenAuthenticated: p.real.tokenExpiry !== undefined,
      tokenExpiryTimestampMs: p.real.tokenExpiry,
      extensions: p.first.extensions,
    };
    this.pending = undefined;
    this.stateValue = 'COMPLETE';
    return { done: true, challenge: Buffer.from(`v=${signature.toString('base64')}`, 'utf8'), result };
  }

  /** Deterministic per (secret, mechanism, user): the same user name always gets the same salt. */
  private fakeCredential(username: string): ScramCredential {
    const m = SCRAM_MECHANISMS[this.opts.mechanism];
    const mac = (label: string): Buffer =>
      createHmac('sha256', this.opts.fakeCredentialSecret)
        .update(`${label}\0${m.name}\0${username}`)
        .digest();
    // Shape the salt like secureRandomString() output (130 bits, base 36) so it looks like a real one.
    const bits = mac('salt').subarray(0, 17);
    bits[0] = (bits[0] ?? 0) & 0x03;
    const salt = Buffer.from(BigInt('0x' + bits.toString('hex')).toString(36), 'utf8');
    const keys = createHmac(m.hash, this.opts.fakeCredentialSecret).update(`keys\0${username}`).digest();
    return {
      salt,
      storedKey: keys.subarray(0, m.keyLength),
      serverKey: Buffer.from(keys.subarray(0, m.keyLength)).reverse(),
      iterations: this.opts.fakeIterations ?? DEFAULT_SCRAM_ITERATIONS,
    };
  }
}
