/**
 * The gateway's connections to the upstream cluster as the service principal: the proxied broker
 * connections and the security-topic tail (client/ options), and kafkajs for topic creation
 * and low-volume producing (security topic, audit topic). The `upstream` TLS / SASL settings are
 * mapped here once; CA and password files are read each time a connection is made, so rotated
 * files are picked up.
 */
import { readFileSync } from 'node:fs';
import { logLevel, type KafkaConfig } from 'kafkajs';
import type { ConnectionOptions } from '../../client/connection.js';
import { kafkajsSecurity } from '../../client/kafkajs/security.js';
import type { UpstreamConfig } from '../config/schema.js';

/** Long enough for a Fetch that waits for data (the tail's maxWaitMs is far below). */
const REQUEST_TIMEOUT_MS = 30_000;

export function upstreamConnectionOptions(upstream: UpstreamConfig, clientId: string): ConnectionOptions {
  const { tls, sasl } = upstream;
  return {
    clientId,
    connectTimeoutMs: upstream.connectTimeoutMs,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    ...(tls
      ? {
          tls: {
            ...(tls.ca ? { ca: readFileSync(tls.ca, 'utf8') } : {}),
            ...(tls.serverName ? { serverName: tls.serverName } : {}),
            rejectUnauthorized: !tls.insecureSkipVerify,
            checkServerIdentity: !tls.insecureSkipVerify,
          },
        }
      : {}),
    ...(sasl
      ? {
          sasl: {
            mechanism: sasl.mechanism,
            username: sasl.username,
            password: sasl.password ?? readFileSync(sasl.passwordFile!, 'utf8').trim(),
          },
        }
      : {}),
  };
}

export function kafkajsConfig(upstream: UpstreamConfig, clientId: string): KafkaConfig {
  return {
    clientId,
    brokers: upstream.bootstrap,
    logLevel: logLevel.NOTHING,
    ...kafkajsSecurity(upstreamConnectionOptions(upstream, clientId)),
  };
}
