/**
 * The client side of Kafka's SASL exchange (SaslHandshake v1, then SaslAuthenticate v2 rounds) for
 * PLAIN, SCRAM-SHA-256/512 and OAUTHBEARER, over whatever request function the connection offers
 * during set-up.
 */
import { ErrorCode } from '../protocol/errors.js';
import { ApiKey } from '../protocol/generated/api-keys.js';
import type { RequestApiKey, RequestTypes, ResponseTypes } from '../protocol/codec.js';
import { ScramClient } from '../security/scram/index.js';
import { formatOAuthBearerClientResponse } from '../security/sasl/oauthbearer.js';

export type SetupRequest = <K extends RequestApiKey>(
  apiKey: K,
  version: number,
  body: RequestTypes[K],
) => Promise<ResponseTypes[K]>;

export type SaslCredentials =
  | {
      mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
      username: string;
      password: string;
    }
  | {
      mechanism: 'OAUTHBEARER';
      /**
       * The bearer token for this authentication. Called at every connection, so a provider can
       * refresh an expiring token (Kafka's OAuthBearerLoginCallbackHandler does the same per login).
       */
      token: () => Promise<string>;
    };

/** Who authenticates, for messages: the user name, or "a bearer token". Never the secret. */
export const saslIdentity = (sasl: SaslCredentials): string =>
  sasl.mechanism === 'OAUTHBEARER' ? 'a bearer token' : sasl.username;

export async function authenticateSasl(request: SetupRequest, sasl: SaslCredentials): Promise<void> {
  const handshake = await request(ApiKey.SaslHandshake, 1, { mechanism: sasl.mechanism });
  if (handshake.errorCode !== ErrorCode.NONE) {
    throw new Error(
      `broker refused SASL mechanism ${sasl.mechanism} (offers ${handshake.mechanisms.join(', ')})`,
    );
  }
  const step = async (authBytes: Buffer): Promise<Buffer> => {
    const r = await request(ApiKey.SaslAuthenticate, 2, { authBytes });
    if (r.errorCode !== ErrorCode.NONE)
      throw new Error(`authentication as ${saslIdentity(sasl)} failed: ${r.errorMessage ?? r.errorCode}`);
    return r.authBytes;
  };
  if (sasl.mechanism === 'OAUTHBEARER') {
    // RFC 7628 section 3.2.2: an accepted token gets an empty answer; a rejected one gets an error
    // challenge (JSON) that the client acknowledges with %x01, after which Kafka fails the exchange.
    const challenge = await step(formatOAuthBearerClientResponse(await sasl.token()));
    if (challenge.length === 0) return;
    await step(Buffer.from([0x01]));
    throw new Error(`authentication with a bearer token failed: ${challenge.toString('utf8')}`);
  }
  if (sasl.mechanism === 'PLAIN') {
    await step(Buffer.from(`\0${sasl.username}\0${sasl.password}`, 'utf8'));
    return;
  }
  const client = new ScramClient({
    mechanism: sasl.mechanism,
    username: sasl.username,
    password: sasl.password,
  });
  const serverFirst = await step(client.first());
  const serverFinal = await step(client.final(serverFirst));
  client.verify(serverFinal);
}
