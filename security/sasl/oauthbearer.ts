// SASL/OAUTHBEARER (RFC 7628, Kafka KIP-255/KIP-768) server side:
//   client initial response: "n," [ "a=" saslname ] "," %x01 *(key "=" value %x01) %x01
//   with key "auth" = "Bearer <token>" mandatory and other keys as SASL extensions.
// Tokens are JWTs validated with jose against a JWKS URL or static keys: signature, issuer, audience,
// expiry (with clock skew), and the principal claim (Kafka's sasl.oauthbearer.sub.claim.name,
// default "sub"). The token's expiry bounds the session (KIP-368 re-authentication).
import type { JWTPayload, JWTVerifyGetKey, JSONWebKeySet, CryptoKey, KeyObject } from 'jose';
import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';

const SEP = '\u0001';
const SASLNAME = String.raw`(?:[\x01-\x2b\x2d-\x3c\x3e-\x7f]|=2C|=3D)+`;
const KEY = '[A-Za-z]+';
const VALUE = String.raw`[\x21-\x7E \t\r\n]+`;
const RESPONSE_RE = new RegExp(`^n,(?:a=(${SASLNAME}))?,${SEP}((?:${KEY}=${VALUE}${SEP})*)${SEP}$`);
const AUTH_RE = /^(\w+) +([-_.a-zA-Z0-9]+)$/;
const KEY_RE = new RegExp(`^${KEY}$`);
const VALUE_RE = new RegExp(`^${VALUE}$`);

export class OAuthBearerError extends Error {
  override readonly name = 'OAuthBearerError';
  constructor(
    readonly reason:
      | 'malformed'
      | 'invalid-extension'
      | 'invalid-token'
      | 'expired'
      | 'not-yet-valid'
      | 'bad-signature'
      | 'bad-issuer'
      | 'bad-audience'
      | 'missing-principal'
      | 'insufficient-scope'
      | 'jwks-unavailable',
    message: string,
  ) {
    super(message);
  }
}

export interface OAuthBearerClientResponse {
  readonly authzid: string;
  readonly token: string;
  /** SASL extensions (every key but "auth"). */
  readonly extensions: ReadonlyMap<string, string>;
}

/** Parse the client's initial response (Kafka's OAuthBearerClientInitialResponse rules). */
export function parseOAuthBearerClientResponse(bytes: Uint8Array): OAuthBearerClientResponse {
  const text = Buffer.from(bytes).toString('utf8');
  const m = RESPONSE_RE.exec(text);
  if (m === null) throw new OAuthBearerError('malformed', 'Invalid OAUTHBEARER client first message');
  const authzid = (m[1] ?? '').replace(/=2C|=3D/g, (x) => (x === '=2C' ? ',' : '='));
  const extensions = new Map<string, string>();
  let auth: string | undefined;
  for (const kv of (m[2] ?? '').split(SEP)) {
    if (kv === '') continue;
    const eq = kv.indexOf('=');
    const key = kv.slice(0, eq);
    const value = kv.slice(eq + 1);
    if (key === 'auth') auth = value;
    else extensions.set(key, value);
  }
  if (auth === undefined)
    throw new OAuthBearerError('malformed', "Invalid OAUTHBEARER client first message: 'auth' not specified");
  const a = AUTH_RE.exec(auth);
  if (a === null)
    throw new OAuthBearerError(
      'malformed',
      "Invalid OAUTHBEARER client first message: invalid 'auth' format",
    );
  if ((a[1] ?? '').toLowerCase() !== 'bearer')
    throw new OAuthBearerError(
      'malformed',
      `Invalid scheme in OAUTHBEARER client first message: ${a[1] ?? ''}`,
    );
  return { authzid, token: a[2] ?? '', extensions };
}

