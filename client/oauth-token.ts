/**
 * Bearer tokens for SASL/OAUTHBEARER clients, the two ways Kafka's own clients get them:
 *
 *  - a token file (Kafka's `sasl.oauthbearer.token.endpoint.url=file:///…`, FileJwtRetriever):
 *    read again for every authentication, so whatever refreshes the file (a sidecar, a Kubernetes
 *    projected token) is picked up;
 *  - the OAuth 2 client-credentials grant (KIP-768, Kafka's ClientCredentialsJwtRetriever): POST
 *    `grant_type=client_credentials[&scope=…]` to the token endpoint with HTTP Basic authentication
 *    of the URL-encoded client id and secret, and take `access_token`. The token is reused until
 *    80 % of its lifetime has passed (Kafka's sasl.login.refresh.window.factor default 0.8).
 *
 * Secrets never appear in errors: an endpoint's refusal is reported with its status and the
 * `error` / `error_description` fields of its answer only.
 */
import { readFileSync } from 'node:fs';
import { withRetries } from './retry.js';

export interface TokenEndpoint {
  url: string;
  clientId: string;
  clientSecret: string;
  scope?: string | undefined;
}

/** Kafka's sasl.login.refresh.window.factor default. */
const REFRESH_FACTOR = 0.8;
const REQUEST_TIMEOUT_MS = 10_000;
/** How long failed attempts against an unreachable or failing (5xx) endpoint are retried. */
const RETRY_FOR_MS = 10_000;

export function tokenFromFile(file: string): () => Promise<string> {
  return async () => {
    let token: string;
    try {
      token = readFileSync(file, 'utf8').trim();
    } catch (e) {
      throw new Error(
        `cannot read the OAUTHBEARER token file ${file}: ${(e as NodeJS.ErrnoException).code}`,
        {
          cause: e,
        },
      );
    }
    if (token === '') throw new Error(`the OAUTHBEARER token file ${file} is empty`);
    return token;
  };
}

class TokenEndpointError extends Error {
  constructor(
    message: string,
    readonly retriable: boolean,
  ) {
    super(message);
    this.name = 'TokenEndpointError';
  }
}

export function tokenFromEndpoint(endpoint: TokenEndpoint): () => Promise<string> {
  let cached: { token: string; refreshAtMs: number } | undefined;
  let pending: Promise<string> | undefined;
  const fetchToken = async (): Promise<string> => {
    const startedMs = Date.now();
    const { token, expiresInSeconds } = await withRetries(
      { retryForMs: RETRY_FOR_MS, isRetriable: (e) => e instanceof TokenEndpointError && e.retriable },
      () => requestToken(endpoint),
    );
    const lifetimeMs = (expiresInSeconds ?? jwtLifetimeSeconds(token, startedMs) ?? 0) * 1000;
    cached = lifetimeMs > 0 ? { token, refreshAtMs: startedMs + lifetimeMs * REFRESH_FACTOR } : undefined;
    return token;
  };
  return async () => {
    if (cached && Date.now() < cached.refreshAtMs) return cached.token;
    pending ??= fetchToken().finally(() => (pending = undefined));
    return pending;
  };
}

async function requestToken(e: TokenEndpoint): Promise<{ token: string; expiresInSeconds?: number }> {
  const basic = Buffer.from(`${encodeURIComponent(e.clientId)}:${encodeURIComponent(e.clientSecret)}`);
  const body = new URLSearchParams({ grant_type: 'client_credentials' });
  if (e.scope) body.set('scope', e.scope);
  let res: Response;
  try {
    res = await fetch(e.url, {
      method: 'POST',
      headers: {
        authorization: `Basic ${basic.toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new TokenEndpointError(`token endpoint ${e.url} unreachable: ${cause}`, true);
  }
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // reported below
  }
  if (!res.ok) {
    const why = [json.error, json.error_description].filter((x) => typeof x === 'string').join(': ');
    throw new TokenEndpointError(
      `token endpoint ${e.url} answered HTTP ${res.status}${why ? ` (${why})` : ''}`,
      res.status >= 500,
    );
  }
  if (typeof json.access_token !== 'string' || json.access_token === '')
    throw new TokenEndpointError(`token endpoint ${e.url} answered without an access_token`, false);
  const expires = Number(json.expires_in);
  return {
    token: json.access_token,
    ...(Number.isFinite(expires) && expires > 0 ? { expiresInSeconds: expires } : {}),
  };
}

/** Seconds from `nowMs` to a JWT's `exp`, without verifying it (the broker does); undefined if none. */
function jwtLifetimeSeconds(token: string, nowMs: number): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? Math.max(0, exp - nowMs / 1000) : undefined;
  } catch {
    return undefined;
  }
}
