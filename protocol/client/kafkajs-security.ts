/**
 * The TLS and SASL part of a kafkajs client configuration, from the same `ConnectionOptions` the
 * project's own connections use: each product maps its configuration once (gateway `upstream`,
 * mirror cluster keys) and both kinds of client get identical security settings.
 */
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from './connection.js';

export function kafkajsSecurity(
  opts: Pick<ConnectionOptions, 'tls' | 'sasl'>,
): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const { tls, sasl } = opts;
  return {
    ...(tls
      ? {
          ssl: {
            ...(tls.ca === undefined ? {} : { ca: [tls.ca] }),
            // kafkajs sends the host as SNI name unless told otherwise; only override when configured.
            ...(tls.serverName === undefined ? {} : { servername: tls.serverName }),
            rejectUnauthorized: tls.rejectUnauthorized,
            ...(tls.checkServerIdentity ? {} : { checkServerIdentity: () => undefined }),
          },
        }
      : {}),
    ...(sasl
      ? {
          sasl: {
            mechanism: sasl.mechanism.toLowerCase(),
            username: sasl.username,
            password: sasl.password,
          } as SASLOptions,
        }
      : {}),
  };
}
