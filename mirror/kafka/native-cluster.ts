/**
 * The mirror's own view of one cluster for the native data path: client/'s ClusterClient
 * (broker addresses, partition leaders, one pipelined connection per broker), opened with the
 * cluster's configured security (the same TLS / SASL settings kafkaFor gives kafkajs).
 */
import { ClusterClient } from '../../client/cluster.js';
import type { ConnectionOptions } from '../../client/connection.js';
import type { ClusterConfig } from '../config/config.js';

const SASL_MECHANISMS = {
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
} as const;

/** The connection settings of a configured cluster (mirror config → client/ options). */
export function connectionOptions(cluster: ClusterConfig, role: string): ConnectionOptions {
  return {
    clientId: `${cluster.clientId}-${role}`,
    connectTimeoutMs: 10_000,
    // Produce asks the broker to wait up to request.timeout.ms for acks=all; the client waits a
    // little longer so the broker's own timeout answer arrives before the connection gives up.
    requestTimeoutMs: cluster.requestTimeoutMs + 5_000,
    ...(cluster.tls
      ? {
          tls: {
            ca: cluster.tls.ca,
            rejectUnauthorized: true,
            checkServerIdentity: cluster.tls.checkServerIdentity,
          },
        }
      : {}),
    ...(cluster.sasl
      ? {
          sasl: {
            mechanism: SASL_MECHANISMS[cluster.sasl.mechanism],
            username: cluster.sasl.username,
            password: cluster.sasl.password,
          },
        }
      : {}),
  };
}

export class NativeCluster extends ClusterClient {
  constructor(
    readonly cluster: ClusterConfig,
    options: ConnectionOptions,
  ) {
    super(cluster.alias, cluster.bootstrapServers, options);
  }
}