/** Build a client initial response (tests; the gateway authenticating upstream with a token). */
export function formatOAuthBearerClientResponse(
  token: string,
  extensions: Readonly<Record<string, string>> = {},
  authzid = '',
): Buffer {
  for (const [k, v] of Object.entries(extensions)) {
    if (k === 'auth' || !KEY_RE.test(k))
      throw new OAuthBearerError('invalid-extension', `Extension name ${k} is invalid`);
    if (!VALUE_RE.test(v))
      throw new OAuthBearerError('invalid-extension', `Extension value (${v}) for extension ${k} is invalid`);
  }
  const ext = Object.entries(extensions)
    .map(([k, v]) => `${SEP}${k}=${v}`)
    .join('');
  const a = authzid === '' ? '' : `a=${authzid.replace(/=/g, '=3D').replace(/,/g, '=2C')}`;
  return Buffer.from(`n,${a},${SEP}auth=Bearer ${token}${ext}${SEP}${SEP}`, 'utf8');
}

/**
 * The server's error challenge (RFC 7628 section 3.2.2), as Kafka sends it: JSON with status, plus
 * scope when known. The client answers with a single %x01 and the exchange then fails.
 */
export function oauthBearerErrorChallenge(status = 'invalid_token', scope?: string): Buffer {
  return Buffer.from(JSON.stringify(scope === undefined ? { status } : { status, scope }), 'utf8');
}

/** True for the client's %x01 acknowledgement of an error challenge. */
export function isOAuthBearerErrorAck(bytes: Uint8Array): boolean {
  return bytes.length === 1 && bytes[0] === 0x01;
}

export interface OAuthValidatorOptions {
  /** JWKS endpoint (sasl.oauthbearer.jwks.endpoint.url). Either this or `keys`. */
  readonly jwksUrl?: string | URL;
  /** Static keys: a JWKS document, or a single verification key. */
  readonly keys?: JSONWebKeySet | CryptoKey | KeyObject | Uint8Array;
  /** Expected "iss" (sasl.oauthbearer.expected.issuer). */
  readonly issuer?: string | readonly string[];
  /** Expected "aud" (sasl.oauthbearer.expected.audience). */
  readonly audience?: string | readonly string[];
  /** Allowed clock skew in seconds (sasl.oauthbearer.clock.skew.seconds, default 30). */
  readonly clockSkewSeconds?: number;
  /** Claim naming the principal (sasl.oauthbearer.sub.claim.name, default "sub"). */
  readonly subClaimName?: string;
  /** Claim holding scopes (sasl.oauthbearer.scope.claim.name, default "scope"). */
  readonly scopeClaimName?: string;
  /** Scopes every token must carry. */
  readonly requiredScopes?: readonly string[];
  /** Accepted JWS algorithms; default: asymmetric ones only (RS*, PS*, ES*, EdDSA). */
  readonly algorithms?: readonly string[];
  /** JWKS cache/refresh settings for the remote set. */
  readonly jwksCooldownMs?: number;
  readonly jwksTimeoutMs?: number;
  /** Clock override (tests). */
  readonly now?: () => number;
}

export interface ValidatedToken {
  /** Principal name (value of the principal claim). */
  readonly principalName: string;
  /** Token expiry, ms since epoch: the session must re-authenticate or end by then (KIP-368). */
  readonly expiresAtMs: number;
  readonly issuedAtMs: number | undefined;
  readonly scopes: readonly string[];
  readonly claims: JWTPayload;
}

const DEFAULT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

export type OAuthTokenValidator = (token: string) => Promise<ValidatedToken>;

