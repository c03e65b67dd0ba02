/**
 * The TLS and SASL part of a kafkajs client configuration, from the same `ConnectionOptions` the
 * project's own connections use: each product maps its configuration once (gateway `upstream`,
 * mirror cluster keys, cluster-connection.ts for the monitor and the CLI) and both kinds of client
 * get identical security settings.
 */
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from '../connection.js';

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
            ...(tls.cert === undefined ? {} : { cert: tls.cert }),
            ...(tls.key === undefined ? {} : { key: tls.key }),
            ...(tls.passphrase === undefined ? {} : { passphrase: tls.passphrase }),
          },
        }
      : {}),
    ...(sasl ? { sasl: kafkajsSasl(sasl) } : {}),
  };
}

function kafkajsSasl(sasl: NonNullable<ConnectionOptions['sasl']>): SASLOptions {
  if (sasl.mechanism === 'OAUTHBEARER') {
    const token = sasl.token;
    return { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: await token() }) };
  }
  return {
    mechanism: sasl.mechanism.toLowerCase(),
    username: sasl.username,
    password: sasl.password,
  } as SASLOptions;
}
