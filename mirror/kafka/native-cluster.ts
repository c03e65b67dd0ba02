/**
 * The mirror's own view of one cluster for the native data path: client/'s ClusterClient
 * (broker addresses, partition leaders, one pipelined connection per broker), opened with the
 * cluster's configured security (the same TLS / SASL settings kafkaFor gives kafkajs).
 */
import { ClusterClient } from '../../client/cluster.js';
import { connectionOptions as clusterConnectionOptions } from '../../client/cluster-connection.js';
import type { ConnectionOptions } from '../../client/connection.js';
import type { ClusterConfig } from '../config/config.js';

/** The connection settings of a configured cluster (the shared mapping → client/ options). */
export function connectionOptions(cluster: ClusterConfig, role: string): ConnectionOptions {
  const clientId = `${cluster.clientId}-${role}`;
  // Produce asks the broker to wait up to request.timeout.ms for acks=all; the client waits a
  // little longer so the broker's own timeout answer arrives before the connection gives up.
  const requestTimeoutMs = cluster.requestTimeoutMs + 5_000;
  return clusterConnectionOptions(
    { ...cluster.connection, clientId, requestTimeoutMs },
    { clientId, requestTimeoutMs, connectTimeoutMs: 10_000 },
  );
}

export class NativeCluster extends ClusterClient {
  constructor(
    readonly cluster: ClusterConfig,
    options: ConnectionOptions,
  ) {
    super(cluster.alias, cluster.bootstrapServers, options);
  }
}