export function createOAuthTokenValidator(opts: OAuthValidatorOptions): OAuthTokenValidator {
  let key: JWTVerifyGetKey | CryptoKey | KeyObject | Uint8Array;
  if (opts.jwksUrl !== undefined) {
    key = createRemoteJWKSet(new URL(opts.jwksUrl), {
      ...(opts.jwksCooldownMs !== undefined ? { cooldownDuration: opts.jwksCooldownMs } : {}),
      ...(opts.jwksTimeoutMs !== undefined ? { timeoutDuration: opts.jwksTimeoutMs } : {}),
    });
  } else if (opts.keys !== undefined) {
    const k = opts.keys;
    key =
      typeof k === 'object' && 'keys' in k && Array.isArray(k.keys)
        ? createLocalJWKSet(k as JSONWebKeySet)
        : (k as CryptoKey | KeyObject | Uint8Array);
  } else throw new Error('createOAuthTokenValidator needs jwksUrl or keys');
  const subClaim = opts.subClaimName ?? 'sub';
  const scopeClaim = opts.scopeClaimName ?? 'scope';
  const algorithms = [...(opts.algorithms ?? DEFAULT_ALGORITHMS)];

  return async (token: string): Promise<ValidatedToken> => {
    let payload: JWTPayload;
    try {
      const verifyOpts = {
        algorithms,
        clockTolerance: opts.clockSkewSeconds ?? 30,
        requiredClaims: ['exp'],
        ...(opts.issuer !== undefined
          ? { issuer: typeof opts.issuer === 'string' ? opts.issuer : [...opts.issuer] }
          : {}),
        ...(opts.audience !== undefined
          ? { audience: typeof opts.audience === 'string' ? opts.audience : [...opts.audience] }
          : {}),
        ...(opts.now !== undefined ? { currentDate: new Date(opts.now()) } : {}),
      };
      const res =
        typeof key === 'function'
          ? await jwtVerify(token, key, verifyOpts)
          : await jwtVerify(token, key, verifyOpts);
      payload = res.payload;
    } catch (e) {
      throw mapJoseError(e);
    }
    const principal = payload[subClaim];
    if (typeof principal !== 'string' || principal.trim() === '')
      throw new OAuthBearerError('missing-principal', `Token has no usable "${subClaim}" claim`);
    const rawScope = payload[scopeClaim];
    const scopes =
      typeof rawScope === 'string'
        ? rawScope.split(' ').filter((s) => s !== '')
        : Array.isArray(rawScope)
          ? rawScope.filter((s): s is string => typeof s === 'string')
          : [];
    for (const s of opts.requiredScopes ?? [])
      if (!scopes.includes(s))
        throw new OAuthBearerError('insufficient-scope', `Token lacks required scope ${s}`);
    return {
      principalName: principal,
      expiresAtMs: (payload.exp ?? 0) * 1000,
      issuedAtMs: payload.iat !== undefined ? payload.iat * 1000 : undefined,
      scopes,
      claims: payload,
    };
  };
}

function mapJoseError(e: unknown): OAuthBearerError {
  if (e instanceof joseErrors.JWTExpired) return new OAuthBearerError('expired', 'Token expired');
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    if (e.claim === 'iss') return new OAuthBearerError('bad-issuer', 'Token issuer is not accepted');
    if (e.claim === 'aud') return new OAuthBearerError('bad-audience', 'Token audience is not accepted');
    if (e.claim === 'nbf' || e.claim === 'iat')
      return new OAuthBearerError('not-yet-valid', 'Token is not yet valid');
    return new OAuthBearerError('invalid-token', `Token claim ${e.claim} is invalid`);
  }
  if (e instanceof joseErrors.JWSSignatureVerificationFailed || e instanceof joseErrors.JWKSNoMatchingKey)
    return new OAuthBearerError('bad-signature', 'Token signature could not be verified');
  if (e instanceof joseErrors.JWKSTimeout || e instanceof joseErrors.JWKSInvalid)
    return new OAuthBearerError('jwks-unavailable', 'JWKS could not be loaded');
  if (e instanceof Error && /fetch|ECONNREFUSED|Expected 200/i.test(e.message))
    return new OAuthBearerError('jwks-unavailable', 'JWKS could not be loaded');
  return new OAuthBearerError('invalid-token', 'Token is invalid');
}
