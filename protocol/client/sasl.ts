/**
 * The client side of Kafka's SASL exchange (SaslHandshake v1, then SaslAuthenticate v2 rounds) for
 * PLAIN and SCRAM-SHA-256/512, over whatever request function the connection offers during set-up.
 */
import { ApiKey } from '../generated/api-keys.js';
import type { RequestApiKey, RequestTypes, ResponseTypes } from '../codec.js';
import { ScramClient } from '../../security/scram/index.js';

export type SetupRequest = <K extends RequestApiKey>(
  apiKey: K,
  version: number,
  body: RequestTypes[K],
) => Promise<ResponseTypes[K]>;

export interface SaslCredentials {
  mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  username: string;
  password: string;
}

export async function authenticateSasl(request: SetupRequest, sasl: SaslCredentials): Promise<void> {
  const handshake = await request(ApiKey.SaslHandshake, 1, { mechanism: sasl.mechanism });
  if (handshake.errorCode !== 0) {
    throw new Error(
      `broker refused SASL mechanism ${sasl.mechanism} (offers ${handshake.mechanisms.join(', ')})`,
    );
  }
  const step = async (authBytes: Buffer): Promise<Buffer> => {
    const r = await request(ApiKey.SaslAuthenticate, 2, { authBytes });
    if (r.errorCode !== 0)
      throw new Error(`authentication as ${sasl.username} failed: ${r.errorMessage ?? r.errorCode}`);
    return r.authBytes;
  };
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
